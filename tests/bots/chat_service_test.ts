// Chat through the real service: real grammY and discord.js against the loopback fakes, a replay
// service on a DuckDB file, and what a trader sees in both chats.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import type { ChatConfig } from "../../src/bots/chat_config.ts";
import { pendingKey } from "../../src/bots/pending_view.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { candlesTraded, entry, waitFor } from "../service/service_support.ts";
import {
  type FakeTelegram,
  type MessageEdit,
  type SentMessage,
  startFakeTelegram,
} from "../fakes/fake_telegram.ts";
import { type FakeDiscord, type Json, startFakeDiscord } from "../fakes/fake_discord.ts";

const API_TOKEN = "test-token-0123456789abcdef";
const TG_CHAT = -1001234;
const ANA = 111; // allowed on Telegram
const STRANGER = 999;
const TRADER = { id: "300000000000000001", username: "trader" };

/** Every log line the chat wrote, to check for tokens. */
type Line = { level: string; msg: string; fields: Record<string, unknown> };

interface World {
  tg: FakeTelegram;
  dc: FakeDiscord;
  config: ChatConfig;
  lines: Line[];
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const tg = startFakeTelegram();
  const dc = await startFakeDiscord();
  const config: ChatConfig = {
    warnings: [],
    telegram: {
      token: tg.token,
      apiRoot: tg.apiRoot,
      chats: [String(TG_CHAT)],
      access: { users: [String(ANA)] },
    },
    discord: {
      token: dc.token,
      guildId: dc.guildId,
      channels: [dc.channelId],
      apiRoot: dc.rest,
      access: { users: [TRADER.id] },
    },
  };
  return {
    tg,
    dc,
    config,
    lines: [],
    async close() {
      await tg.close();
      await dc.close();
    },
  };
}

async function service(
  w: World,
  path: string,
  o: { speed?: number; confirm?: boolean; ttlMs?: number } = {},
) {
  const db = await Db.open(path);
  const tw = await assemble({
    db,
    entries: [
      await entry("ema_fast_01", {
        params: { fast_period: 2, slow_period: 5, direction: "both" },
        confirmationTtlMs: o.ttlMs ?? 300_000,
      }),
      await entry("ema_slow_02", {
        symbol: "ETH/USDT",
        params: { fast_period: 3, slow_period: 8, direction: "both" },
        confirmationTtlMs: o.ttlMs ?? 300_000,
      }),
    ],
    auth: requireBearer(API_TOKEN),
    version: "test",
    replay: { speed: o.speed ?? 3000, startTs: REPLAY_START },
    expiryCheckMs: 50,
    chat: {
      config: w.config,
      log: (level, msg, fields = {}) => void w.lines.push({ level, msg, fields }),
      telegram: { pollTimeoutSeconds: 1 },
      outbox: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 4 },
    },
  });
  await tw.chat!.started();
  if (o.confirm) {
    await tw.commands.changeSettings({ require_confirmation: true }, {
      surface: "test",
      actor: "setup",
    });
  }
  return {
    tw,
    post: (path: string, body: unknown = {}) =>
      tw.app.request(path, {
        method: "POST",
        headers: { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }),
    async close() {
      await tw.close();
      await db.close();
    },
  };
}

/**
 * The next item `next()` gives that `pred` accepts (earlier ones are skipped); rejects after
 * `ms`, a safety net generous for a loaded machine, so a missing message fails instead of hanging.
 */
async function nextMatching<T>(
  next: () => Promise<T>,
  pred: (t: T) => boolean,
  ms = 90_000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no matching message within ${ms} ms`)), ms);
  });
  const search = (async () => {
    for (;;) {
      const t = await next();
      if (pred(t)) return t;
    }
  })();
  try {
    return await Promise.race([search, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first edit of Telegram message `messageId`, made already or from now on (any order). */
async function tgEditOf(w: World, messageId: number): Promise<MessageEdit> {
  const find = () => w.tg.edits.find((e) => e.chatId === TG_CHAT && e.messageId === messageId);
  return find() ?? await nextMatching(() => w.tg.nextEdit(), () => find() !== undefined)
    .then(() => find()!);
}

const tgPending = (m: SentMessage) => m.chatId === TG_CHAT && /wants to/.test(m.text ?? "");
const keyOf = (text: string) => /Id: ([0-9a-f]{12})/.exec(text)?.[1];

function assertNoTokens(w: World): void {
  const all = JSON.stringify(w.lines);
  assert.ok(!all.includes(w.tg.token), "the Telegram token is never logged");
  assert.ok(!all.includes(w.dc.token), "the Discord token is never logged");
}

Deno.test("chat: a pending entry in both chats; confirmed from Telegram it is sent once, Discord's message edited, a second confirm sends nothing", async () => {
  await using dir = await tempDir();
  const w = await world();
  const s = await service(w, `${dir.path}/c.duckdb`, { confirm: true });
  try {
    // Telegram registered its commands; Discord its guild's slash commands.
    assert.ok(w.tg.commands()?.some((c) => c.command === "confirm"));
    assert.ok((w.dc.state.commands.get(w.dc.guildId) ?? []).some((c) => c.name === "kill"));
    for (let attempt = 0;; attempt++) {
      const tgMsg = await nextMatching(() => w.tg.nextSent(), tgPending);
      const key = keyOf(tgMsg.text!)!;
      const buttons = tgMsg.replyMarkup!.inline_keyboard[0];
      assert.deepEqual(buttons.map((b) => "callback_data" in b && b.callback_data), [
        `pc:${key}`,
        `pr:${key}`,
      ]);
      assert.match(tgMsg.text!, /Size: .*\nEntry: .* · SL: .* · TP: .*\nConfidence: .*\nReason: /);
      assert.match(tgMsg.text!, /Waiting for confirmation: \d+ s left/);
      const dcMsg = await nextMatching(
        () => w.dc.nextMessage(),
        (m) => m.kind === "create" && String(m.message.content).includes(`Id: ${key}`),
      );
      const components = dcMsg.message.components as Json[];
      assert.equal((components[0].components as Json[])[0].custom_id, `pc:${key}`);

      w.tg.userPresses(TG_CHAT, ANA, tgMsg.messageId, `pc:${key}`);
      const answer = await nextMatching(() => w.tg.nextCallbackAnswer(), () => true);
      if (/Too late/.test(answer.text ?? "") && attempt < 10) continue; // replaced by a newer signal
      assert.equal(answer.text, "Confirmed: the order is sent.");
      // The Discord message says who decided where, and loses its buttons.
      const edited = await nextMatching(
        () => w.dc.nextMessage(),
        (m) => m.kind === "edit" && m.message.id === dcMsg.message.id,
      );
      assert.match(String(edited.message.content), /✅ Confirmed by @\w+ \(111\) on telegram/);
      assert.deepEqual(edited.message.components ?? [], []);
      // A second confirm, from Discord: too late, nothing sent.
      w.dc.interaction({
        kind: "button",
        customId: `pc:${key}`,
        messageId: String(dcMsg.message.id),
        user: TRADER,
      });
      const late = await nextMatching(
        () => w.dc.nextCallback(),
        (c) => /Too late/.test(JSON.stringify(c.data)),
      );
      assert.match(JSON.stringify(late.data), /Confirmed by/);
      const pendingId = (await s.tw.commands.pending("confirmed")).pending
        .map((p) => String(p.id)).find((id) => pendingKey(id) === key)!;
      const botId = pendingId.split(":")[0];
      const orders = (await s.tw.commands.records(botId, "orders", { limit: 1000, offset: 0 }))
        .orders as { client_id: string }[];
      const clientId = pendingId.slice(botId.length + 1);
      assert.equal(orders.filter((o) => o.client_id === clientId).length, 1, "sent exactly once");
      break;
    }
    assertNoTokens(w);
  } finally {
    await s.close();
    await w.close();
  }
});

Deno.test("chat: a stranger gets nothing and is audited; /kill asks again before it stops anything", async () => {
  await using dir = await tempDir();
  const w = await world();
  const s = await service(w, `${dir.path}/k.duckdb`);
  try {
    await candlesTraded(s.tw.bus, "ema_fast_01", 3);
    w.tg.userSends(TG_CHAT, STRANGER, "/bots");
    const refused = await nextMatching(
      () => w.tg.nextSent(),
      (m) => /not allowed/.test(m.text ?? ""),
    );
    assert.doesNotMatch(refused.text!, /ema_/);
    const audit = (await s.tw.commands.audit(20)).audit;
    assert.ok(
      audit.some((a) => a.action === "chat:bots" && String(a.outcome).startsWith("denied")),
    );

    // /kill from Discord: a question with buttons, then the press stops every bot.
    w.dc.interaction({ kind: "command", name: "kill", user: TRADER });
    const ask = await nextMatching(
      () => w.dc.nextCallback(),
      (c) => /Kill switch/.test(String(c.data.content ?? "")),
    );
    assert.equal(s.tw.commands.status().running, 2, "asking stops nothing");
    const row = (ask.data.components as Json[])[0].components as Json[];
    const message = ask.message!;
    w.dc.interaction({
      kind: "button",
      customId: String(row[0].custom_id),
      messageId: String(message.id),
      user: TRADER,
    });
    await waitFor(s.tw.bus, (e) => e.type === "audit" && (e.data as Json).action === "kill");
    assert.equal(s.tw.commands.status().running, 0);
    // Every chat hears of the kill switch.
    await nextMatching(() => w.tg.nextSent(), (m) => /kill/i.test(m.text ?? ""));
    assertNoTokens(w);
  } finally {
    await s.close();
    await w.close();
  }
});

Deno.test("chat: an outage of both platforms leaves trading untouched; messages flow again after", async () => {
  await using dir = await tempDir();
  const w = await world();
  const s = await service(w, `${dir.path}/o.duckdb`);
  try {
    await candlesTraded(s.tw.bus, "ema_fast_01", 3);
    // Both platforms fail the next 40 calls (each message is tried 4 times, then dropped).
    w.tg.fail({ status: 502, description: "Bad Gateway", count: 40 });
    w.dc.fault({ status: 502, times: 40 });
    // While every send fails, the bots keep trading: fills happen and candles keep coming.
    await waitFor(s.tw.bus, (e) => e.type === "bot.fill", 120_000, "a fill during the outage");
    await candlesTraded(s.tw.bus, "ema_fast_01", 50);
    assert.equal(s.tw.commands.status().running, 2);
    // Once the platforms answer again, messages arrive again (later fills).
    const back = await nextMatching(() => w.tg.nextSent(), (m) => /BUY|SELL/.test(m.text ?? ""));
    assert.equal(back.chatId, TG_CHAT);
    await nextMatching(() => w.dc.nextMessage(), (m) => /BUY|SELL/.test(String(m.message.content)));
    assert.ok(
      w.lines.some((l) => /dropped/.test(l.msg) && l.fields.platform === "telegram"),
      "failed messages are dropped with a log line",
    );
    assert.ok(w.tg.requests.some((r) => r.status === 502), "the outage really happened");
    assertNoTokens(w);
  } finally {
    await s.close();
    await w.close();
  }
});

Deno.test("chat: POST /api/notifications/test reaches every configured chat", async () => {
  await using dir = await tempDir();
  const w = await world();
  const s = await service(w, `${dir.path}/t.duckdb`);
  try {
    const res = await s.post("/api/notifications/test");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.sent, 2);
    assert.deepEqual(body.chats.map((c: Json) => c.platform).sort(), ["discord", "telegram"]);
    await nextMatching(() => w.tg.nextSent(), (m) => /test message/.test(m.text ?? ""));
    await nextMatching(
      () => w.dc.nextMessage(),
      (m) => /test message/.test(String(m.message.content)),
    );
    const audit = (await s.tw.commands.audit(5)).audit;
    assert.ok(audit.some((a) => a.action === "notifications_test" && a.outcome === "ok"));
    assert.equal(
      (await s.tw.app.request("/api/notifications/test", { method: "POST" })).status,
      401,
    );
  } finally {
    await s.close();
    await w.close();
  }
});

Deno.test("chat: without tokens the service runs as before and the test route says chat is off", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/n.duckdb`);
  const lines: Line[] = [];
  const tw = await assemble({
    db,
    entries: [await entry("solo")],
    auth: requireBearer(API_TOKEN),
    version: "test",
    replay: { speed: 3000, startTs: REPLAY_START },
    chat: {
      config: { warnings: [] },
      log: (level, msg, fields = {}) => void lines.push({ level, msg, fields }),
    },
  });
  try {
    assert.equal(tw.chat, undefined);
    assert.deepEqual(lines, [], "nothing to say: the start-up line says chat is off");
    const res = await tw.app.request("/api/notifications/test", {
      method: "POST",
      headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(res.status, 409);
    assert.match((await res.json()).error, /TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN/);
  } finally {
    await tw.close();
    await db.close();
  }
});

Deno.test("chat: after a restart an old button still confirms, and the other chat's message is edited", async () => {
  await using dir = await tempDir();
  const w = await world();
  const path = `${dir.path}/r.duckdb`;
  for (let attempt = 0;; attempt++) {
    // Slow enough that the entry usually still waits after the restart.
    const first = await service(w, path, { confirm: true, speed: 120 });
    const tgMsg = await nextMatching(() => w.tg.nextSent(), tgPending);
    const key = keyOf(tgMsg.text!)!;
    const dcMsg = await nextMatching(
      () => w.dc.nextMessage(),
      (m) => m.kind === "create" && String(m.message.content).includes(`Id: ${key}`),
    );
    await first.tw.chat!.board.idle();
    await first.close();

    const second = await service(w, path, { speed: 120 });
    try {
      w.tg.userPresses(TG_CHAT, ANA, tgMsg.messageId, `pc:${key}`);
      const answer = await nextMatching(() => w.tg.nextCallbackAnswer(), () => true);
      if (/Too late/.test(answer.text ?? "") && attempt < 5) continue;
      assert.equal(answer.text, "Confirmed: the order is sent.");
      const edited = await nextMatching(
        () => w.dc.nextMessage(),
        (m) => m.kind === "edit" && m.message.id === dcMsg.message.id,
      );
      assert.match(String(edited.message.content), /✅ Confirmed by/);
      break;
    } finally {
      await second.close();
    }
  }
  await w.close();
});

Deno.test("chat: an entry nobody answers expires, and its messages say so in both chats", async () => {
  await using dir = await tempDir();
  const w = await world();
  const s = await service(w, `${dir.path}/x.duckdb`, { confirm: true, ttlMs: 300 });
  try {
    for (;;) {
      const tgMsg = await nextMatching(() => w.tg.nextSent(), tgPending);
      // Edits may come in any order (a replaced entry's and the next one's expiry): by message.
      const edit = await tgEditOf(w, tgMsg.messageId);
      // A newer signal may replace it before its time is up: that edit says so; try the next.
      if (/Replaced by a newer signal/.test(edit.text ?? "")) continue;
      assert.match(edit.text!, /⌛ Expired at .*: nothing was sent/);
      assert.equal(edit.replyMarkup, undefined, "no buttons left");
      break;
    }
    await nextMatching(
      () => w.dc.nextMessage(),
      (m) => m.kind === "edit" && /⌛ Expired/.test(String(m.message.content)),
    );
  } finally {
    await s.close();
    await w.close();
  }
});

Deno.test("chat: /chart answers with a picture in Telegram; /backtest with metrics and the equity curve in Discord", async () => {
  await using dir = await tempDir();
  const w = await world();
  const s = await service(w, `${dir.path}/g.duckdb`);
  try {
    await candlesTraded(s.tw.bus, "ema_fast_01", 200);
    w.tg.userSends(TG_CHAT, ANA, "/chart ema_f");
    const chart = await nextMatching(() => w.tg.nextSent(), (m) => m.method === "sendPhoto");
    assert.match(chart.text!, /ema_fast_01 · BTC\/USDT 1m · running/);
    assert.deepEqual([...chart.photo!.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
    assert.ok(chart.photo!.length > 10_000, "a real picture, not a placeholder");

    w.dc.interaction({
      kind: "command",
      name: "backtest",
      options: { strategy: "sma_cross", symbol: "BTC/USDT", timeframe: "1m", days: 1 },
      user: TRADER,
    });
    const answer = await nextMatching(
      () => w.dc.nextCallback(),
      (c) => /Backtest sma_cross/.test(String(c.data.content ?? "")),
    );
    assert.match(String(answer.data.content), /Return [+-][\d.,]+% · max drawdown/);
    assert.match(String(answer.data.content), /Trades \d+ · win rate/);
    const files = w.dc.state.requests.flatMap((r) => r.files ?? []);
    assert.ok(files.some((f) => /^equity-.*\.png$/.test(f.name)), "the equity curve is attached");
  } finally {
    await s.close();
    await w.close();
  }
});
