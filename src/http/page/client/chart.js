// Charts of the page, over TradingView's lightweight-charts (served by the service, loaded on the
// first chart): candles with trade markers, price lines (SL/TP) and indicator lines, and plain
// line charts (equity, drawdown). Colours follow the page's theme.

/** @typedef {{ ts: number[], open: number[], high: number[], low: number[], close: number[] }} CandleColumns */
/** @typedef {{ ts: number, side: "buy" | "sell", text?: string }} Marker */
/** @typedef {{ price: number, title: string, kind?: "sl" | "tp" | "entry" }} PriceLevel */
/** @typedef {{ name: string, pane: "price" | "separate", ts: number[], values: (number | null)[] }} IndicatorLine */
/** @typedef {{ name: string, ts: number[], values: (number | null)[], kind?: "equity" | "drawdown" | "plain" }} LineSeries */

/** @type {Promise<any> | undefined} */
let lib;
/** lightweight-charts, imported once. */
function charts() {
  lib ??= import("./lightweight-charts.mjs");
  return lib;
}

const LINE_COLORS = ["#f59e0b", "#a855f7", "#14b8a6", "#ec4899", "#84cc16", "#6366f1"];

/** The page's theme colours, read from its CSS variables. */
function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (/** @type {string} */ name) => css.getPropertyValue(name).trim();
  return {
    bg: v("--panel"),
    text: v("--text"),
    muted: v("--muted"),
    line: v("--line"),
    up: v("--up"),
    down: v("--down"),
    accent: v("--accent"),
  };
}

/** @param {number} ms */
const sec = (ms) => Math.floor(ms / 1000);

/**
 * Chart points from columns: ascending, one per second (the last value wins), gaps left out.
 * @param {number[]} ts
 * @param {(number | null)[]} values
 */
function points(ts, values) {
  /** @type {Map<number, number>} */
  const byTime = new Map();
  ts.forEach((t, k) => {
    const v = values[k];
    if (v !== null && Number.isFinite(v)) byTime.set(sec(t), /** @type {number} */ (v));
  });
  return [...byTime].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time, value }));
}

/**
 * The chart's colours from the page's theme.
 * @param {ReturnType<typeof palette>} p
 */
function themed(p) {
  return {
    layout: { background: { color: p.bg }, textColor: p.text, attributionLogo: false },
    grid: { vertLines: { color: p.line }, horzLines: { color: p.line } },
    timeScale: { borderColor: p.line },
    rightPriceScale: { borderColor: p.line },
  };
}

/**
 * A chart in `container` that follows the theme toggle; `remove()` takes it and its watcher away.
 * @param {HTMLElement} container
 */
async function makeChart(container) {
  const lc = await charts();
  const p = palette();
  const chart = lc.createChart(container, {
    autoSize: true,
    ...themed(p),
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: p.line },
    crosshair: { mode: 0 },
  });
  // The theme toggle sets data-theme on <html>: the canvas takes the new colours.
  const watch = new MutationObserver(() => chart.applyOptions(themed(palette())));
  watch.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const remove = () => {
    watch.disconnect();
    chart.remove();
  };
  return { lc, chart, p, remove };
}

/**
 * True when the newest bar is in view (then new bars scroll in; else the view stays put).
 * @param {any} chart
 * @param {number} bars
 */
function atRightEdge(chart, bars) {
  const r = chart.timeScale().getVisibleLogicalRange();
  return !r || r.to >= bars - 2;
}

/**
 * A candlestick chart: candles, buy/sell markers, SL/TP/entry lines and indicator lines (on the
 * price pane or a pane of their own). `markers` is how many markers it drew (those on its
 * candles); `update(o)` draws new data in place (the view stays where the reader put it, or
 * follows the newest bar when it was in view); `destroy()` removes it.
 * @param {HTMLElement} container
 * @param {{ candles: CandleColumns, markers?: Marker[], levels?: PriceLevel[], indicators?: IndicatorLine[] }} o
 */
export async function candleChart(container, o) {
  const { lc, chart, p, remove } = await makeChart(container);
  const candles = chart.addSeries(lc.CandlestickSeries, {
    upColor: p.up,
    downColor: p.down,
    borderVisible: false,
    wickUpColor: p.up,
    wickDownColor: p.down,
    // The price scale reaches the SL/TP lines too (a line off the scale is not drawn at all).
    autoscaleInfoProvider: (/** @type {() => any} */ original) => {
      const res = original();
      if (!res?.priceRange || !levelPrices.length) return res;
      res.priceRange.minValue = Math.min(res.priceRange.minValue, ...levelPrices);
      res.priceRange.maxValue = Math.max(res.priceRange.maxValue, ...levelPrices);
      return res;
    },
  });
  /** @type {number[]} */
  let levelPrices = [];
  const markerLayer = lc.createSeriesMarkers(candles, []);
  /** @type {any[]} */
  let lines = [];
  /** @type {any[]} */
  let indicatorSeries = [];
  let indicatorKey = "";
  let bars = 0;

  /** @param {typeof o} d */
  const draw = (d) => {
    const c = d.candles;
    const follow = bars > 0 && atRightEdge(chart, bars);
    candles.setData(
      c.ts.map((t, i) => ({
        time: sec(t),
        open: c.open[i],
        high: c.high[i],
        low: c.low[i],
        close: c.close[i],
      })),
    );
    bars = c.ts.length;
    // A marker sits on the candle it happened in (markers need a candle's time).
    const first = c.ts[0] ?? 0;
    const step = c.ts.length > 1 ? c.ts[1] - c.ts[0] : 60_000;
    const on = (/** @type {number} */ ts) => sec(first + Math.floor((ts - first) / step) * step);
    const marks = (d.markers ?? [])
      .filter((m) => c.ts.length && m.ts >= first && m.ts <= c.ts[c.ts.length - 1] + step)
      .sort((a, b) => a.ts - b.ts)
      .map((m) => ({
        time: on(m.ts),
        position: m.side === "buy" ? "belowBar" : "aboveBar",
        color: m.side === "buy" ? p.up : p.down,
        shape: m.side === "buy" ? "arrowUp" : "arrowDown",
        text: m.text ?? (m.side === "buy" ? "B" : "S"),
      }));
    markerLayer.setMarkers(marks);
    handle.markers = marks.length;
    for (const l of lines) candles.removePriceLine(l);
    levelPrices = (d.levels ?? []).map((l) => l.price).filter((v) => Number.isFinite(v));
    lines = (d.levels ?? []).map((l) =>
      candles.createPriceLine({
        price: l.price,
        color: l.kind === "sl" ? p.down : l.kind === "tp" ? p.up : p.accent,
        lineWidth: 1,
        lineStyle: 2,
        axisLabelVisible: true,
        title: l.title,
      })
    );
    // Indicators keep their series while their names and panes stay the same.
    const inds = d.indicators ?? [];
    const key = JSON.stringify(inds.map((i) => [i.name, i.pane]));
    if (key !== indicatorKey) {
      for (const s of indicatorSeries) chart.removeSeries(s);
      // The lines of one indicator ("macd(12,26,9)", "macd(12,26,9) signal") share a pane.
      /** @type {Map<string, number>} */
      const panes = new Map();
      indicatorSeries = inds.map((ind, i) => {
        const group = ind.name.replace(/\).*$/, ")");
        if (ind.pane !== "price" && !panes.has(group)) panes.set(group, panes.size + 1);
        return chart.addSeries(lc.LineSeries, {
          color: LINE_COLORS[i % LINE_COLORS.length],
          lineWidth: 1,
          title: ind.name,
          priceLineVisible: false,
          lastValueVisible: false,
        }, ind.pane === "price" ? 0 : panes.get(group));
      });
      // The candles keep most of the height.
      chart.panes().forEach((/** @type {any} */ pane, /** @type {number} */ k) =>
        pane.setStretchFactor(k === 0 ? 3 : 1)
      );
      indicatorKey = key;
    }
    inds.forEach((ind, i) => indicatorSeries[i].setData(points(ind.ts, ind.values)));
    handle.indicators = inds.length;
    if (follow) chart.timeScale().scrollToRealTime();
  };

  const handle = {
    chart,
    /** How many markers are drawn. */
    markers: 0,
    /** How many indicator lines are drawn. */
    indicators: 0,
    /**
     * Draws new data in place; `fit` shows all of it (a new range).
     * @param {typeof o} d
     * @param {{ fit?: boolean }} [opt]
     */
    update(d, opt = {}) {
      draw(d);
      if (opt.fit) chart.timeScale().fitContent();
    },
    destroy: remove,
  };
  draw(o);
  chart.timeScale().fitContent();
  return handle;
}

/**
 * A chart of lines over time (equity, drawdown), each on the price scale of its pane; a
 * drawdown gets a pane of its own below. `update(lines)` draws new values of the same lines.
 * @param {HTMLElement} container
 * @param {LineSeries[]} lines
 */
export async function lineChart(container, lines) {
  const { lc, chart, p, remove } = await makeChart(container);
  const series = lines.map((l, i) => {
    const drawdown = l.kind === "drawdown";
    const s = chart.addSeries(
      drawdown ? lc.AreaSeries : lc.LineSeries,
      drawdown
        ? {
          lineColor: p.down,
          topColor: "rgba(0,0,0,0)",
          bottomColor: p.down,
          lineWidth: 1,
          title: l.name,
        }
        : {
          color: i === 0 ? p.accent : LINE_COLORS[i % LINE_COLORS.length],
          lineWidth: 2,
          title: l.name,
        },
      drawdown ? 1 : 0,
    );
    s.setData(points(l.ts, l.values));
    return s;
  });
  chart.timeScale().fitContent();
  return {
    chart,
    /**
     * New values of the same lines (in the same order); `fit` shows all of them.
     * @param {LineSeries[]} next
     * @param {{ fit?: boolean }} [opt]
     */
    update(next, opt = {}) {
      next.forEach((l, i) => series[i]?.setData(points(l.ts, l.values)));
      if (opt.fit) chart.timeScale().fitContent();
    },
    destroy: remove,
  };
}
