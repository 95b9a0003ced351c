// Chat pictures: SVG to PNG with the bundled font, /chart and /backtest pictures from synthetic
// data and from a real service's command core (replay feed, DuckDB file, a stored backtest run).

import assert from "node:assert/strict";
import {
  chartPicture,
  type ChartPictureData,
  chartPictureFor,
  equityPicture,
  type StoredRunAnswer,
  svgToPng,
} from "../../src/bots/pictures.ts";
import { Commands } from "../../src/commands/commands.ts";
import { NotFoundError } from "../../src/commands/errors.ts";
import { sliceColumns } from "../../src/core/candles.ts";
import { ConfigError, InputError } from "../../src/core/errors.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { startService } from "../../src/service/service.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { makeCandles, REPLAY_START, tempDir } from "../support.ts";
import { entry, untilEvent, waitFor } from "../service/service_support.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual(Array.from(png.subarray(0, 8)), PNG_SIGNATURE, "PNG signature");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function svg(body: string, w = 200, h = 80): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" ` +
    `font-family="system-ui, sans-serif">${body}</svg>`;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("svgToPng: a PNG of the SVG's size, or of the width asked with the aspect kept", async () => {
  const doc = svg('<rect x="10" y="10" width="50" height="20" fill="#2962ff"/>');
  assert.deepEqual(pngSize(await svgToPng(doc)), { width: 200, height: 80 });
  assert.deepEqual(pngSize(await svgToPng(doc, { width: 900 })), { width: 900, height: 360 });
});

Deno.test("svgToPng: text is drawn with the bundled font (the bytes change with the words)", async () => {
  const blank = await svgToPng(svg(""));
  const hello = await svgToPng(svg('<text x="10" y="40" font-size="20">Equity 1,234</text>'));
  const other = await svgToPng(svg('<text x="10" y="40" font-size="20">Drawdown -5%</text>'));
  // Without a font resvg drops text: all three would be the same blank picture.
  assert.ok(!same(blank, hello), "text drawn");
  assert.ok(!same(hello, other), "different words, different pixels");
  assert.ok(hello.length > blank.length, `${hello.length} > ${blank.length}`);
  // Bold (the chart titles) comes from the bundled bold face.
  const bold = await svgToPng(
    svg('<text x="10" y="40" font-size="20" font-weight="600">Equity 1,234</text>'),
  );
  assert.ok(!same(bold, hello), "bold differs from regular");
});

Deno.test("svgToPng: bad SVG and bad widths are clear errors", async () => {
  await assert.rejects(() => svgToPng("<svg"), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /^The SVG cannot be drawn as a PNG \(.+\): pass a whole SVG/);
    return true;
  });
  await assert.rejects(() => svgToPng("not svg at all"), InputError);
  await assert.rejects(() => svgToPng(svg(""), { width: 0 }), /"width" must be a whole number/);
  await assert.rejects(() => svgToPng(svg(""), { width: 1.5 }), ConfigError);
});

/** 300 hourly candles, as `commands.candles` answers (plain arrays), with two closed trades. */
function data(over: Partial<ChartPictureData> = {}): ChartPictureData {
  const c = makeCandles(300, T0, HOUR);
  const at = (i: number) => T0 + i * HOUR;
  return {
    candles: {
      ts: Array.from(c.ts),
      open: Array.from(c.open),
      high: Array.from(c.high),
      low: Array.from(c.low),
      close: Array.from(c.close),
      volume: Array.from(c.volume),
    },
    // Rows as the store gives them, newest first.
    trades: [
      {
        bot_id: "ema_01",
        seq: 1,
        symbol: "BTC/USDT",
        side: "short",
        entry_ts: at(240),
        exit_ts: at(262),
        qty: 0.5,
        entry_price: c.close[240],
        exit_price: c.close[262],
        fees: 0.1,
        funding: 0,
        pnl: (c.close[240] - c.close[262]) * 0.5,
        exit_reason: "signal",
      },
      {
        bot_id: "ema_01",
        seq: 0,
        symbol: "BTC/USDT",
        side: "long",
        entry_ts: at(180),
        exit_ts: at(205),
        qty: 0.5,
        entry_price: c.close[180],
        exit_price: c.close[205],
        fees: 0.1,
        funding: 0,
        pnl: (c.close[205] - c.close[180]) * 0.5,
        exit_reason: "take_profit",
      },
    ],
    bot: { bot_id: "ema_01", symbol: "BTC/USDT", timeframe: "1h", position: null },
    ...over,
  };
}

Deno.test("chartPicture: 900x500 under 300 KB; trades and an open position's SL/TP are drawn", async () => {
  const empty = await svgToPng(svg("", 900, 500));
  const none = await chartPicture(data({ trades: [] }));
  assert.deepEqual(pngSize(none), { width: 900, height: 500 });
  assert.ok(none.length > empty.length * 5, `candles drawn: ${none.length} vs ${empty.length}`);

  const traded = await chartPicture(data());
  assert.deepEqual(pngSize(traded), { width: 900, height: 500 });
  assert.ok(!same(traded, none), "markers drawn");

  const c = makeCandles(300, T0, HOUR);
  const open = await chartPicture(data({
    bot: {
      bot_id: "ema_01",
      symbol: "BTC/USDT",
      timeframe: "1h",
      position: {
        symbol: "BTC/USDT",
        side: "long",
        qty: 0.25,
        entryPrice: c.close[280],
        entryTs: T0 + 280 * HOUR,
        leverage: 1,
        liquidationPrice: NaN,
        sl: c.close[280] - 4,
        tp: c.close[280] + 6,
      },
    },
  }));
  assert.deepEqual(pngSize(open), { width: 900, height: 500 });
  assert.ok(!same(open, traded), "SL/TP drawn");
  for (const png of [none, traded, open]) assert.ok(png.length < 300_000, `${png.length} bytes`);
  await Deno.writeFile("/tmp/chart.png", open);

  // Fewer candles than asked for, and a smaller picture.
  const small = await chartPicture(data(), { candles: 400, width: 640, height: 360 });
  assert.deepEqual(pngSize(small), { width: 640, height: 360 });
});

Deno.test("chartPicture: no candles and bad options are clear errors", async () => {
  const none = { ts: [], open: [], high: [], low: [], close: [], volume: [] };
  await assert.rejects(
    () => chartPicture(data({ candles: none })),
    /^InputError: Bot "ema_01" has no stored candles to draw yet/,
  );
  await assert.rejects(() => chartPicture(data(), { candles: 0 }), ConfigError);
});

Deno.test("equityPicture: a curve rebuilt from a run's trades, or the stored curve", async () => {
  const run: StoredRunAnswer = {
    id: "run-1",
    strategy: "sma_cross",
    symbol: "BTC/USDT",
    timeframe: "1h",
    first_ts: T0,
    last_ts: T0 + 99 * HOUR,
    metrics: { initial_equity: 10_000 },
    final_equity: 10_050,
    trades: [{ exit_ts: T0 + 10 * HOUR, pnl: 120 }, { exit_ts: T0 + 40 * HOUR, pnl: -70 }],
  };
  const steps = await equityPicture(run);
  assert.deepEqual(pngSize(steps), { width: 900, height: 500 });
  // The rebuilt curve: a step at each exit (1 ms before it, then at it), times strictly rising.
  const at = [0, 10 * HOUR - 1, 10 * HOUR, 40 * HOUR - 1, 40 * HOUR, 99 * HOUR - 1, 99 * HOUR];
  const explicit = await equityPicture({
    ...run,
    equity: {
      ts: at.map((t) => T0 + t),
      equity: [10_000, 10_000, 10_120, 10_120, 10_050, 10_050, 10_050],
    },
  });
  assert.ok(same(steps, explicit), "the same curve as drawn from trades");
  const flat = await equityPicture({ ...run, trades: [], final_equity: 10_000 });
  assert.ok(!same(steps, flat));
  const ts = Array.from({ length: 100 }, (_, i) => T0 + i * HOUR);
  const curve = await equityPicture({
    ...run,
    equity: { ts, equity: ts.map((_, i) => 10_000 + 50 * Math.sin(i / 8)) },
  });
  assert.ok(!same(curve, steps));
  await assert.rejects(
    () => equityPicture({ ...run, first_ts: null }),
    /Backtest "run-1" has no candles/,
  );
});

Deno.test("pictures from a running service: /chart of a trading bot, /backtest of a stored run", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/p.duckdb`);
  const key = { exchange: "synthetic", symbol: "SYN/USDT", timeframe: "1m" };
  await new CandleStore(db).upsert(
    key,
    sliceColumns(synthCandles({ bars: 2_000, seed: 3, start: T0 }), 0, 2_000),
  );
  const service = await startService({
    db,
    entries: [
      await entry("alpha", { params: { fast_period: 2, slow_period: 5, direction: "both" } }),
    ],
    replay: { speed: 3000, startTs: REPLAY_START },
    wallNow: Date.now,
  });
  const commands = new Commands(service);
  try {
    const done = waitFor(service.bus, (e) => e.type === "backtest.done", 120_000, "the backtest");
    await commands.runBacktest({
      strategy: "sma_cross",
      ...key,
      params: { fast_period: 5, slow_period: 20 },
    });
    const job = (await done).data as { state: string; run_id?: string };
    assert.equal(job.state, "done");
    const run = await commands.backtest(job.run_id!);
    assert.ok("trades" in run && run.trades.length > 0);
    assert.deepEqual(pngSize(await equityPicture(run)), { width: 900, height: 500 });

    await untilEvent(
      service.bus,
      async () => (await commands.records("alpha", "trades", { limit: 2, offset: 0 })).count >= 2,
      120_000,
      "two trades of alpha",
    );
    const image = await chartPictureFor(commands, "alpha");
    assert.equal(image.name, "chart-alpha.png");
    assert.deepEqual(pngSize(image.png), { width: 900, height: 500 });
    assert.ok(image.png.length < 300_000);
    await assert.rejects(() => chartPictureFor(commands, "nope"), NotFoundError);
  } finally {
    await service.close();
    await db.close();
  }
});
