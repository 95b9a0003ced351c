// Chat notifications from bus events: one test per kind, the off-switches, summaries and the daily
// message on hand-moved timers, and fills from a real replaying service reaching a chat.

import assert from "node:assert/strict";
import type { ChatMessage } from "../../src/bots/chat.ts";
import {
  NOTIFICATION_KINDS,
  type NotificationKind,
  Notifier,
  type NotifierOptions,
  parseNotificationKinds,
} from "../../src/bots/notifier.ts";
import { Outbox } from "../../src/bots/outbox.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { EventBus } from "../../src/service/event_bus.ts";
import { startService } from "../../src/service/service.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { entry, waitFor } from "../service/service_support.ts";
import { FakeTimers, recordingLog, TestChannel, within } from "./notify_support.ts";

const NOON = Date.UTC(2026, 0, 5, 12, 0, 0);

function setup(o: Partial<NotifierOptions> = {}, start = NOON) {
  const timers = new FakeTimers(start);
  const bus = new EventBus(() => timers.now);
  const chat = new TestChannel("telegram", ["42"]);
  const rec = recordingLog();
  const outbox = new Outbox([chat], { timers, now: () => timers.now, log: rec.log });
  let dailies = 0;
  const notifier = new Notifier({
    subscribe: (fn) => bus.subscribe(fn),
    outbox,
    daily: () => Promise.resolve({ text: `daily summary ${++dailies}` }),
    wallNow: () => timers.now,
    timers,
    log: rec.log,
    ...o,
  });
  notifier.start();
  let seen = 0;
  const take = () => {
    const out = chat.sent.all.slice(seen).map((s) => s.m.text);
    seen = chat.sent.all.length;
    return out;
  };
  /** Texts sent since the last call, once the outbox is idle. */
  const said = async (): Promise<string[]> => {
    await Promise.resolve(); // exit fills wait for the end of their batch of events
    await within(outbox.idle(), "outbox idle");
    return take();
  };
  /** The next `n` texts, waiting for them (messages that await something first). */
  const saidNext = async (n: number, what: string): Promise<string[]> => {
    await chat.sent.until(seen + n, what);
    await within(outbox.idle(), "outbox idle");
    return take();
  };
  return { timers, bus, chat, outbox, notifier, said, saidNext, lines: rec.lines };
}

function fill(bus: EventBus, botId: string, over: Record<string, unknown> = {}) {
  bus.publish({
    type: "bot.fill",
    botId,
    correlationId: `${botId}:1:0`,
    data: {
      seq: 0,
      client_id: `${botId}-BTC/USDT-1-open`,
      ts: 1_767_614_460_000,
      symbol: "BTC/USDT",
      side: "buy",
      qty: 0.0123,
      price: 43210.5,
      fee: 0.53,
      liquidity: "taker",
      exit_reason: null,
      ...over,
    },
  });
}

function decision(
  bus: EventBus,
  botId: string,
  outcome: string,
  code: string,
  side = "long",
  reason = "r",
) {
  bus.publish({
    type: "bot.decision",
    botId,
    data: { ts: 1, side, outcome, code, reason, orders: [] },
  });
}

Deno.test("fill: an entry is told at once, an exit with its trade's P&L, one message a fill", async () => {
  const { bus, said, notifier, outbox } = setup();
  fill(bus, "ema_01");
  assert.deepEqual(await said(), ["ema_01 BUY 0.0123 BTC/USDT @ 43,210.5 (entry)"]);
  // A flip: the exit fill, the entry fill, their positions, then the trade (one batch, as a bot
  // announces them; the trade's correlation id differs from the fills').
  const exitTs = 1_767_614_640_000;
  fill(bus, "ema_01", { side: "sell", price: 43500, exit_reason: "tp", ts: exitTs });
  bus.publish({ type: "bot.position", botId: "ema_01", data: {} });
  fill(bus, "ema_01", { side: "sell", qty: 0.012, price: 43500, ts: exitTs });
  bus.publish({
    type: "bot.trade",
    botId: "ema_01",
    correlationId: `ema_01:${exitTs}:ema_01:${exitTs}`,
    data: {
      symbol: "BTC/USDT",
      side: "long",
      entry_ts: 1,
      exit_ts: exitTs,
      qty: 0.0123,
      entry_price: 43210.5,
      exit_price: 43500,
      pnl: 2.5,
    },
  });
  assert.deepEqual(await said(), [
    "ema_01 SELL 0.012 BTC/USDT @ 43,500 (entry)",
    "ema_01 SELL 0.0123 BTC/USDT @ 43,500 (exit: tp), P&L +2.50 USDT (+0.47%)",
  ]);
  // An exit fill whose trade never comes (a partial close) is still told, once.
  fill(bus, "ema_01", { side: "sell", price: 1.23456, exit_reason: "sl", symbol: "XRP/USDT:USDT" });
  assert.deepEqual(await said(), ["ema_01 SELL 0.0123 XRP/USDT:USDT @ 1.2346 (exit: sl)"]);
  notifier.stop();
  await outbox.close();
});

Deno.test("risk: a suspension is told once, again only after the rule let an entry through", async () => {
  const { bus, said, notifier, outbox } = setup();
  const reason = "new entries are suspended since 2026-01-05T12:00:00.000Z: drawdown 21%";
  decision(bus, "ema_01", "refused", "drawdown_suspended", "long", reason);
  decision(bus, "ema_01", "refused", "drawdown_suspended", "short", reason);
  decision(bus, "ema_01", "refused", "no_position", "exit"); // an exit passes no entry rule
  decision(bus, "ema_01", "refused", "kill_switch"); // before the rule: does not lift it
  decision(bus, "ema_01", "refused", "drawdown_suspended", "long", reason);
  assert.deepEqual(await said(), [
    `ema_01: entries suspended, max drawdown reached: ${reason}`,
  ]);
  decision(bus, "ema_01", "refused", "cooldown"); // after the rule: it let this entry through
  // A refused flip still closes: the rule is named in the reason.
  decision(
    bus,
    "ema_01",
    "order",
    "close",
    "short",
    "x; the short side of the flip was refused (drawdown_suspended): only the long is closed",
  );
  decision(bus, "bb_02", "refused", "daily_loss_limit", "long", "daily loss 5%");
  decision(bus, "bb_02", "refused", "daily_loss_limit", "long", "daily loss 5%");
  assert.deepEqual(await said(), [
    "ema_01: entries suspended, max drawdown reached: x; the short side of the flip was " +
    "refused (drawdown_suspended): only the long is closed",
    "bb_02: entries suspended, daily loss limit reached: daily loss 5%",
  ]);
  decision(bus, "bb_02", "order", "open");
  decision(bus, "bb_02", "refused", "daily_loss_limit", "long", "daily loss 6%");
  assert.deepEqual(await said(), [
    "bb_02: entries suspended, daily loss limit reached: daily loss 6%",
  ]);
  notifier.stop();
  await outbox.close();
});

Deno.test("refusals: summarised per bot every period, never one a candle", async () => {
  const { bus, said, timers, notifier, outbox } = setup({ refusalSummaryMs: 3_600_000 });
  for (let i = 0; i < 9; i++) decision(bus, "ema_01", "refused", "cooldown");
  for (let i = 0; i < 5; i++) decision(bus, "ema_01", "refused", "max_open_positions", "short");
  decision(bus, "ema_01", "refused", "already_in_position"); // a repeated signal: not a limit
  decision(bus, "ema_01", "refused", "no_position", "exit");
  decision(bus, "ema_01", "refused", "drawdown_suspended"); // told on its own (risk)
  decision(bus, "bb_02", "refused", "min_confidence");
  assert.deepEqual((await said()).length, 1); // the suspension only
  timers.advance(3_600_000);
  assert.deepEqual(await said(), [
    "ema_01: 14 entries refused in the last hour: cooldown ×9, max_open_positions ×5",
    "bb_02: 1 entry refused in the last hour: min_confidence ×1",
  ]);
  timers.advance(3_600_000); // nothing refused since: nothing said
  assert.deepEqual(await said(), []);
  notifier.stop();
  await outbox.close();
});

Deno.test("kill, incident and relaunch, backtest: one short message each", async () => {
  const runs = new Map([["run-1", { total_return: 0.0421, trades: 37, max_drawdown: 0.061 }]]);
  const { bus, said, saidNext, notifier, outbox } = setup({
    backtestMetrics: (id) => Promise.resolve(runs.get(id)),
  });
  bus.publish({
    type: "audit",
    data: {
      action: "kill",
      surface: "telegram",
      actor: "@ana",
      outcome: "ok",
      details: { flatten: true, stopped: ["ema_01", "bb_02"] },
    },
  });
  bus.publish({ type: "audit", botId: "ema_01", data: { action: "stop", outcome: "ok" } });
  assert.deepEqual(await said(), [
    "Kill switch by @ana (telegram): stopped ema_01, bb_02; positions flattened",
  ]);

  const failed = (attempt: number) =>
    bus.publish({
      type: "incident",
      botId: "ema_01",
      data: { kind: "bot_failed", message: "boom", attempt, restart_in_ms: 1000 * 2 ** attempt },
    });
  bus.publish({ type: "bot.status", botId: "ema_01", data: { state: "running" } }); // no failure
  failed(1);
  bus.publish({ type: "bot.status", botId: "ema_01", data: { state: "failed" } });
  failed(2);
  failed(3); // told on 1, 2, 4, 8...: a bot failing for hours does not flood the chat
  failed(4);
  bus.publish({ type: "bot.status", botId: "ema_01", data: { state: "running" } });
  bus.publish({ type: "bot.status", botId: "ema_01", data: { state: "running" } });
  assert.deepEqual(await said(), [
    "ema_01 failed: boom; restarting in 2 s",
    "ema_01 failed again (failure 2): boom; restarting in 4 s",
    "ema_01 failed again (failure 4): boom; restarting in 16 s",
    "ema_01 relaunched: running again after the failure",
  ]);

  const job = (over: Record<string, unknown>) => ({
    job_id: "job-3",
    progress: 1,
    request: { strategy: "sma_cross", symbol: "BTC/USDT", timeframe: "1m" },
    started_at: 0,
    ...over,
  });
  bus.publish({ type: "backtest.done", data: job({ state: "done", run_id: "run-1" }) });
  assert.deepEqual(await saidNext(1, "backtest done"), [
    "Backtest job-3 (sma_cross BTC/USDT 1m) done: return +4.21%, 37 trades, max DD 6.1%",
  ]);
  bus.publish({ type: "backtest.done", data: job({ state: "failed", error: "No candles." }) });
  bus.publish({ type: "backtest.done", data: job({ state: "cancelled" }) });
  assert.deepEqual(await said(), ["Backtest job-3 (sma_cross BTC/USDT 1m) failed: No candles."]);
  notifier.stop();
  await outbox.close();
});

Deno.test("exchange: told only when down past the threshold, and back only then", async () => {
  const { said, timers, notifier, outbox } = setup({ unreachableAfterMs: 60_000 });
  notifier.exchangeChanged("okx", false);
  timers.advance(59_000);
  notifier.exchangeChanged("okx", true);
  timers.advance(10 * 60_000);
  assert.deepEqual(await said(), []);

  notifier.exchangeChanged("okx", false);
  notifier.exchangeChanged("okx", false); // the feed tells once, but twice changes nothing
  timers.advance(60_000);
  assert.deepEqual(await said(), [
    "okx unreachable for over 1 min: its bots wait for data (the feed keeps retrying)",
  ]);
  timers.advance(125_000);
  notifier.exchangeChanged("okx", true);
  notifier.exchangeChanged("okx", true);
  assert.deepEqual(await said(), ["okx reachable again (down 3 min 5 s)"]);
  notifier.stop();
  await outbox.close();
});

Deno.test("daily: the summary at 00:00 UTC, each day, the delay recomputed", async () => {
  const { said, saidNext, timers, notifier, outbox } = setup({}, Date.UTC(2026, 0, 5, 23, 59));
  assert.ok(timers.pending().includes(60_000)); // 23:59 → midnight
  timers.advance(59_999);
  assert.deepEqual(await said(), []);
  timers.advance(1);
  assert.ok(timers.pending().includes(86_400_000)); // next midnight, from the wall clock
  assert.deepEqual(await saidNext(1, "daily"), ["daily summary 1"]);
  timers.advance(86_400_000);
  assert.deepEqual(await saidNext(1, "daily 2"), ["daily summary 2"]);
  notifier.stop();
  assert.deepEqual(timers.pending().filter((ms) => ms >= 3_600_000), []);
  await outbox.close();
});

Deno.test("off: a kind switched off sends nothing", async () => {
  const { bus, said, timers, notifier, outbox } = setup({
    off: new Set<NotificationKind>(NOTIFICATION_KINDS),
  });
  fill(bus, "ema_01");
  decision(bus, "ema_01", "refused", "drawdown_suspended");
  decision(bus, "ema_01", "refused", "cooldown");
  bus.publish({
    type: "audit",
    data: { action: "kill", outcome: "ok", details: { stopped: [] } },
  });
  bus.publish({ type: "incident", botId: "ema_01", data: { kind: "bot_failed", attempt: 1 } });
  bus.publish({ type: "bot.status", botId: "ema_01", data: { state: "running" } });
  bus.publish({
    type: "backtest.done",
    data: { job_id: "j", state: "failed", request: { strategy: "s" } },
  });
  notifier.exchangeChanged("okx", false);
  timers.advance(2 * 86_400_000);
  notifier.exchangeChanged("okx", true);
  assert.deepEqual(await said(), []);
  notifier.stop();

  // One kind off, the others on.
  const two = setup({ off: parseNotificationKinds("refusals") });
  fill(two.bus, "ema_01");
  assert.deepEqual(await two.said(), ["ema_01 BUY 0.0123 BTC/USDT @ 43,210.5 (entry)"]);
  decision(two.bus, "ema_01", "refused", "cooldown");
  two.timers.advance(3_600_000);
  assert.deepEqual(await two.said(), []);
  two.notifier.stop();
  await two.outbox.close();
  await outbox.close();
});

Deno.test("parseNotificationKinds: a list from the environment; unknown names say the closest", () => {
  assert.deepEqual([...parseNotificationKinds("refusals,daily")], ["refusals", "daily"]);
  assert.deepEqual([...parseNotificationKinds(" Fill  risk, ")], ["fill", "risk"]);
  assert.deepEqual([...parseNotificationKinds("")], []);
  assert.throws(
    () => parseNotificationKinds("refusal,daily"),
    (e: unknown) =>
      e instanceof ConfigError && /TIDEWATCH_NOTIFY_OFF/.test(e.message) &&
      /"refusal"/.test(e.message) && /Did you mean "refusals"\?/.test(e.message),
  );
  assert.throws(() => parseNotificationKinds("zzzzzzzz"), /Valid kinds: fill, risk, kill/);
});

Deno.test("a replaying service: its fills reach the chat, each exactly once", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/n.duckdb`);
  const service = await startService({
    db,
    entries: [
      await entry("alpha", { params: { fast_period: 2, slow_period: 5, direction: "both" } }),
    ],
    replay: { speed: 3000, startTs: REPLAY_START },
    wallNow: Date.now,
  });
  const chat = new TestChannel("discord", ["c1"]);
  const outbox = new Outbox([chat]);
  const notifier = new Notifier({
    subscribe: (fn) => service.bus.subscribe(fn),
    outbox,
    daily: (): Promise<ChatMessage> => Promise.resolve({ text: "daily" }),
    wallNow: Date.now,
    off: new Set(["daily", "refusals"]),
  });
  let fills = 0;
  const stopCounting = service.bus.subscribe((e) => void (e.type === "bot.fill" && fills++));
  notifier.start();
  try {
    let trades = 0;
    await waitFor(service.bus, (e) => e.type === "bot.trade" && ++trades >= 2, 120_000, "trades");
    const first = await chat.sent.next("a fill message");
    assert.match(first.m.text, /^alpha (BUY|SELL) [\d.]+ BTC\/USDT @ [\d,.]+ \(entry\)$/);
    const exit = await within(
      (async () => {
        for (;;) {
          const s = await chat.sent.next("an exit message");
          if (s.m.text.includes("(exit:")) return s.m.text;
        }
      })(),
      "an exit message",
    );
    assert.match(exit, /^alpha (BUY|SELL) [\d.]+ BTC\/USDT @ [\d,.]+ \(exit: signal\), P&L [+-]/);
  } finally {
    notifier.stop();
    stopCounting();
    await service.close();
    await db.close();
  }
  await Promise.resolve();
  await within(outbox.idle(), "outbox idle");
  assert.equal(chat.sent.all.length, fills);
  assert.ok(chat.sent.all.every((s) => /^alpha (BUY|SELL) /.test(s.m.text)));
  await outbox.close();
});

Deno.test("a chat that hangs leaves trading untouched: the queue stays bounded", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/h.duckdb`);
  const service = await startService({
    db,
    entries: [
      await entry("alpha", { params: { fast_period: 2, slow_period: 5, direction: "both" } }),
    ],
    replay: { speed: 3000, startTs: REPLAY_START },
    wallNow: Date.now,
  });
  const chat = new TestChannel("telegram", ["t1"]);
  chat.hang = true;
  const rec = recordingLog();
  const outbox = new Outbox([chat], { maxQueue: 2, log: rec.log });
  const notifier = new Notifier({
    subscribe: (fn) => service.bus.subscribe(fn),
    outbox,
    daily: (): Promise<ChatMessage> => Promise.resolve({ text: "daily" }),
    wallNow: Date.now,
  });
  notifier.start();
  try {
    let trades = 0;
    await waitFor(service.bus, (e) => e.type === "bot.trade" && ++trades >= 3, 120_000, "trades");
    await Promise.resolve();
    assert.equal(chat.calls.all.length, 1); // the first message hangs; nothing else was tried
    assert.ok(outbox.pending().telegram <= 3);
    assert.ok(rec.lines.some((l) => /^queue full/.test(String(l.fields.reason))));
  } finally {
    notifier.stop();
    await service.close();
    await db.close();
    await outbox.close();
  }
});

Deno.test("notifier: TradingView alerts taken and refused (with the rule), switched off by 'alert'", async () => {
  const { bus, said, notifier, timers } = setup();
  bus.publish({
    type: "alert.state",
    botId: "tv_01",
    data: { seq: 4, bot_id: "tv_01", state: "accepted" },
  });
  bus.publish({
    type: "alert.state",
    botId: "tv_01",
    data: {
      seq: 5,
      bot_id: "tv_01",
      state: "refused",
      rule: "no_position",
      reason: "no position to exit",
    },
  });
  bus.publish({
    type: "alert.state",
    botId: "tv_01",
    data: { seq: 4, bot_id: "tv_01", state: "sent" },
  });
  assert.deepEqual(await said(), [], "told together, a few seconds later");
  timers.advance(3000);
  assert.deepEqual(await said(), [
    "tv_01: TradingView alert #4 taken; acts at the next candle",
    "tv_01: TradingView alert #5 refused (no_position): no position to exit",
  ]);
  notifier.stop();
  // Many at once: one line for the alerts taken.
  const many = setup();
  for (let seq = 10; seq < 40; seq++) {
    many.bus.publish({
      type: "alert.state",
      botId: "tv_02",
      data: { seq, bot_id: "tv_02", state: "accepted" },
    });
  }
  many.timers.advance(3000);
  assert.deepEqual(await many.said(), [
    "tv_02: 30 TradingView alerts taken (#10, #11, #12, #13, #14, #15, #16, #17, #18, #19 and " +
    "20 more); they act at the next candle",
  ]);
  many.notifier.stop();
  const off = setup({ off: parseNotificationKinds("alert") });
  off.bus.publish({
    type: "alert.state",
    botId: "tv_01",
    data: { seq: 6, bot_id: "tv_01", state: "accepted" },
  });
  off.timers.advance(3000);
  assert.deepEqual(await off.said(), []);
  off.notifier.stop();
});
