// Chat pictures: the research SVG charts rendered to PNG (resvg's WASM build, DejaVu Sans bundled).

import { createRequire } from "node:module";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import type { Commands } from "../commands/commands.ts";
import type { BotStatus } from "../commands/why.ts";
import { ConfigError, InputError } from "../core/errors.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { ExitReason, Trade } from "../core/trading.ts";
import {
  candleChart,
  type ChartTrade,
  equityChart,
  num,
  type PriceLevel,
} from "../research/charts/mod.ts";
import type { BacktestJob } from "../service/backtest_jobs.ts";
import type { ChatImage } from "./chat.ts";

/** The font every picture's text is drawn in (shipped by the `dejavu-fonts-ttf` package). */
const FONT_FAMILY = "DejaVu Sans";
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];
/** Picture size for chat apps: wide enough to read, small enough to send quickly. */
const WIDTH = 900;
const HEIGHT = 500;
/** Widest PNG {@link svgToPng} makes. */
const MAX_WIDTH = 4096;

/** Options for {@link svgToPng}. */
export interface PngOptions {
  /** Width of the PNG in px; the height follows the SVG's aspect ratio [the SVG's own width]. */
  width?: number;
}

interface Renderer {
  fonts: Uint8Array[];
}

let renderer: Promise<Renderer> | undefined;

/** Loads the WASM renderer and the fonts, once per process (a failed load is tried again). */
function load(): Promise<Renderer> {
  renderer ??= (async () => {
    const require = createRequire(import.meta.url);
    const [, ...fonts] = await Promise.all([
      initWasm(Deno.readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm"))),
      ...FONT_FILES.map((f) => Deno.readFile(require.resolve(`dejavu-fonts-ttf/ttf/${f}`))),
    ]);
    return { fonts: fonts as Uint8Array[] };
  })().catch((err) => {
    renderer = undefined;
    throw err;
  });
  return renderer;
}

/**
 * Renders a standalone SVG document (a chart helper's `.svg`) to PNG bytes on a white background.
 * Text is drawn in DejaVu Sans whatever font family the SVG asks for; nothing is fetched.
 *
 * @example
 * ```ts
 * const png = await svgToPng(equityChart(result).svg, { width: 900 });
 * ```
 */
export async function svgToPng(svg: string, o: PngOptions = {}): Promise<Uint8Array> {
  const width = o.width;
  if (width !== undefined && !(Number.isInteger(width) && width > 0 && width <= MAX_WIDTH)) {
    throw new ConfigError(
      `The PNG "width" must be a whole number of px from 1 to ${MAX_WIDTH}; got ${width}.`,
    );
  }
  const { fonts } = await load();
  let r: InstanceType<typeof Resvg>;
  try {
    r = new Resvg(svg, {
      background: "white",
      fitTo: width === undefined ? { mode: "original" } : { mode: "width", value: width },
      font: {
        fontBuffers: fonts,
        defaultFontFamily: FONT_FAMILY,
        sansSerifFamily: FONT_FAMILY,
        serifFamily: FONT_FAMILY,
        monospaceFamily: FONT_FAMILY,
      },
    });
  } catch (err) {
    const why = String((err as Error)?.message ?? err);
    throw new InputError(
      `The SVG cannot be drawn as a PNG (${why}): pass a whole SVG document with a width and height.`,
      { cause: err },
    );
  }
  try {
    const image = r.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    r.free();
  }
}

/** What `commands.candles(id, page)` answers: a bot's series, oldest first, as columns. */
export type CandlesAnswer = Awaited<ReturnType<Commands["candles"]>>;

/** A row of `commands.records(id, "trades", page)`: a closed trade as stored (plain values). */
export type TradeRow = Record<string, unknown>;

/** What `commands.bot(id)` answers (its id, symbol, timeframe and open position are drawn). */
export type BotAnswer = Pick<BotStatus, "bot_id" | "symbol" | "timeframe" | "position">;

/** What {@link chartPicture} draws: the three answers of the command core, as they come. */
export interface ChartPictureData {
  /** `commands.candles(id, page)`; only the last `candles` of them are drawn. */
  candles: Pick<CandlesAnswer, "ts" | "open" | "high" | "low" | "close" | "volume">;
  /** The rows of `commands.records(id, "trades", page)` (any order). */
  trades: readonly TradeRow[];
  /** `commands.bot(id)`. */
  bot: BotAnswer;
}

/** Options for {@link chartPicture}. */
export interface ChartPictureOptions {
  /** How many of the latest candles are drawn [150]. */
  candles?: number;
  /** PNG width in px [900]. */
  width?: number;
  /** PNG height in px [500]. */
  height?: number;
}

/** How many of a bot's latest candles `/chart` shows. */
export const CHART_CANDLES = 150;

/**
 * A PNG of a bot's latest candles with its closed trades' entries (triangles) and exits (crosses)
 * and its open position's SL/TP as dashed lines, titled with the bot id, symbol and timeframe
 * (and the open position, when there is one).
 *
 * @example
 * ```ts
 * const png = await chartPicture({
 *   candles: await commands.candles(id, page),
 *   trades: (await commands.records(id, "trades", page)).trades,
 *   bot: await commands.bot(id),
 * });
 * ```
 */
export async function chartPicture(
  data: ChartPictureData,
  o: ChartPictureOptions = {},
): Promise<Uint8Array> {
  const { bot } = data;
  const keep = o.candles ?? CHART_CANDLES;
  if (!(Number.isInteger(keep) && keep > 0)) {
    throw new ConfigError(`The chart's "candles" must be a whole number above 0; got ${keep}.`);
  }
  const c = data.candles;
  const n = c.ts.length;
  if (n === 0) {
    throw new InputError(
      `Bot "${bot.bot_id}" has no stored candles to draw yet: try again once it has traded a candle.`,
    );
  }
  const start = Math.max(0, n - keep);
  const cut = (a: ArrayLike<number>) => Float64Array.from(Array.from(a).slice(start));
  const candles = {
    ts: cut(c.ts),
    open: cut(c.open),
    high: cut(c.high),
    low: cut(c.low),
    close: cut(c.close),
    volume: cut(c.volume),
  };
  const from = candles.ts[0];
  const stepMs = safeTimeframeMs(bot.timeframe) ?? inferStep(candles.ts);
  const to = candles.ts[candles.ts.length - 1] + stepMs;
  const levels: PriceLevel[] = [];
  const p = bot.position;
  let title = `${bot.bot_id} · ${bot.symbol} · ${bot.timeframe}`;
  if (p && p.qty > 0) {
    const since = Math.max(from, Number.isFinite(p.entryTs) ? p.entryTs : from);
    if (p.sl !== undefined) levels.push({ from: since, to, price: p.sl, kind: "sl" });
    if (p.tp !== undefined) levels.push({ from: since, to, price: p.tp, kind: "tp" });
    title += ` · ${p.side} ${num(p.qty)} @ ${num(p.entryPrice)}`;
  }
  const width = o.width ?? WIDTH;
  const chart = candleChart(candles, {
    width,
    height: o.height ?? HEIGHT,
    title,
    trades: data.trades.map(chartTrade),
    levels,
    from,
    to,
  });
  return await svgToPng(chart.svg, { width });
}

/**
 * Gathers what {@link chartPicture} draws through the command core (the bot's status, its last
 * {@link CHART_CANDLES} candles and the trades closed among them) and renders it for a chat.
 * Unknown bots are the core's `NotFoundError`.
 *
 * @example
 * ```ts
 * const image = await chartPictureFor(commands, "ema_01");
 * return { text: "ema_01 · BTC/USDT · 1h", image };
 * ```
 */
export async function chartPictureFor(commands: Commands, botId: string): Promise<ChatImage> {
  const bot = await commands.bot(botId);
  const id = bot.bot_id;
  const keep = CHART_CANDLES;
  let candles: CandlesAnswer;
  const last = bot.last_candle_ts;
  const step = safeTimeframeMs(bot.timeframe);
  if (last !== null && step !== undefined) {
    candles = await commands.candles(id, {
      from: last - (keep - 1) * step,
      to: last,
      limit: keep,
      offset: 0,
    });
  } else {
    const { total } = await commands.candles(id, { limit: 0, offset: 0 });
    candles = await commands.candles(id, {
      limit: keep,
      offset: Math.max(0, total - keep),
    });
  }
  const from = candles.ts[0];
  const trades = from === undefined ? [] : (await commands.records(id, "trades", {
    from,
    limit: 200,
    offset: 0,
  })).trades as TradeRow[];
  const png = await chartPicture({ candles, trades, bot });
  return { png, name: `chart-${fileSafe(id)}.png` };
}

/**
 * What `commands.backtest(runId)` answers for a stored run: its names, metrics and trades, and
 * its equity curve when the caller has it (else the curve is rebuilt from the trades).
 */
export type StoredRunAnswer =
  & Pick<
    Exclude<Awaited<ReturnType<Commands["backtest"]>>, BacktestJob>,
    "id" | "strategy" | "symbol" | "timeframe" | "first_ts" | "last_ts" | "metrics" | "final_equity"
  >
  & {
    trades: readonly Pick<Trade, "exit_ts" | "pnl">[];
    /** Equity at each candle (as `BacktestStore.get(id, { equity: true })` gives it). */
    equity?: { ts: ArrayLike<number>; equity: ArrayLike<number> };
  };

/** Options for {@link equityPicture}. */
export interface EquityPictureOptions {
  /** PNG width in px [900]. */
  width?: number;
  /** PNG height in px [500]. */
  height?: number;
}

/**
 * A PNG of a stored backtest run's equity curve with its drawdown below. Without the per-candle
 * curve (`commands.backtest` does not send it) the curve steps at each trade's exit, from the
 * initial equity to the final one (which includes a position still open at the end).
 *
 * @example
 * ```ts
 * const run = await commands.backtest(job.run_id!);
 * const png = await equityPicture(run as StoredRunAnswer);
 * ```
 */
export async function equityPicture(
  run: StoredRunAnswer,
  o: EquityPictureOptions = {},
): Promise<Uint8Array> {
  const curve = run.equity && run.equity.ts.length > 0 ? run.equity : tradeCurve(run);
  const width = o.width ?? WIDTH;
  const chart = equityChart(curve, {
    width,
    height: o.height ?? HEIGHT,
    title: `${run.strategy} · ${run.symbol} · ${run.timeframe} · run ${run.id}`,
  });
  return await svgToPng(chart.svg, { width });
}

/**
 * Realised equity stepping at each exit, from the first candle to the last. Times strictly rise
 * (a step is a point 1 ms before the exit, then one at it): the chart stacks equal times.
 */
function tradeCurve(run: StoredRunAnswer): { ts: number[]; equity: number[] } {
  const initial = Number(run.metrics.initial_equity);
  if (!Number.isFinite(initial) || run.first_ts === null) {
    throw new InputError(
      `Backtest "${run.id}" has no candles or no initial equity to draw: run it again.`,
    );
  }
  const ts = [run.first_ts];
  const equity = [initial];
  const step = (at: number, to: number) => {
    const last = ts[ts.length - 1];
    if (at - 1 > last) (ts.push(at - 1), equity.push(equity[equity.length - 1]));
    if (at > last) (ts.push(at), equity.push(to));
    else equity[equity.length - 1] = to;
  };
  let e = initial;
  for (const t of [...run.trades].sort((a, b) => a.exit_ts - b.exit_ts)) {
    step(t.exit_ts, e += t.pnl);
  }
  step(Math.max(run.last_ts ?? run.first_ts, ts[ts.length - 1] + 1), run.final_equity);
  return { ts, equity };
}

/** A stored trade row as the candle chart reads it. */
function chartTrade(r: TradeRow): ChartTrade {
  return {
    side: r.side === "short" ? "short" : "long",
    entry_ts: Number(r.entry_ts),
    exit_ts: Number(r.exit_ts),
    entry_price: Number(r.entry_price),
    exit_price: Number(r.exit_price),
    pnl: Number(r.pnl),
    qty: r.qty === undefined ? undefined : Number(r.qty),
    exit_reason: r.exit_reason === undefined ? undefined : String(r.exit_reason) as ExitReason,
  };
}

function safeTimeframeMs(tf: string): number | undefined {
  try {
    return timeframeMs(tf);
  } catch {
    return undefined;
  }
}

/** Smallest gap between consecutive times (one minute with fewer than two). */
function inferStep(ts: ArrayLike<number>): number {
  let step = Infinity;
  for (let i = 1; i < ts.length; i++) step = Math.min(step, ts[i] - ts[i - 1]);
  return Number.isFinite(step) && step > 0 ? step : 60_000;
}

function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 64) || "bot";
}

/** A stored run's equity curve (the per-candle one from the store) as a chat picture. */
export async function equityPictureFor(commands: Commands, runId: string): Promise<ChatImage> {
  const run = await commands.backtest(runId, { equity: true });
  if (!("metrics" in run)) throw new InputError(`Backtest "${runId}" has not finished yet.`);
  return {
    png: await equityPicture(run as StoredRunAnswer),
    name: `equity-${fileSafe(runId)}.png`,
  };
}
