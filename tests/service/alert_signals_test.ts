// Alerts handed to a running bot: a `signals` bot acts on each at its next candle close, once
// per alert, and a restart replays them where they happened (the same decisions again).

import assert from "node:assert/strict";
import { parityReport } from "../../src/service/parity.ts";
import { startService } from "../../src/service/service.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { candlesTraded, entry, waitFor } from "./service_support.ts";

async function start(path: string) {
  const db = await Db.open(path);
  const service = await startService({
    db,
    entries: [
      await entry("tv_01", { strategy: "signals", params: { signals: [], direction: "both" } }),
      await entry("sma_01"),
    ],
    replay: { speed: 600, startTs: REPLAY_START },
  });
  return {
    service,
    async close() {
      await service.close();
      await db.close();
    },
  };
}

type Row = Record<string, unknown>;

Deno.test("alerts: a signals bot acts on an alert at its next candle, once per alert; a restart replays it", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.duckdb`;
  const first = await start(path);
  let decided: Row;
  try {
    await candlesTraded(first.service.bus, "tv_01", 3);
    const sup = first.service.supervisor;
    const seen = waitFor(
      first.service.bus,
      (e) =>
        e.type === "bot.decision" && e.botId === "tv_01" && /alert #7/.test(
          String(((e.data as Row).signal as Row)?.reason),
        ),
      60_000,
      "the alert's decision",
    );
    assert.equal(
      await sup.alert("tv_01", 7, { side: "long", sl_pct: 1, reason: "alert #7" }),
      true,
    );
    // The same alert again (a retry, a restart of the intake): recorded once.
    assert.equal(
      await sup.alert("tv_01", 7, { side: "long", sl_pct: 1, reason: "alert #7" }),
      false,
    );
    decided = (await seen).data as Row;
    assert.equal(decided.side, "long");
    assert.equal(decided.outcome, "order");
    const fill = await waitFor(
      first.service.bus,
      (e) => e.type === "bot.fill" && e.botId === "tv_01",
      60_000,
      "the entry's fill",
    );
    assert.equal((fill.data as Row).side, "buy");
    // A bot whose strategy takes no alerts refuses them, saying what would.
    await assert.rejects(
      () => sup.alert("sma_01", 8, { side: "long" }),
      /takes no alerts; alerts need the signals strategy/,
    );
    const events = await first.service.bots.events("tv_01");
    assert.equal(events.filter((e) => e.kind === "alert").length, 1);
    // The parity report replays the bot's alerts: the same decisions as the bot's.
    const report = await parityReport(
      sup.get("tv_01"),
      first.service.bots,
      first.service.candles,
    );
    assert.equal(report.comparable, true, report.reason);
    assert.equal(report.match, true, JSON.stringify(report.first_difference));
  } finally {
    await first.close();
  }
  // Restarted: the bot replays its candles with the alert where it happened.
  const second = await start(path);
  try {
    const [again] = (await second.service.bots.page("decisions", "tv_01", { limit: 1000 }))
      .filter((d) => /alert #7/.test(String((d.signal as Row).reason)));
    assert.equal(again.ts, decided.ts);
    assert.equal(again.outcome, "order");
    const fills = await second.service.bots.page("fills", "tv_01", { limit: 1000 });
    assert.equal(fills.filter((f) => f.side === "buy").length >= 1, true);
    assert.equal(
      (await second.service.bots.events("tv_01")).filter((e) => e.kind === "alert").length,
      1,
    );
  } finally {
    await second.close();
  }
});

Deno.test("alerts: a strategy of its own that takes alerts enters only when the latest alert agrees", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/g.duckdb`);
  const service = await startService({
    db,
    entries: [
      await entry("agree_01", {
        params: { fast_period: 2, slow_period: 5, direction: "both" },
        alerts: { source: "tradingview" },
      }),
    ],
    replay: { speed: 3000, startTs: REPLAY_START },
  });
  try {
    const entries = async () =>
      (await service.bots.page("decisions", "agree_01", { limit: 10_000 }))
        .filter((d) => d.outcome === "order" && (d.side === "long" || d.side === "short"));
    // No alert yet: the crossovers come and go, and no entry is taken.
    await candlesTraded(service.bus, "agree_01", 60);
    assert.deepEqual(await entries(), []);
    // An alert says long: long entries pass (saying so), short ones still do not.
    assert.equal(await service.supervisor.alert("agree_01", 1, { side: "long" }), true);
    const taken = await waitFor(
      service.bus,
      (e) =>
        e.type === "bot.decision" && e.botId === "agree_01" &&
        (e.data as Row).outcome === "order" && (e.data as Row).side === "long",
      120_000,
      "a long entry the alert agrees with",
    );
    assert.match(
      String(((taken.data as Row).signal as Row).reason),
      /a TradingView alert agrees \(long\)/,
    );
    await candlesTraded(service.bus, "agree_01", 60);
    assert.ok((await entries()).every((d) => d.side === "long"));
  } finally {
    await service.close();
    await db.close();
  }
});
