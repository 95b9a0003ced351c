// The chat core through a real service (replay feed, DuckDB file): commands, allow-lists with
// their audit, bot id completion, confirmations from buttons and the kill switch's second step.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { Access } from "../../src/bots/access.ts";
import type { ChatUser, SentRef } from "../../src/bots/chat.ts";
import { ChatCore } from "../../src/bots/chat_core.ts";
import { pendingKey } from "../../src/bots/pending_view.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { candlesTraded, entry, untilEvent, waitFor } from "../service/service_support.ts";

const ANA: ChatUser = { platform: "telegram", id: "111", name: "@ana" };
const READER: ChatUser = { platform: "telegram", id: "222", name: "@rita" };
const STRANGER: ChatUser = { platform: "telegram", id: "999", name: "@mallory" };
const DISCORD_MOD: ChatUser = { platform: "discord", id: "5", name: "mod", roles: ["77"] };
const HERE = { platform: "telegram" as const, chatId: "-100" };
const REF: SentRef = { platform: "telegram", chatId: "-100", messageId: "1" };

async function start(
  path: string,
  o: { ttlMs?: number; expiryCheckMs?: number; speed?: number } = {},
) {
  const db = await Db.open(path);
  const tw = await assemble({
    db,
    entries: [
      await entry("ema_fast_01", { params: { fast_period: 2, slow_period: 5, direction: "both" } }),
      await entry("ema_slow_02", {
        symbol: "ETH/USDT",
        params: { fast_period: 3, slow_period: 8, direction: "both" },
        confirmationTtlMs: o.ttlMs ?? 300_000,
      }),
    ],
    auth: requireBearer("test-token-0123456789abcdef"),
    version: "test",
    replay: { speed: o.speed ?? 3000, startTs: REPLAY_START },
    expiryCheckMs: o.expiryCheckMs ?? 50,
  });
  const chat = new ChatCore({
    commands: tw.commands,
    access: new Access({
      telegram: { users: ["111"], readOnlyUsers: ["222"] },
      discord: { users: [], roles: ["77"] },
    }),
  });
  return {
    tw,
    chat,
    run: (user: ChatUser, text: string) => {
      const [name, ...args] = text.split(/\s+/);
      return chat.run(user, name, args, HERE);
    },
    async close() {
      await tw.close();
      await db.close();
    },
  };
}

Deno.test("chat core: reads, id completion, unknown names with the closest ones, help", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/c.duckdb`);
  try {
    await candlesTraded(s.tw.bus, "ema_fast_01", 5);
    const status = await s.run(ANA, "status");
    assert.match(status.text, /Tidewatch \(paper\): 2 bots, 2 running/);
    const bots = await s.run(ANA, "bots");
    assert.match(bots.text, /ema_fast_01/);
    assert.match(bots.text, /ema_slow_02/);
    // A prefix names one bot; the answer has its state, equity, position and why.
    const one = await s.run(ANA, "bot ema_f");
    assert.match(one.text, /ema_fast_01 · running/);
    assert.match(one.text, /Equity/);
    assert.match(one.text, /Position: /);
    assert.match(one.text, /Why: /);
    assert.deepEqual(one.buttons?.[0].map((b) => b.data), [
      "b:pause:ema_fast_01",
      "b:stop:ema_fast_01",
    ]);
    assert.match(
      (await s.run(ANA, "bot ema")).text,
      /starts several bots: ema_fast_01, ema_slow_02/,
    );
    assert.match(
      (await s.run(ANA, "bot ema_fats_01")).text,
      /No bot "ema_fats_01". Closest: ema_fast_01/,
    );
    assert.match((await s.run(ANA, "bot")).text, /Name a bot/);
    assert.match(
      (await s.run(ANA, "stauts")).text,
      /Unknown command \/stauts. Did you mean \/status\?/,
    );
    const help = await s.run(ANA, "help");
    for (
      const c of ["/status", "/bot <bot>", "/pnl [bot] [period]", "/kill", "/backtest <strategy>"]
    ) {
      assert.ok(help.text.includes(c), `help lists ${c}`);
    }
    assert.match((await s.run(ANA, "pnl")).text, /Last day:[\s\S]*Since start:/);
    assert.match((await s.run(ANA, "pnl week")).text, /Last week:/);
    assert.match((await s.run(ANA, "pnl ema_s month")).text, /ema_slow_02: /);
    assert.match((await s.run(ANA, "pnl ema_s year")).text, /Period "year" is not one of/);
    assert.match((await s.run(ANA, "trades 0")).text, /from 1 to 50/);
    const trades = (await s.run(ANA, "trades ema_f 3")).text;
    assert.match(trades, /^(No closed trades yet\.|ema_fast_01 (long|short) )/);
    assert.ok(trades.split("\n").length <= 3, "at most the 3 asked for");
    assert.match(
      (await s.run(ANA, "positions")).text,
      /^(No open positions\.|ema_\w+: \w+\/USDT (long|short) )/,
    );
    assert.match((await s.run(ANA, "daily")).text, /Daily summary[\s\S]*Bots: running 2/);
  } finally {
    await s.close();
  }
});

Deno.test("chat core: strangers get nothing and are audited; read-only users look, not act", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/a.duckdb`);
  try {
    await candlesTraded(s.tw.bus, "ema_fast_01", 3);
    for (const text of ["status", "bots", "pause ema_fast_01", "kill", "nonsense"]) {
      const r = await s.run(STRANGER, text);
      assert.match(r.text, /not allowed to use this bot. Your telegram user id is 999/);
      assert.doesNotMatch(r.text, /ema_|running|equity/i, "no data for a stranger");
      assert.equal(r.buttons, undefined);
    }
    const press = await s.chat.press(STRANGER, "b:stop:ema_fast_01", REF);
    assert.match(press.notice, /not allowed/);
    assert.equal(press.edit, undefined);
    assert.equal(s.tw.commands.bots().bots[0].state, "running");
    // Read-only: reads answered, writes refused and audited.
    assert.match((await s.run(READER, "status")).text, /2 running/);
    assert.match((await s.run(READER, "pause ema_fast_01")).text, /read-only access/);
    assert.equal(s.tw.commands.bots().bots[0].paused, false);
    // A Discord user allowed by role.
    const paused = await s.chat.run(DISCORD_MOD, "pause", ["ema_fast_01"], {
      platform: "discord",
      chatId: "9",
    });
    assert.match(paused.text, /ema_fast_01 is now paused\./);
    const { audit } = await s.tw.commands.audit(50);
    const denied = audit.filter((a) => String(a.outcome).startsWith("denied"));
    assert.equal(denied.filter((a) => a.actor === "@mallory (999)").length, 6);
    assert.ok(denied.some((a) => a.action === "chat:pause" && a.actor === "@rita (222)"));
    assert.ok(denied.every((a) => a.surface === "telegram"));
    assert.ok(
      audit.some((a) => a.action === "pause" && a.surface === "discord" && a.actor === "mod (5)"),
    );
  } finally {
    await s.close();
  }
});

Deno.test("chat core: pause and resume by button; /kill needs its second step", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/k.duckdb`);
  try {
    await candlesTraded(s.tw.bus, "ema_fast_01", 3);
    const paused = await s.chat.press(ANA, "b:pause:ema_fast_01", REF);
    assert.match(paused.notice, /pause done/);
    assert.deepEqual(paused.edit?.buttons?.[0].map((b) => b.label), ["Resume", "Stop"]);
    await s.chat.press(ANA, "b:resume:ema_fast_01", REF);
    assert.equal(s.tw.commands.bots().bots[0].paused, false);

    const ask = await s.run(ANA, "kill");
    assert.match(ask.text, /Kill switch: stop all 2 bots/);
    assert.equal(s.tw.commands.status().running, 2, "asking stops nothing");
    const [stopAll, , cancel] = ask.buttons![0];
    assert.match((await s.chat.press(ANA, cancel.data, REF)).edit!.text, /cancelled/);
    // The answered question cannot be used again.
    assert.match((await s.chat.press(ANA, stopAll.data, REF)).notice, /expired; send \/kill again/);
    assert.equal(s.tw.commands.status().running, 2);
    const again = await s.run(ANA, "kill");
    const done = await s.chat.press(ANA, again.buttons![0][0].data, REF);
    assert.match(done.edit!.text, /Kill switch by @ana \(111\) on telegram: 2 bots stopped/);
    assert.equal(s.tw.commands.status().running, 0);
    const { audit } = await s.tw.commands.audit(10);
    assert.ok(audit.some((a) => a.action === "kill" && a.actor === "@ana (111)"));
  } finally {
    await s.close();
  }
});

Deno.test("chat core: a pending entry is confirmed once from a button; later presses are too late", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/p.duckdb`);
  try {
    await s.tw.commands.changeSettings({ require_confirmation: true }, {
      surface: "test",
      actor: "setup",
    });
    for (let attempt = 0;; attempt++) {
      const held = await waitFor(s.tw.bus, (e) => e.type === "bot.pending", 60_000, "an entry");
      const id = String((held.data as { id: string }).id);
      const list = await s.run(ANA, "pending");
      const key = pendingKey(id);
      const r = await s.chat.press(ANA, `pc:${key}`, REF);
      if (/Too late/.test(r.notice) && attempt < 10) continue; // replaced by a newer signal
      assert.match(list.text, /wants to (BUY|SELL)/);
      assert.match(r.notice, /Confirmed: the order is sent/);
      assert.match(r.edit!.text, /✅ Confirmed by @ana \(111\) on telegram/);
      assert.equal(r.edit!.buttons, undefined);
      const second = await s.chat.press(DISCORD_MOD, `pc:${key}`, REF);
      assert.match(second.notice, /Too late: ✅ Confirmed by @ana \(111\) on telegram/);
      const byCommand = await s.run(ANA, `reject ${key}`);
      assert.match(byCommand.text, /Too late/);
      const rows = (await s.tw.commands.pending("confirmed")).pending;
      assert.equal(rows.filter((p) => p.id === id).length, 1);
      break;
    }
    assert.match((await s.run(ANA, "confirm zzzzzz")).text, /No pending entry "zzzzzz"/);
    assert.match((await s.chat.press(ANA, "pc:000000000000", REF)).notice, /no longer stored/);
  } finally {
    await s.close();
  }
});

Deno.test("chat core: a confirm after the entry's time is up sends nothing, even before the sweep", async () => {
  await using dir = await tempDir();
  // The sweep runs once an hour here: only the decision itself can notice the expiry.
  const s = await start(`${dir.path}/e.duckdb`, {
    ttlMs: 200,
    expiryCheckMs: 3_600_000,
    speed: 600,
  });
  try {
    await s.tw.commands.changeSettings({ require_confirmation: true }, {
      surface: "test",
      actor: "setup",
    });
    for (let attempt = 0;; attempt++) {
      const held = await waitFor(
        s.tw.bus,
        (e) => e.type === "bot.pending" && e.botId === "ema_slow_02",
        60_000,
        "an entry of ema_slow_02",
      );
      const row = held.data as { id: string; expires_at: number };
      await untilEvent(s.tw.bus, () => Date.now() > row.expires_at, 60_000, "the entry's expiry");
      const r = await s.chat.press(ANA, `pc:${pendingKey(row.id)}`, REF);
      // A newer signal may replace it first (candles keep coming): then try the next entry.
      if (/Replaced by a newer signal/.test(r.notice) && attempt < 10) continue;
      assert.match(r.notice, /Too late: ⌛ Expired/);
      assert.match(r.edit!.text, /⌛ Expired/);
      const orders = (await s.tw.commands.records("ema_slow_02", "orders", {
        limit: 1000,
        offset: 0,
      })).orders as { client_id: string }[];
      assert.ok(
        !orders.some((o) => row.id.endsWith(o.client_id)),
        "the expired entry was never sent",
      );
      break;
    }
  } finally {
    await s.close();
  }
});
