// The one-bot view (#/bot/ID): a switcher to the other bots, the bot's state and figures with its
// controls, its candles with trade markers, SL/TP lines and indicators, its equity curve, and its
// trades, decisions, orders and fills; a UTC date range to look back; follows the live events.

import { ApiError } from "../api.js";
import { amount, h, money, price, replace, tone, utc } from "../dom.js";
import { addTexts } from "../i18n.js";
import { candleChart, lineChart } from "../chart.js";
import { actionsFor, shownState } from "./bots.js";
import { RecordTabs } from "./bot_records.js";

addTexts({
  en: {
    "bot.switch": "Bot",
    "bot.none": "No bots are configured.",
    "bot.missing": "There is no bot “{bot}”.",
    "bot.back": "All bots",
    "bot.equity": "Equity",
    "bot.pnlToday": "P&L today",
    "bot.pnlTotal": "P&L total",
    "bot.trades": "Trades",
    "bot.unrealised": "Unrealised",
    "bot.position": "Position",
    "bot.flat": "flat",
    "bot.entry": "entry",
    "bot.why": "Why",
    "bot.warming": "warming up: {have} of {need} candles",
    "bot.confirmation": "entries need confirmation",
    "bot.start": "Start",
    "bot.stop": "Stop",
    "bot.pause": "Pause",
    "bot.resume": "Resume",
    "bot.done": "{bot}: {action} done",
    "bot.range": "Period (UTC)",
    "bot.from": "From (UTC)",
    "bot.to": "To (UTC)",
    "bot.latest": "Latest",
    "bot.range.latest": "The latest {n} candles",
    "bot.range.shown": "{n} candles from {from} to {to}",
    "bot.range.cut": "the last {n} of {total} candles in the period",
    "bot.range.bad": "“From” is after “To”.",
    "bot.chart": "Candles",
    "bot.chart.label": "Candlestick chart of {bot} with {markers} trade markers",
    "bot.chart.none": "No candles in this period yet.",
    "bot.equityCurve": "Equity curve",
    "bot.equity.none": "No equity recorded in this period yet.",
    "bot.sl": "SL",
    "bot.tp": "TP",
    "bot.mark.long": "Long",
    "bot.mark.short": "Short",
    "bot.mark.exit": "Exit",
  },
  uk: {
    "bot.switch": "Бот",
    "bot.none": "Жодного бота не налаштовано.",
    "bot.missing": "Бота «{bot}» немає.",
    "bot.back": "Усі боти",
    "bot.equity": "Капітал",
    "bot.pnlToday": "P&L сьогодні",
    "bot.pnlTotal": "P&L загалом",
    "bot.trades": "Угоди",
    "bot.unrealised": "Нереалізований",
    "bot.position": "Позиція",
    "bot.flat": "немає",
    "bot.entry": "вхід",
    "bot.why": "Чому",
    "bot.warming": "розігрів: {have} з {need} свічок",
    "bot.confirmation": "входи потребують підтвердження",
    "bot.start": "Запустити",
    "bot.stop": "Зупинити",
    "bot.pause": "Пауза",
    "bot.resume": "Продовжити",
    "bot.done": "{bot}: {action} виконано",
    "bot.range": "Період (UTC)",
    "bot.from": "Від (UTC)",
    "bot.to": "До (UTC)",
    "bot.latest": "Останні",
    "bot.range.latest": "Останні {n} свічок",
    "bot.range.shown": "{n} свічок від {from} до {to}",
    "bot.range.cut": "останні {n} з {total} свічок періоду",
    "bot.range.bad": "«Від» пізніше за «До».",
    "bot.chart": "Свічки",
    "bot.chart.label": "Свічковий графік {bot} з {markers} позначками угод",
    "bot.chart.none": "У цьому періоді ще немає свічок.",
    "bot.equityCurve": "Крива капіталу",
    "bot.equity.none": "У цьому періоді капітал ще не записано.",
    "bot.sl": "SL",
    "bot.tp": "TP",
    "bot.mark.long": "Лонг",
    "bot.mark.short": "Шорт",
    "bot.mark.exit": "Вихід",
  },
});

/** @typedef {import("../app.js").Ctx} Ctx */
/** @typedef {import("../bot_list.js").BotRow} BotRow */
/** @typedef {Record<string, any>} Row */

/** Candles the chart shows by default (the latest), and at most for a chosen period. */
const LATEST_CANDLES = 300;
const RANGE_CANDLES = 2000;
/** Equity snapshots the curve shows at most. */
const EQUITY_POINTS = 2000;
/** Trades read for the chart's markers at most. */
const MARKER_TRADES = 1000;
/** Live events redraw at most this often. */
const LIVE_EVERY_MS = 2000;
const DAY_MS = 86_400_000;

/** What a bot event makes stale. */
const STALE_BY_EVENT = /** @type {Record<string, Part[]>} */ ({
  "bot.status": ["head"],
  "bot.decision": ["head", "decisions"],
  "bot.order": ["orders"],
  "bot.fill": ["head", "fills", "orders"],
  "bot.trade": ["head", "trades", "chart"],
  "bot.position": ["head", "chart"],
  "bot.equity": ["head", "chart", "equity"],
  "bot.pending": ["head"],
});

/** @typedef {"head" | "chart" | "equity" | TableName} Part */
/** @typedef {import("./bot_records.js").TableName} TableName */

/**
 * Trade markers: a long's entry buys and its exit sells, a short the other way; the open
 * position's entry too. Entries are labelled long/short, exits with their P&L.
 * @param {Ctx} ctx
 * @param {Row[]} trades
 * @param {Row | null} position
 * @returns {import("../chart.js").Marker[]}
 */
function markersOf(ctx, trades, position) {
  const { t } = ctx;
  /** @type {import("../chart.js").Marker[]} */
  const out = [];
  const entry = (/** @type {number} */ ts, /** @type {string} */ side) =>
    out.push({
      ts,
      side: side === "short" ? "sell" : "buy",
      text: t(side === "short" ? "bot.mark.short" : "bot.mark.long"),
    });
  for (const tr of trades) {
    if (Number.isFinite(tr.entry_ts)) entry(tr.entry_ts, tr.side);
    if (Number.isFinite(tr.exit_ts)) {
      out.push({
        ts: tr.exit_ts,
        side: tr.side === "short" ? "buy" : "sell",
        text: `${t("bot.mark.exit")} ${money(tr.pnl, true)}`,
      });
    }
  }
  if (position?.qty && Number.isFinite(position.entryTs)) entry(position.entryTs, position.side);
  return out;
}

/**
 * The open position's entry, SL and TP as price lines.
 * @param {Ctx} ctx
 * @param {Row | null} position
 * @returns {import("../chart.js").PriceLevel[]}
 */
function levelsOf(ctx, position) {
  if (!position?.qty) return [];
  /** @type {import("../chart.js").PriceLevel[]} */
  const out = [];
  if (Number.isFinite(position.entryPrice)) {
    out.push({ price: position.entryPrice, title: ctx.t("bot.entry"), kind: "entry" });
  }
  if (Number.isFinite(position.sl)) {
    out.push({ price: position.sl, title: ctx.t("bot.sl"), kind: "sl" });
  }
  if (Number.isFinite(position.tp)) {
    out.push({ price: position.tp, title: ctx.t("bot.tp"), kind: "tp" });
  }
  return out;
}

/**
 * A timeframe's length in ms ("15m" → 900000); undefined for one it does not know.
 * @param {string | undefined} tf
 */
function timeframeMs(tf) {
  const m = /^(\d+)([smhdw])$/.exec(tf ?? "");
  if (!m) return undefined;
  const unit = { s: 1e3, m: 6e4, h: 36e5, d: DAY_MS, w: 7 * DAY_MS }[m[2]] ?? 0;
  return Number(m[1]) * unit;
}

/**
 * A date input's day as UTC ms (its start, or its end with `end`); undefined when empty.
 * @param {string} value "YYYY-MM-DD"
 * @param {boolean} end
 */
function dayMs(value, end) {
  if (!value) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) ? ms + (end ? DAY_MS - 1 : 0) : undefined;
}

/**
 * The view of bot `id`.
 * @param {Ctx} ctx
 * @param {HTMLElement} root
 * @param {string} id
 */
function mountBot(ctx, root, id) {
  const { t, api } = ctx;
  const base = `/api/bots/${encodeURIComponent(id)}`;
  let disposed = false;
  /** @type {Row | null} */
  let detail = null;
  /** @type {BotRow | undefined} */
  let row = ctx.bots.get(id);
  /** @type {{ from?: number, to?: number }} */
  let range = {};
  let fitNext = false;

  // ---- the head: switcher, state, figures, position, why, controls ----
  const select = /** @type {HTMLSelectElement} */ (h("select", {
    id: "bot-switch",
    onchange: () => ctx.navigate(`#/bot/${encodeURIComponent(select.value)}`),
  }));
  const badges = h("span", { class: "badges" });
  const meta = h("p", { class: "meta" });
  const figures = h("dl", { class: "figures bot-figures" });
  const position = h("p", { class: "position" });
  const why = h("p", { class: "why" });
  const controls = h("div", { class: "controls", role: "group", "aria-label": id });
  let controlsKey = "";

  // ---- the period ----
  const fromInput = /** @type {HTMLInputElement} */ (h("input", {
    type: "date",
    id: "bot-from",
    onchange: () => setRange(),
  }));
  const toInput = /** @type {HTMLInputElement} */ (h("input", {
    type: "date",
    id: "bot-to",
    onchange: () => setRange(),
  }));
  const rangeNote = h("p", { class: "hint range-note", "aria-live": "polite" });

  // ---- charts ----
  const chartBox = h("div", {
    class: "bot-chart",
    role: "img",
    "aria-label": t("bot.chart"),
    dataset: { candles: "0", markers: "0", indicators: "0", levels: "0" },
  });
  const chartNote = h("p", { class: "empty", hidden: true }, t("bot.chart.none"));
  const equityBox = h("div", {
    class: "bot-equity",
    role: "img",
    "aria-label": t("bot.equityCurve"),
  });
  const equityNote = h("p", { class: "empty", hidden: true }, t("bot.equity.none"));
  /** @type {Awaited<ReturnType<typeof candleChart>> | undefined} */
  let chart;
  /** @type {Awaited<ReturnType<typeof lineChart>> | undefined} */
  let equityChart;

  // ---- records ----
  const records = new RecordTabs(ctx, base, period);

  replace(
    root,
    h(
      "div",
      { class: "view-head bot-top" },
      h(
        "div",
        { class: "bot-title" },
        h("h1", { id: "bot-name" }, id),
        badges,
      ),
      h("div", { class: "bot-switch" }, h("label", { for: "bot-switch" }, t("bot.switch")), select),
    ),
    h(
      "section",
      { class: "card bot-summary", "aria-labelledby": "bot-name" },
      meta,
      figures,
      position,
      why,
      controls,
    ),
    h(
      "fieldset",
      { class: "bot-range" },
      h("legend", null, t("bot.range")),
      h("label", null, t("bot.from"), fromInput),
      h("label", null, t("bot.to"), toInput),
      h("button", { type: "button", onclick: () => clearRange() }, t("bot.latest")),
      rangeNote,
    ),
    h(
      "section",
      { class: "card bot-chart-card", "aria-labelledby": "bot-chart-title" },
      h("h2", { id: "bot-chart-title" }, t("bot.chart")),
      chartBox,
      chartNote,
    ),
    h(
      "section",
      { class: "card bot-equity-card", "aria-labelledby": "bot-equity-title" },
      h("h2", { id: "bot-equity-title" }, t("bot.equityCurve")),
      equityBox,
      equityNote,
    ),
    records.el,
  );

  /** The switcher's options: every bot, this one chosen. */
  function drawSwitcher(/** @type {BotRow[]} */ rows) {
    const ids = rows.map((b) => b.bot_id);
    if (!ids.includes(id)) ids.unshift(id);
    const key = ids.join("\n");
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      replace(select, ids.map((b) => h("option", { value: b }, b)));
    }
    select.value = id;
  }

  /** The head from the bot's answer (GET /api/bots/:id) and its list row. */
  function drawHead() {
    // The list's row is the fresher (read again on every event); the bot's answer adds why.
    const b = { ...detail, ...row };
    if (!b.state) return;
    const state = shownState(/** @type {BotRow} */ (b));
    replace(
      badges,
      h("span", { class: `badge state ${state}`, "data-testid": "bot-state" }, t(`state.${state}`)),
      h(
        "span",
        { class: `badge mode ${b.mode}`, "data-testid": "bot-mode" },
        b.mode === "live" ? t("mode.live") : t("mode.paper"),
      ),
    );
    root.classList.toggle("bot-live", b.mode === "live");
    replace(
      meta,
      `${b.strategy} ${b.strategy_version ?? ""} · ${b.exchange} ${b.symbol} · ${b.timeframe}`,
      b.requires_confirmation ? h("span", { class: "hint" }, ` · ${t("bot.confirmation")}`) : null,
    );
    const pos = b.position;
    // Unrealised P&L as the service counts it: equity at the marks − balance.
    const unreal = Number.isFinite(b.equity) && Number.isFinite(b.balance)
      ? b.equity - b.balance
      : b.unrealised_pnl ?? pos?.unrealised_pnl ?? null;
    const fig = (/** @type {string} */ key, /** @type {string} */ text, cls = "") =>
      h("div", null, h("dt", null, t(key)), h("dd", { class: cls }, text));
    replace(
      figures,
      fig("bot.equity", money(b.equity)),
      fig("bot.pnlToday", money(b.pnl_today, true), tone(b.pnl_today)),
      fig("bot.pnlTotal", money(b.pnl_total, true), tone(b.pnl_total)),
      fig("bot.trades", String(b.trades ?? 0)),
    );
    replace(
      position,
      h("span", { class: "label" }, `${t("bot.position")}: `),
      pos && pos.qty
        ? /** @type {(Node | string)[]} */ ([
          h(
            "strong",
            { class: pos.side === "short" ? "down" : "up" },
            `${pos.side === "short" ? "SHORT" : "LONG"} ${amount(Math.abs(pos.qty))}`,
          ),
          ` @ ${price(pos.entryPrice)}`,
          Number.isFinite(pos.sl) ? ` · ${t("bot.sl")} ${price(pos.sl)}` : null,
          Number.isFinite(pos.tp) ? ` · ${t("bot.tp")} ${price(pos.tp)}` : null,
          unreal !== null
            ? h("span", { class: tone(unreal) }, ` · ${t("bot.unrealised")} ${money(unreal, true)}`)
            : null,
        ].filter((x) => x !== null))
        : t("bot.flat"),
    );
    const warming = b.warming_up ? t("bot.warming", b.warming_up) : null;
    replace(
      why,
      b.why || warming ? h("span", { class: "label" }, `${t("bot.why")}: `) : null,
      b.why ?? warming,
      b.error && b.state === "failed" ? h("span", { class: "error" }, ` ${b.error}`) : null,
    );
    // Controls are drawn again only when they change, so the keyboard focus stays.
    const actions = actionsFor(/** @type {BotRow} */ (b));
    const key = actions.join();
    if (key === controlsKey) return;
    const focused = controls.contains(document.activeElement);
    controlsKey = key;
    replace(
      controls,
      actions.map((a) =>
        h("button", {
          type: "button",
          class: a === "stop" ? "danger" : "",
          "aria-label": `${t(`bot.${a}`)} ${id}`,
          onclick: async () => {
            await ctx.act(
              () => api.post(`${base}/${a}`),
              t("bot.done", { bot: id, action: t(`bot.${a}`) }),
            );
            ctx.bots.refresh();
            refresh(["head"]);
          },
        }, t(`bot.${a}`))
      ),
    );
    if (focused) /** @type {HTMLElement | null} */ (controls.querySelector("button"))?.focus();
  }

  async function loadHead() {
    detail = await api.get(base);
    if (!disposed) drawHead();
  }

  /** The query of the chosen period (none: the latest). */
  function period() {
    return { from: range.from, to: range.to };
  }

  /** Candles (and their indicators) of the period: the latest ones when there are too many. */
  async function loadChart() {
    const { total, ...page } = await candlePage();
    // The bot itself again: its position's entry, SL and TP as of these candles.
    const [candles, indicators, bot] = await Promise.all([
      api.get(`${base}/candles`, page),
      // A service without the indicators route answers 404: no indicators then.
      api.get(`${base}/indicators`, page).catch((err) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
      api.get(base),
    ]);
    const ts = /** @type {number[]} */ (candles.ts);
    const trades = ts.length
      ? (await api.get(`${base}/trades`, { from: ts[0], limit: MARKER_TRADES })).trades
      : [];
    if (disposed) return;
    detail = bot;
    drawHead();
    const pos = bot.position ?? null;
    const data = {
      candles,
      markers: markersOf(ctx, trades, pos),
      levels: levelsOf(ctx, pos),
      indicators: (indicators?.lines ?? []).map((/** @type {Row} */ l) => ({
        name: l.name,
        pane: l.pane,
        ts: indicators.ts,
        values: l.values,
      })),
    };
    chartNote.hidden = ts.length > 0;
    if (!ts.length && !chart) {
      chartBox.hidden = true;
    } else if (chart) {
      chart.update(data, { fit: fitNext });
    } else {
      chartBox.hidden = false;
      const made = await candleChart(chartBox, data);
      if (disposed) return made.destroy();
      chart = made;
    }
    fitNext = false;
    chartBox.hidden = !ts.length;
    chartBox.dataset.candles = String(ts.length);
    // How long the chart took to show, for the page's benchmark (the first one only).
    if (!performance.getEntriesByName("tw:chart").length) performance.mark("tw:chart");
    chartBox.dataset.markers = String(chart?.markers ?? 0);
    chartBox.dataset.indicators = String(chart?.indicators ?? 0);
    chartBox.dataset.levels = String(chart ? data.levels.length : 0);
    chartBox.setAttribute(
      "aria-label",
      t("bot.chart.label", { bot: id, markers: chart?.markers ?? 0 }),
    );
    const shownText = ts.length
      ? t("bot.range.shown", {
        n: ts.length,
        from: utc(ts[0]),
        to: utc(ts[ts.length - 1]),
      })
      : "";
    const cut = total !== undefined && total > page.limit
      ? ` (${t("bot.range.cut", { n: page.limit, total })})`
      : "";
    rangeNote.textContent = range.from === undefined && range.to === undefined
      ? `${t("bot.range.latest", { n: LATEST_CANDLES })}${shownText ? ` · ${shownText}` : ""}`
      : `${shownText}${cut}`;
  }

  /**
   * The candles to ask for: the latest ones (from the bot's latest candle back, so the service
   * reads no more than those), or the last ones of the chosen period (`total`: in the period).
   * @returns {Promise<{ from?: number, to?: number, offset?: number, limit: number, total?: number }>}
   */
  async function candlePage() {
    const latest = range.from === undefined && range.to === undefined;
    const last = detail?.last_candle_ts;
    const step = timeframeMs(detail?.timeframe ?? row?.timeframe);
    if (latest && Number.isFinite(last) && step) {
      return { from: last - (LATEST_CANDLES - 1) * step, limit: LATEST_CANDLES + 10 };
    }
    const most = latest ? LATEST_CANDLES : RANGE_CANDLES;
    const q = period();
    const { total } = await api.get(`${base}/candles`, { ...q, limit: 1 });
    return { ...q, offset: Math.max(0, total - most), limit: most, total };
  }

  /** The equity curve of the period. */
  async function loadEquity() {
    const body = await api.get(`${base}/equity`, { ...period(), limit: EQUITY_POINTS });
    if (disposed) return;
    const rows = /** @type {Row[]} */ (body.equity).slice().reverse();
    const lines = [{
      name: t("bot.equity"),
      kind: /** @type {const} */ ("equity"),
      ts: rows.map((r) => Number(r.ts)),
      values: rows.map((r) => Number(r.equity)),
    }];
    equityNote.hidden = rows.length > 0;
    equityBox.hidden = rows.length === 0 && !equityChart;
    if (!rows.length) return;
    equityBox.hidden = false;
    if (equityChart) equityChart.update(lines, { fit: true });
    else {
      const made = await lineChart(equityBox, lines);
      if (disposed) return made.destroy();
      equityChart = made;
    }
  }

  // ---- loading, one load of a part at a time ----
  /** @type {Map<Part, { running: boolean, again: boolean }>} */
  const loads = new Map();
  /** @type {Record<"head" | "chart" | "equity", () => Promise<void>>} */
  const loaders = { head: loadHead, chart: loadChart, equity: loadEquity };
  /** @param {Part[]} parts */
  function refresh(parts) {
    records.changed(parts);
    for (const part of parts) {
      if (!(part in loaders)) continue;
      const load = loaders[/** @type {keyof typeof loaders} */ (part)];
      const l = loads.get(part) ?? { running: false, again: false };
      loads.set(part, l);
      if (l.running) {
        l.again = true;
        continue;
      }
      l.running = true;
      (async () => {
        try {
          do {
            l.again = false;
            await load();
          } while (l.again && !disposed);
        } catch (err) {
          if (!disposed) {
            ctx.toast(
              t("error.generic", { message: err instanceof Error ? err.message : String(err) }),
              "error",
            );
          }
        } finally {
          l.running = false;
        }
      })();
    }
  }

  // ---- the period ----
  function setRange() {
    const from = dayMs(fromInput.value, false);
    const to = dayMs(toInput.value, true);
    if (from !== undefined && to !== undefined && from > to) {
      rangeNote.textContent = t("bot.range.bad");
      return;
    }
    range = { from, to };
    reload();
  }
  function clearRange() {
    fromInput.value = "";
    toInput.value = "";
    range = {};
    reload();
  }
  function reload() {
    fitNext = true;
    records.reset();
    refresh(["chart", "equity"]);
  }

  // ---- live: what an event of this bot makes stale, redrawn at most every 2 s ----
  /** @type {Set<Part>} */
  const dirty = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let lastFlush = 0;
  function flush() {
    timer = undefined;
    lastFlush = performance.now();
    const parts = [...dirty];
    dirty.clear();
    // A period that ended before the bot's latest candle does not change.
    const past = range.to !== undefined && detail?.last_candle_ts != null &&
      range.to < detail.last_candle_ts;
    // The chart reads the bot's head again too.
    refresh(
      past
        ? parts.filter((p) => p === "head")
        : parts.includes("chart")
        ? parts.filter((p) => p !== "head")
        : parts,
    );
  }
  const unlisten = ctx.live.on(["bot."], (e) => {
    if (e.botId !== id) return;
    const parts = STALE_BY_EVENT[e.type];
    if (!parts) return;
    for (const p of parts) dirty.add(p);
    if (timer !== undefined) return;
    timer = setTimeout(flush, Math.max(250, lastFlush + LIVE_EVERY_MS - performance.now()));
  });
  const unwatch = ctx.bots.watch((rows) => {
    drawSwitcher(rows);
    row = rows.find((b) => b.bot_id === id);
    drawHead();
  });

  // The head first: the chart's SL/TP lines and entry marker come from it.
  drawSwitcher(ctx.bots.rows);
  drawHead();
  (async () => {
    try {
      await loadHead();
    } catch (err) {
      if (disposed) return;
      if (err instanceof ApiError && err.status === 404) {
        replace(
          root,
          h(
            "div",
            { class: "bot-missing" },
            h("p", { class: "error", role: "alert" }, t("bot.missing", { bot: id })),
            h("a", { href: "#/bots" }, t("bot.back")),
          ),
        );
        return;
      }
      ctx.toast(t("error.generic", { message: String(err) }), "error");
    }
    if (!disposed) {
      refresh(["chart", "equity"]);
      records.show(records.shown);
    }
  })();

  return () => {
    disposed = true;
    if (timer !== undefined) clearTimeout(timer);
    unlisten();
    unwatch();
    records.dispose();
    chart?.destroy();
    equityChart?.destroy();
    chart = undefined;
    equityChart = undefined;
  };
}

/** @type {import("../app.js").View} */
export default {
  mount(ctx, root, params) {
    const id = params[0];
    if (id) return mountBot(ctx, root, id);
    // #/bot alone: the first bot, once the list is known.
    replace(root, h("p", { class: "loading" }, ctx.t("loading")));
    let unwatch = () => {};
    unwatch = ctx.bots.watch((rows) => {
      queueMicrotask(() => unwatch());
      if (rows.length) {
        location.replace(`#/bot/${encodeURIComponent(rows[0].bot_id)}`);
      } else replace(root, h("p", { class: "empty" }, ctx.t("bot.none")));
    });
    return () => unwatch();
  },
};
