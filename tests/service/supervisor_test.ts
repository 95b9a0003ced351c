// The supervisor on a replay feed: bots run side by side, stop/pause alone, survive a restart.

import assert from "node:assert/strict";
import { ReplayFeed } from "../../src/feed/replay_feed.ts";
import { EventBus } from "../../src/service/event_bus.ts";
import { Supervisor } from "../../src/service/supervisor.ts";
import { BotStore } from "../../src/store/bot_store.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { candlesTraded, entry, waitFor } from "./service_support.ts";

const T0 = Date.UTC(2026, 0, 5, 12);
const api = { surface: "api", actor: "test" };

async function service(path: string, startTs = T0) {
  const db = await Db.open(path);
  const candles = new CandleStore(db);
  const store = new BotStore(db);
  const feed = new ReplayFeed({ store: candles, startTs, speed: 3000 });
  const bus = new EventBus();
  const sup = new Supervisor({ store, candles, feed, bus, clock: feed.clock, expiryCheckMs: 50 });
  return {
    db,
    store,
    bus,
    sup,
    async close() {
      await sup.close();
      await feed.close();
      await db.close();
    },
  };
}

Deno.test("two bots trade side by side; stopping one leaves the other running", async () => {
  await using dir = await tempDir();
  const s = await service(`${dir.path}/t.duckdb`);
  try {
    await s.sup.start([
      await entry("a"),
      await entry("b", {
        symbol: "ETH/USDT",
        strategy: "ema_cross",
        params: { fast_period: 3, slow_period: 9 },
      }),
    ]);
    await Promise.all([candlesTraded(s.bus, "a", 5), candlesTraded(s.bus, "b", 5)]);
    const stopped = await s.sup.control("a", "stop", api);
    assert.equal(stopped.state, "stopped");
    await candlesTraded(s.bus, "b", 5);
    assert.equal(s.sup.get("b").status().state, "running");
    const audit = await s.store.auditLog();
    assert.equal(audit[0].action, "stop");
    assert.equal(audit[0].target, "a");
    assert.equal(audit[0].surface, "api");
    const desired = await s.store.desired();
    assert.equal(desired.get("a"), "stopped");
    assert.equal(desired.get("b"), "running");
  } finally {
    await s.close();
  }
});

Deno.test("pause refuses new entries with the reason; resume trades again", async () => {
  await using dir = await tempDir();
  const s = await service(`${dir.path}/t.duckdb`);
  try {
    await s.sup.start([
      await entry("p", { params: { fast_period: 2, slow_period: 4, direction: "both" } }),
    ]);
    await candlesTraded(s.bus, "p", 3);
    await s.sup.control("p", "pause", api);
    const refused = await waitFor(
      s.bus,
      (e) =>
        e.botId === "p" && e.type === "bot.decision" &&
        (e.data as { code: string }).code === "paused",
      30_000,
      "a paused decision",
    );
    assert.match(String((refused.data as { reason: string }).reason), /paused/);
    await s.sup.control("p", "resume", api);
    assert.equal(s.sup.get("p").status().state, "running");
  } finally {
    await s.close();
  }
});

Deno.test("start, stop, pause, resume and reset of one bot at once take turns: no failure", async () => {
  await using dir = await tempDir();
  const s = await service(`${dir.path}/t.duckdb`);
  const incidents: unknown[] = [];
  s.bus.subscribe((e) => {
    if (e.type === "incident") incidents.push(e.data);
  });
  try {
    await s.sup.start([await entry("a")]);
    await candlesTraded(s.bus, "a", 3);
    const actions = ["stop", "start", "pause", "reset", "resume", "stop", "reset", "start"];
    const calls = [];
    for (let round = 0; round < 3; round++) {
      for (const a of actions) {
        calls.push(
          a === "reset" ? s.sup.reset(["a"], api) : s.sup.control("a", a as "start", api),
        );
      }
    }
    const outcomes = await Promise.allSettled(calls);
    for (const o of outcomes) {
      // a pause or resume of a stopped bot is refused with a reason; nothing else may fail
      if (o.status === "rejected") assert.match(String(o.reason), /start it before you/);
    }
    assert.deepEqual(incidents, [], "no bot failed");
    assert.equal(s.sup.get("a").status().state, "running");
    await candlesTraded(s.bus, "a", 3);
  } finally {
    await s.close();
  }
});
