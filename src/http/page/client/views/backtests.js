// The backtests view: stored runs with their key metrics, running jobs with live progress, the form
// that runs one (the strategy's own parameters), a run's detail (metrics, equity and drawdown,
// trades, candles with trade markers), deleting runs, and the parity report of a bot.

import { ApiError } from "../api.js";
import { amount, h, money, percent, price, replace, tone, utc } from "../dom.js";
import { addTexts } from "../i18n.js";

addTexts({
  en: {
    "backtests.title": "Backtests",
    "backtests.runs": "Runs",
    "backtests.none": "No backtests yet. Run one with the form below.",
    "backtests.jobs": "Running",
    "backtests.job.progress": "{job}: {strategy} {symbol} {timeframe}",
    "backtests.job.failed": "{job} failed: {error}",
    "backtests.job.cancelled": "{job} cancelled",
    "backtests.job.dismiss": "Dismiss",
    "backtests.job.started": "Backtest {job} started",
    "backtests.job.done": "Backtest {job} finished",
    "backtests.job.cancel": "Cancel",
    "backtests.deleteAll": "Delete all",
    "backtests.deleteAll.title": "Delete every backtest?",
    "backtests.deleteAll.explain":
      "Every stored run and its trades are deleted, and running jobs are cancelled.",
    "backtests.deleteAll.done": "Every backtest deleted",
    "backtests.delete": "Delete",
    "backtests.delete.title": "Delete this backtest?",
    "backtests.delete.explain": "Run {id} and its trades are deleted.",
    "backtests.deleted": "Backtest {id} deleted",
    "backtests.col.run": "Run",
    "backtests.col.strategy": "Strategy",
    "backtests.col.market": "Market",
    "backtests.col.created": "Created (UTC)",
    "backtests.col.actions": "Actions",
    "backtests.m.total_return": "Return",
    "backtests.m.cagr": "CAGR",
    "backtests.m.max_drawdown": "Max drawdown",
    "backtests.m.max_drawdown_duration_ms": "Longest drawdown",
    "backtests.m.sharpe": "Sharpe",
    "backtests.m.sortino": "Sortino",
    "backtests.m.calmar": "Calmar",
    "backtests.m.trades": "Trades",
    "backtests.m.win_rate": "Win rate",
    "backtests.m.profit_factor": "Profit factor",
    "backtests.m.exposure": "Exposure",
    "backtests.m.fees": "Fees",
    "backtests.m.funding": "Funding",
    "backtests.m.final_equity": "Final equity",
    "backtests.m.initial_equity": "Starting cash",
    "backtests.form.title": "Run a backtest",
    "backtests.form.strategy": "Strategy",
    "backtests.form.params": "Parameters",
    "backtests.form.paramsJson": "Parameters (JSON)",
    "backtests.form.noParams": "This strategy has no parameters.",
    "backtests.form.series": "Stored candles",
    "backtests.form.noSeries":
      "No candles are stored. Download some first: deno task data download …",
    "backtests.form.from": "From (UTC date)",
    "backtests.form.to": "To, inclusive (UTC date)",
    "backtests.form.money": "Money and costs",
    "backtests.form.cash": "Starting cash",
    "backtests.form.fee": "Fee per fill (fraction, 0.001 = 0.1 %)",
    "backtests.form.slippage": "Slippage (basis points)",
    "backtests.form.risk": "Risk",
    "backtests.form.sizeMode": "Size mode",
    "backtests.form.sizeMode.equity": "equity: size is a fraction of equity",
    "backtests.form.sizeMode.risk": "risk: size is the fraction of equity lost at the stop",
    "backtests.form.size": "Size (fraction)",
    "backtests.form.leverage": "Leverage",
    "backtests.form.default": "default",
    "backtests.form.run": "Run backtest",
    "backtests.form.invalid": "The backtest was not started: {message}",
    "backtests.back": "All backtests",
    "backtests.detail.title": "Backtest {id}",
    "backtests.detail.metrics": "Metrics",
    "backtests.detail.equity": "Equity and drawdown",
    "backtests.detail.equityLine": "Equity",
    "backtests.detail.drawdownLine": "Drawdown",
    "backtests.detail.chart": "Candles and trades",
    "backtests.detail.noCandles": "The run's candles are no longer stored.",
    "backtests.detail.trades": "Trades",
    "backtests.detail.noTrades": "This run made no trades.",
    "backtests.detail.params": "Parameters",
    "backtests.detail.job": "Backtest {id} is running",
    "backtests.detail.missing": "Backtest {id} does not exist.",
    "backtests.t.side": "Side",
    "backtests.t.entry": "Entry (UTC)",
    "backtests.t.entryPrice": "Entry price",
    "backtests.t.exit": "Exit (UTC)",
    "backtests.t.exitPrice": "Exit price",
    "backtests.t.qty": "Quantity",
    "backtests.t.fees": "Fees",
    "backtests.t.pnl": "P&L",
    "backtests.t.reason": "Exit reason",
    "backtests.parity.title": "Parity of a bot",
    "backtests.parity.explain":
      "Backtests the candles a bot traded on and compares its decisions with the bot's own.",
    "backtests.parity.bot": "Bot",
    "backtests.parity.noBots": "No bots are configured.",
    "backtests.parity.check": "Check parity",
    "backtests.parity.comparable": "Comparable",
    "backtests.parity.reason": "Why not",
    "backtests.parity.candles": "Candles",
    "backtests.parity.decisionsBot": "Decisions of the bot",
    "backtests.parity.decisionsBacktest": "Decisions of the backtest",
    "backtests.parity.match": "Decisions match",
    "backtests.parity.first": "First difference (decision {index})",
    "backtests.parity.field": "Field",
    "backtests.parity.ofBot": "Bot",
    "backtests.parity.ofBacktest": "Backtest",
    "backtests.yes": "yes",
    "backtests.no": "no",
  },
  uk: {
    "backtests.title": "Бектести",
    "backtests.runs": "Прогони",
    "backtests.none": "Бектестів ще немає. Запустіть один формою нижче.",
    "backtests.jobs": "Виконуються",
    "backtests.job.progress": "{job}: {strategy} {symbol} {timeframe}",
    "backtests.job.failed": "{job} не вдався: {error}",
    "backtests.job.cancelled": "{job} скасовано",
    "backtests.job.dismiss": "Прибрати",
    "backtests.job.started": "Бектест {job} запущено",
    "backtests.job.done": "Бектест {job} завершено",
    "backtests.job.cancel": "Скасувати",
    "backtests.deleteAll": "Видалити всі",
    "backtests.deleteAll.title": "Видалити всі бектести?",
    "backtests.deleteAll.explain":
      "Усі збережені прогони та їхні угоди буде видалено, а запущені завдання скасовано.",
    "backtests.deleteAll.done": "Усі бектести видалено",
    "backtests.delete": "Видалити",
    "backtests.delete.title": "Видалити цей бектест?",
    "backtests.delete.explain": "Прогін {id} та його угоди буде видалено.",
    "backtests.deleted": "Бектест {id} видалено",
    "backtests.col.run": "Прогін",
    "backtests.col.strategy": "Стратегія",
    "backtests.col.market": "Ринок",
    "backtests.col.created": "Створено (UTC)",
    "backtests.col.actions": "Дії",
    "backtests.m.total_return": "Дохідність",
    "backtests.m.cagr": "Річна дохідність",
    "backtests.m.max_drawdown": "Макс. просідання",
    "backtests.m.max_drawdown_duration_ms": "Найдовше просідання",
    "backtests.m.sharpe": "Шарп",
    "backtests.m.sortino": "Сортіно",
    "backtests.m.calmar": "Калмар",
    "backtests.m.trades": "Угоди",
    "backtests.m.win_rate": "Частка прибуткових",
    "backtests.m.profit_factor": "Профіт-фактор",
    "backtests.m.exposure": "Час у позиції",
    "backtests.m.fees": "Комісії",
    "backtests.m.funding": "Фандинг",
    "backtests.m.final_equity": "Кінцевий капітал",
    "backtests.m.initial_equity": "Початковий капітал",
    "backtests.form.title": "Запустити бектест",
    "backtests.form.strategy": "Стратегія",
    "backtests.form.params": "Параметри",
    "backtests.form.paramsJson": "Параметри (JSON)",
    "backtests.form.noParams": "Ця стратегія не має параметрів.",
    "backtests.form.series": "Збережені свічки",
    "backtests.form.noSeries":
      "Свічок не збережено. Спершу завантажте їх: deno task data download …",
    "backtests.form.from": "Від (дата UTC)",
    "backtests.form.to": "До, включно (дата UTC)",
    "backtests.form.money": "Гроші та витрати",
    "backtests.form.cash": "Початковий капітал",
    "backtests.form.fee": "Комісія за виконання (частка, 0.001 = 0.1 %)",
    "backtests.form.slippage": "Прослизання (базисні пункти)",
    "backtests.form.risk": "Ризик",
    "backtests.form.sizeMode": "Спосіб розміру",
    "backtests.form.sizeMode.equity": "equity: розмір — частка капіталу",
    "backtests.form.sizeMode.risk": "risk: розмір — частка капіталу, втрачена на стопі",
    "backtests.form.size": "Розмір (частка)",
    "backtests.form.leverage": "Плече",
    "backtests.form.default": "типово",
    "backtests.form.run": "Запустити бектест",
    "backtests.form.invalid": "Бектест не запущено: {message}",
    "backtests.back": "Усі бектести",
    "backtests.detail.title": "Бектест {id}",
    "backtests.detail.metrics": "Показники",
    "backtests.detail.equity": "Капітал і просідання",
    "backtests.detail.equityLine": "Капітал",
    "backtests.detail.drawdownLine": "Просідання",
    "backtests.detail.chart": "Свічки та угоди",
    "backtests.detail.noCandles": "Свічки цього прогону більше не збережені.",
    "backtests.detail.trades": "Угоди",
    "backtests.detail.noTrades": "Цей прогін не зробив жодної угоди.",
    "backtests.detail.params": "Параметри",
    "backtests.detail.job": "Бектест {id} виконується",
    "backtests.detail.missing": "Бектесту {id} не існує.",
    "backtests.t.side": "Бік",
    "backtests.t.entry": "Вхід (UTC)",
    "backtests.t.entryPrice": "Ціна входу",
    "backtests.t.exit": "Вихід (UTC)",
    "backtests.t.exitPrice": "Ціна виходу",
    "backtests.t.qty": "Кількість",
    "backtests.t.fees": "Комісії",
    "backtests.t.pnl": "P&L",
    "backtests.t.reason": "Причина виходу",
    "backtests.parity.title": "Паритет бота",
    "backtests.parity.explain":
      "Проганяє бектест на свічках, якими торгував бот, і порівнює його рішення з рішеннями бота.",
    "backtests.parity.bot": "Бот",
    "backtests.parity.noBots": "Жодного бота не налаштовано.",
    "backtests.parity.check": "Перевірити паритет",
    "backtests.parity.comparable": "Можна порівняти",
    "backtests.parity.reason": "Чому ні",
    "backtests.parity.candles": "Свічки",
    "backtests.parity.decisionsBot": "Рішення бота",
    "backtests.parity.decisionsBacktest": "Рішення бектесту",
    "backtests.parity.match": "Рішення збігаються",
    "backtests.parity.first": "Перша відмінність (рішення {index})",
    "backtests.parity.field": "Поле",
    "backtests.parity.ofBot": "Бот",
    "backtests.parity.ofBacktest": "Бектест",
    "backtests.yes": "так",
    "backtests.no": "ні",
  },
});

/** @typedef {import("../app.js").Ctx} Ctx */
/**
 * A strategy parameter as GET /api/strategies describes it.
 * @typedef {{ name: string, type: "integer" | "number" | "boolean" | "enum" | "string",
 *   default?: unknown, min?: number, max?: number, choices?: string[], description?: string,
 *   optional: boolean }} Param
 */
/** @typedef {{ name: string, version: string, description?: string, params: Param[] }} Strategy */
/** @typedef {{ exchange: string, symbol: string, timeframe: string, first: number, last: number, count: number }} Series */
/** @typedef {{ job_id: string, state: string, progress: number, request: Record<string, any>, run_id?: string, error?: string }} Job */
/** @typedef {Record<string, any>} Run */

const DAY = 86_400_000;

/** The key metrics of a run's row in the list, in column order. */
const LIST_METRICS = ["total_return", "max_drawdown", "sharpe", "trades", "win_rate"];

/** The metrics of a run's detail, in order. */
const DETAIL_METRICS = [
  "total_return",
  "cagr",
  "max_drawdown",
  "max_drawdown_duration_ms",
  "sharpe",
  "sortino",
  "calmar",
  "trades",
  "win_rate",
  "profit_factor",
  "exposure",
  "fees",
  "funding",
  "initial_equity",
  "final_equity",
];

/**
 * A number with up to `d` decimals.
 * @param {unknown} v
 * @param {number} [d]
 */
function num(v, d = 2) {
  return typeof v === "number" && Number.isFinite(v)
    ? v.toLocaleString("en-US", { maximumFractionDigits: d })
    : "—";
}

/** @param {unknown} ms */
function duration(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "—";
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${num(hours / 24, 1)} d` : `${num(hours, 1)} h`;
}

/**
 * A metric as a person reads it, with its tone class.
 * @param {string} key
 * @param {unknown} v
 * @returns {[string, string]}
 */
export function metricText(key, v) {
  const n = typeof v === "number" ? v : null;
  switch (key) {
    case "total_return":
    case "cagr":
      return [percent(n, true), tone(n)];
    case "max_drawdown":
      return [n ? percent(-Math.abs(n)) : percent(n), n ? "down" : ""];
    case "win_rate":
    case "exposure":
      return [percent(n), ""];
    case "max_drawdown_duration_ms":
      return [duration(n), ""];
    case "trades":
      return [num(n, 0), ""];
    case "fees":
    case "funding":
    case "initial_equity":
    case "final_equity":
      return [money(n), ""];
    default:
      return [num(n), ""];
  }
}

/**
 * The milliseconds of a timeframe such as 1m, 4h, 1d or 1w.
 * @param {string} tf
 */
function timeframeMs(tf) {
  const m = /^(\d+)([smhdw])$/.exec(tf);
  if (!m) return 60_000;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY }[m[2]] ?? 60_000;
  return Number(m[1]) * unit;
}

/**
 * What a refused request says about each field: the 422 (`fields` and "field: message; …" in
 * its error) and the 400 of the body's shape ("Invalid body for …: cash: …"). The key "" holds
 * what names no field.
 * @param {unknown} err
 * @returns {Map<string, string>}
 */
export function fieldProblems(err) {
  const out = new Map();
  const body = err instanceof ApiError && err.body && typeof err.body === "object"
    ? /** @type {Record<string, unknown>} */ (err.body)
    : {};
  const text = String(body.error ?? (err instanceof Error ? err.message : err))
    .replace(/^Invalid (?:backtest request|body for [^:]+):\s*/, "");
  for (const part of text.split(/;\s(?=[A-Za-z_][\w.]*:\s)/)) {
    const m = /^([A-Za-z_][\w.]*):\s([\s\S]*)$/.exec(part);
    const [field, message] = m ? [m[1], m[2]] : ["", part];
    out.set(field, out.has(field) ? `${out.get(field)}; ${message}` : message);
  }
  return out;
}

/**
 * A confirmation dialog; `ask()` resolves true when confirmed.
 * @param {Ctx} ctx
 * @param {{ id: string, title: string, explain: string, confirm: string }} o
 */
function confirmDialog(ctx, o) {
  /** @type {(ok: boolean) => void} */
  let settle = () => {};
  const dialog = /** @type {HTMLDialogElement} */ (h(
    "dialog",
    { class: "bt-confirm", "aria-labelledby": o.id },
    h("h2", { id: o.id }, o.title),
    h("p", { class: "bt-explain" }, o.explain),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => dialog.close() }, ctx.t("cancel")),
      h("button", {
        type: "button",
        class: "danger solid",
        onclick: () => {
          settle(true);
          dialog.close();
        },
      }, o.confirm),
    ),
  ));
  dialog.addEventListener("close", () => settle(false));
  return {
    dialog,
    /** @param {string} [explain] */
    ask(explain) {
      if (explain) replace(/** @type {Element} */ (dialog.querySelector(".bt-explain")), explain);
      dialog.showModal();
      return new Promise((resolve) => {
        settle = (ok) => {
          settle = () => {};
          resolve(ok);
        };
      });
    },
  };
}

/**
 * A labelled field: label, control, an optional hint, and the place for the service's problem.
 * @param {string} name the request field (e.g. "cash", "params.fast_period")
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
function field(name, label, control, hint) {
  const id = `bt-f-${name.replace(/\W/g, "-")}`;
  control.id = id;
  control.dataset.field = name;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  const check = control instanceof HTMLInputElement && control.type === "checkbox";
  return h(
    "div",
    { class: `bt-field${check ? " check" : ""}`, "data-for": name },
    check
      ? h("label", { for: id, class: "check" }, control, label)
      : [h("label", { for: id }, label), control],
    hint ? h("small", { id: hintId, class: "hint" }, hint) : null,
  );
}

/**
 * The input of one strategy parameter, prefilled with its default.
 * @param {Param} p
 */
function paramControl(p) {
  const name = `params.${p.name}`;
  if (p.type === "boolean") {
    return h("input", { type: "checkbox", name, checked: p.default === true });
  }
  if (p.type === "enum") {
    return h(
      "select",
      { name },
      p.default === undefined ? h("option", { value: "" }, "—") : null,
      (p.choices ?? []).map((c) => h("option", { value: c, selected: c === p.default }, c)),
    );
  }
  if (p.type === "integer" || p.type === "number") {
    return h("input", {
      type: "number",
      name,
      inputmode: p.type === "integer" ? "numeric" : "decimal",
      min: p.min,
      max: p.max,
      step: p.type === "integer" ? 1 : "any",
      value: typeof p.default === "number" ? p.default : "",
    });
  }
  return h("input", {
    type: "text",
    name,
    value: typeof p.default === "string" ? p.default : "",
  });
}

/**
 * The value of a parameter's input as the request carries it (undefined: left out).
 * @param {Param} p
 * @param {HTMLInputElement | HTMLSelectElement} el
 */
function paramValue(p, el) {
  if (p.type === "boolean") return /** @type {HTMLInputElement} */ (el).checked;
  const v = el.value.trim();
  if (v === "") return undefined;
  if (p.type === "integer" || p.type === "number") return Number(v);
  return v;
}

/**
 * The form that runs a backtest: strategy and its parameters, the series, the range, the money,
 * the risk. Calls `started(job)` once the service accepted it.
 * @param {Ctx} ctx
 * @param {(job: Job) => void} started
 */
function runForm(ctx, started) {
  const { t } = ctx;
  const strategy = /** @type {HTMLSelectElement} */ (h("select", { name: "strategy" }));
  /** The strategy's control: the select, or a text input when strategies are not listed. */
  let strategyInput = /** @type {HTMLSelectElement | HTMLInputElement} */ (strategy);
  const paramsBox = h("div", { class: "bt-params" });
  const series = /** @type {HTMLSelectElement} */ (h("select", { name: "series" }));
  const seriesHint = h("small", { class: "hint" });
  const from = /** @type {HTMLInputElement} */ (h("input", { type: "date", name: "from" }));
  const to = /** @type {HTMLInputElement} */ (h("input", { type: "date", name: "to" }));
  const numberInput = (
    /** @type {string} */ name,
    /** @type {Record<string, unknown>} */ o,
  ) => /** @type {HTMLInputElement} */ (h("input", {
    type: "number",
    name,
    inputmode: "decimal",
    step: "any",
    ...o,
  }));
  const cash = numberInput("cash", { min: 0, value: 10000 });
  const fee = numberInput("fee", { min: 0, max: 0.1, placeholder: "0.001" });
  const slippage = numberInput("slippage_bps", { min: 0, max: 1000, placeholder: "0" });
  const sizeMode = /** @type {HTMLSelectElement} */ (h(
    "select",
    { name: "size_mode" },
    h("option", { value: "" }, t("backtests.form.default")),
    h("option", { value: "equity" }, t("backtests.form.sizeMode.equity")),
    h("option", { value: "risk" }, t("backtests.form.sizeMode.risk")),
  ));
  const size = numberInput("size", { min: 0, placeholder: t("backtests.form.default") });
  const leverage = numberInput("leverage", { min: 1, max: 125, placeholder: "1" });
  const formError = h("p", { class: "error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("backtests.form.run"));

  /** @type {Strategy[] | null} null: the service does not list strategies (free JSON then) */
  let strategies = [];
  /** @type {Series[]} */
  let allSeries = [];
  /** @type {{ p: Param, el: HTMLInputElement | HTMLSelectElement }[]} */
  let paramInputs = [];
  const paramsJson = /** @type {HTMLTextAreaElement} */ (
    h("textarea", { name: "params", rows: 3, spellcheck: "false" }, "{}")
  );

  function drawParams() {
    if (strategies === null) {
      replace(paramsBox, field("params", t("backtests.form.paramsJson"), paramsJson));
      return;
    }
    const s = strategies.find((x) => x.name === strategy.value);
    paramInputs = (s?.params ?? []).map((p) => ({
      p,
      el: /** @type {HTMLInputElement | HTMLSelectElement} */ (paramControl(p)),
    }));
    replace(
      paramsBox,
      s?.description ? h("p", { class: "hint bt-desc" }, s.description) : null,
      paramInputs.length
        ? paramInputs.map(({ p, el }) => field(`params.${p.name}`, p.name, el, p.description))
        : h("p", { class: "hint" }, t("backtests.form.noParams")),
    );
  }

  function drawRange() {
    const s = allSeries[Number(series.value)];
    if (!s) return;
    const first = new Date(s.first).toISOString().slice(0, 10);
    const last = new Date(s.last).toISOString().slice(0, 10);
    for (const el of [from, to]) {
      el.min = first;
      el.max = last;
    }
    from.value = first;
    to.value = last;
    replace(seriesHint, `${utc(s.first)} → ${utc(s.last)} · ${s.count.toLocaleString("en-US")}`);
  }

  strategy.addEventListener("change", drawParams);
  series.addEventListener("change", drawRange);

  const form = /** @type {HTMLFormElement} */ (h(
    "form",
    { class: "bt-form card", novalidate: true, "aria-labelledby": "bt-form-title" },
    h("h2", { id: "bt-form-title" }, t("backtests.form.title")),
    h(
      "div",
      { class: "bt-grid" },
      h(
        "fieldset",
        null,
        h("legend", null, t("backtests.form.strategy")),
        field("strategy", t("backtests.form.strategy"), strategy),
        paramsBox,
      ),
      h(
        "fieldset",
        null,
        h("legend", null, t("backtests.form.series")),
        h(
          "div",
          { class: "bt-field", "data-for": "series" },
          h("label", { for: "bt-f-series" }, t("backtests.form.series")),
          series,
          seriesHint,
        ),
        field("from", t("backtests.form.from"), from),
        field("to", t("backtests.form.to"), to),
      ),
      h(
        "fieldset",
        null,
        h("legend", null, t("backtests.form.money")),
        field("cash", t("backtests.form.cash"), cash),
        field("fee", t("backtests.form.fee"), fee),
        field("slippage_bps", t("backtests.form.slippage"), slippage),
      ),
      h(
        "fieldset",
        null,
        h("legend", null, t("backtests.form.risk")),
        field("size_mode", t("backtests.form.sizeMode"), sizeMode),
        field("size", t("backtests.form.size"), size),
        field("leverage", t("backtests.form.leverage"), leverage),
      ),
    ),
    formError,
    h("div", { class: "actions" }, submit),
  ));
  series.id = "bt-f-series";
  series.dataset.field = "series";

  function clearProblems() {
    for (const el of form.querySelectorAll(".field-error")) el.remove();
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      const d = (el.getAttribute("aria-describedby") ?? "").split(" ")
        .filter((x) => x && !x.endsWith("-error")).join(" ");
      if (d) el.setAttribute("aria-describedby", d);
      else el.removeAttribute("aria-describedby");
    }
    formError.hidden = true;
  }

  /** @param {Map<string, string>} problems */
  function showProblems(problems) {
    /** @type {string[]} */
    const loose = [];
    let focused = false;
    for (const [name, message] of problems) {
      // The series' three fields share its one select.
      const at = ["exchange", "symbol", "timeframe"].includes(name) ? "series" : name;
      const box = form.querySelector(`[data-for="${CSS.escape(at)}"]`) ??
        (at.startsWith("params") ? paramsBox : null);
      if (!box) {
        loose.push(name ? `${name}: ${message}` : message);
        continue;
      }
      const control = box.querySelector("[data-field]");
      const id = `${control?.id ?? "bt-params"}-error`;
      const text = at === "params" || at === name ? message : `${name}: ${message}`;
      box.append(h("p", { class: "field-error error", id }, text));
      if (control) {
        control.setAttribute("aria-invalid", "true");
        const d = control.getAttribute("aria-describedby");
        control.setAttribute("aria-describedby", d ? `${d} ${id}` : id);
        if (!focused) {
          /** @type {HTMLElement} */ (control).focus();
          focused = true;
        }
      }
    }
    if (loose.length) {
      replace(formError, t("backtests.form.invalid", { message: loose.join("; ") }));
      formError.hidden = false;
    }
  }

  /** The request the form describes. */
  function request() {
    const s = allSeries[Number(series.value)];
    /** @type {Record<string, unknown>} */
    const body = { strategy: strategyInput.value };
    if (s) Object.assign(body, { exchange: s.exchange, symbol: s.symbol, timeframe: s.timeframe });
    if (strategies === null) {
      try {
        body.params = JSON.parse(paramsJson.value || "{}");
      } catch {
        body.params = paramsJson.value;
      }
    } else {
      /** @type {Record<string, unknown>} */
      const params = {};
      for (const { p, el } of paramInputs) {
        const v = paramValue(p, el);
        if (v !== undefined) params[p.name] = v;
      }
      body.params = params;
    }
    if (from.value) body.from = from.valueAsNumber;
    if (to.value) body.to = to.valueAsNumber + DAY;
    for (
      const [k, el] of /** @type {[string, HTMLInputElement][]} */ ([
        ["cash", cash],
        ["fee", fee],
        ["slippage_bps", slippage],
        ["size", size],
        ["leverage", leverage],
      ])
    ) {
      if (el.value.trim() !== "") body[k] = Number(el.value);
    }
    if (sizeMode.value) body.size_mode = sizeMode.value;
    return body;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearProblems();
    if (!(await ctx.requireLogin())) return;
    submit.setAttribute("disabled", "");
    try {
      const job = /** @type {Job} */ (await ctx.api.post("/api/backtests", request()));
      ctx.toast(t("backtests.job.started", { job: job.job_id }));
      started(job);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 422 || err.status === 400)) {
        showProblems(fieldProblems(err));
      } else if (err instanceof ApiError && err.status === 401) {
        ctx.boot.loggedIn = false;
        ctx.toast(t("login.needed"), "error");
      } else {
        ctx.toast(
          t("error.generic", { message: err instanceof Error ? err.message : String(err) }),
          "error",
        );
      }
    } finally {
      submit.removeAttribute("disabled");
    }
  });

  /** Loads the strategies and the stored series. */
  async function load() {
    const [st, se] = await Promise.all([
      ctx.api.get("/api/strategies").then(
        (r) => /** @type {Strategy[]} */ (r.strategies),
        (err) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        },
      ),
      ctx.api.get("/api/candles/series").then((r) => /** @type {Series[]} */ (r.series)),
    ]);
    strategies = st;
    allSeries = se.filter((s) => s.count > 0);
    if (strategies === null) {
      const text = /** @type {HTMLInputElement} */ (h("input", {
        type: "text",
        name: "strategy",
        value: "sma_cross",
      }));
      strategy.replaceWith(text);
      text.id = strategy.id;
      text.dataset.field = "strategy";
      strategyInput = text;
    } else {
      replace(
        strategy,
        strategies.map((s) => h("option", { value: s.name }, `${s.name} ${s.version}`)),
      );
    }
    replace(
      series,
      allSeries.length
        ? allSeries.map((s, i) =>
          h("option", { value: i }, `${s.exchange} ${s.symbol} ${s.timeframe}`)
        )
        : h("option", { value: "" }, t("backtests.form.noSeries")),
    );
    drawParams();
    drawRange();
  }

  return { form, load };
}

/**
 * The parity report of a bot: a select of bots and the report as a table.
 * @param {Ctx} ctx
 */
function paritySection(ctx) {
  const { t } = ctx;
  const select = /** @type {HTMLSelectElement} */ (h("select", { id: "bt-parity-bot" }));
  const out = h("div", { class: "bt-parity-out", "aria-live": "polite" });
  const button = h("button", {
    type: "button",
    onclick: async () => {
      if (!select.value) return;
      replace(out, h("p", { class: "loading" }, t("loading")));
      try {
        const r = await ctx.api.get(`/api/bots/${encodeURIComponent(select.value)}/parity`);
        replace(out, parityTable(ctx, r));
      } catch (err) {
        replace(
          out,
          h(
            "p",
            { class: "error", role: "alert" },
            err instanceof Error ? err.message : String(err),
          ),
        );
      }
    },
  }, t("backtests.parity.check"));
  const section = h(
    "section",
    { class: "bt-parity card", "aria-labelledby": "bt-parity-title" },
    h("h2", { id: "bt-parity-title" }, t("backtests.parity.title")),
    h("p", { class: "hint" }, t("backtests.parity.explain")),
    h(
      "div",
      { class: "bt-inline" },
      h("label", { for: "bt-parity-bot" }, t("backtests.parity.bot")),
      select,
      button,
    ),
    out,
  );
  const unwatch = ctx.bots.watch((rows) => {
    const ids = rows.map((b) => String(b.bot_id));
    const same = [...select.options].map((o) => o.value).join("\n") === ids.join("\n");
    if (same && (ids.length || out.childElementCount)) return;
    const chosen = select.value;
    replace(select, ids.map((id) => h("option", { value: id, selected: id === chosen }, id)));
    button.toggleAttribute("disabled", ids.length === 0);
    if (!ids.length) replace(out, h("p", { class: "hint" }, t("backtests.parity.noBots")));
  });
  return { section, unwatch };
}

/**
 * @param {Ctx} ctx
 * @param {Record<string, any>} r the parity report
 */
function parityTable(ctx, r) {
  const { t } = ctx;
  const yes = (/** @type {unknown} */ b) => (b ? t("backtests.yes") : t("backtests.no"));
  /** @type {[string, string, string?][]} */
  const rows = [
    [t("backtests.parity.comparable"), yes(r.comparable), r.comparable ? "up" : "down"],
    ...(r.reason
      ? [/** @type {[string, string]} */ ([t("backtests.parity.reason"), r.reason])]
      : []),
    [t("backtests.parity.candles"), num(r.candles, 0)],
    [t("backtests.parity.decisionsBot"), num(r.decisions?.bot, 0)],
    [t("backtests.parity.decisionsBacktest"), num(r.decisions?.backtest, 0)],
    [t("backtests.parity.match"), yes(r.match), r.match ? "up" : "down"],
  ];
  const first = r.first_difference;
  const show = (/** @type {any} */ d, /** @type {string} */ k) =>
    d === null || d === undefined ? "—" : k === "ts" ? utc(d[k]) : String(d[k] ?? "—");
  return h(
    "div",
    null,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "bt-parity-table", "data-bot": r.bot_id },
        h(
          "tbody",
          null,
          rows.map(([k, v, c]) =>
            h("tr", null, h("th", { scope: "row" }, k), h("td", { class: c ?? "" }, v))
          ),
        ),
      ),
    ),
    first
      ? h(
        "div",
        { class: "table-wrap bt-gap" },
        h(
          "table",
          null,
          h("caption", null, t("backtests.parity.first", { index: first.index })),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("backtests.parity.field")),
              h("th", { scope: "col" }, t("backtests.parity.ofBot")),
              h("th", { scope: "col" }, t("backtests.parity.ofBacktest")),
            ),
          ),
          h(
            "tbody",
            null,
            ["ts", "outcome", "code", "reason"].map((k) =>
              h(
                "tr",
                null,
                h("th", { scope: "row" }, k),
                h("td", { class: "wrap" }, show(first.bot, k)),
                h("td", { class: "wrap" }, show(first.backtest, k)),
              )
            ),
          ),
        ),
      )
      : null,
  );
}

/** Metrics of runs, by id (a stored run never changes). */
const metricsOf = new Map();

/**
 * The list: running jobs, stored runs, the form, parity.
 * @param {Ctx} ctx
 * @param {HTMLElement} root
 */
function mountList(ctx, root) {
  const { t } = ctx;
  const jobsBox = h("section", { class: "bt-jobs", "aria-label": t("backtests.jobs") });
  const runsBox = h("div", { class: "table-wrap" });
  let closed = false;
  const delAll = confirmDialog(ctx, {
    id: "bt-delall-title",
    title: t("backtests.deleteAll.title"),
    explain: t("backtests.deleteAll.explain"),
    confirm: t("backtests.deleteAll"),
  });
  const delOne = confirmDialog(ctx, {
    id: "bt-del-title",
    title: t("backtests.delete.title"),
    explain: "",
    confirm: t("backtests.delete"),
  });
  const { form, load } = runForm(ctx, () => refresh());
  const parity = paritySection(ctx);
  /** @type {Set<string>} */
  const fresh = new Set();

  replace(
    root,
    h(
      "div",
      { class: "view-head" },
      h("h1", null, t("backtests.title")),
      h("button", {
        type: "button",
        class: "danger",
        onclick: async () => {
          if (!(await ctx.requireLogin()) || !(await delAll.ask())) return;
          await ctx.act(() => ctx.api.delete("/api/backtests"), t("backtests.deleteAll.done"));
          refresh();
        },
      }, t("backtests.deleteAll")),
    ),
    jobsBox,
    h(
      "section",
      { class: "bt-runs", "aria-labelledby": "bt-runs-title" },
      h("h2", { id: "bt-runs-title" }, t("backtests.runs")),
      runsBox,
    ),
    form,
    parity.section,
    delAll.dialog,
    delOne.dialog,
  );

  /** @param {Job} j */
  function jobRow(j) {
    const r = j.request ?? {};
    if (j.state === "running") {
      const label = t("backtests.job.progress", {
        job: j.job_id,
        strategy: r.strategy ?? "",
        symbol: r.symbol ?? "",
        timeframe: r.timeframe ?? "",
      });
      return h(
        "div",
        { class: "bt-job", "data-job": j.job_id },
        h("label", { for: `bt-prog-${j.job_id}` }, label),
        h("progress", { id: `bt-prog-${j.job_id}`, max: 1, value: j.progress ?? 0 }),
        h("span", { class: "bt-pct" }, percent(j.progress ?? 0)),
        h("button", {
          type: "button",
          "aria-label": `${t("backtests.job.cancel")} ${j.job_id}`,
          onclick: () =>
            ctx.act(() => ctx.api.delete(`/api/backtests/${j.job_id}`)).then(() => refresh()),
        }, t("backtests.job.cancel")),
      );
    }
    return h(
      "div",
      { class: "bt-job ended", "data-job": j.job_id },
      h(
        "p",
        { class: j.state === "failed" ? "error" : "hint" },
        j.state === "failed"
          ? t("backtests.job.failed", { job: j.job_id, error: j.error ?? "" })
          : t("backtests.job.cancelled", { job: j.job_id }),
      ),
      h("button", {
        type: "button",
        "aria-label": `${t("backtests.job.dismiss")} ${j.job_id}`,
        onclick: () =>
          ctx.act(() => ctx.api.delete(`/api/backtests/${j.job_id}`)).then(() => refresh()),
      }, t("backtests.job.dismiss")),
    );
  }

  /** @param {Run[]} runs */
  function runsTable(runs) {
    if (!runs.length) return h("p", { class: "empty" }, t("backtests.none"));
    return h(
      "table",
      { class: "bt-runs-table" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("backtests.col.run")),
          h("th", { scope: "col" }, t("backtests.col.strategy")),
          h("th", { scope: "col" }, t("backtests.col.market")),
          LIST_METRICS.map((k) => h("th", { scope: "col", class: "num" }, t(`backtests.m.${k}`))),
          h("th", { scope: "col", class: "num" }, t("backtests.m.final_equity")),
          h("th", { scope: "col" }, t("backtests.col.created")),
          h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("backtests.col.actions"))),
        ),
      ),
      h(
        "tbody",
        null,
        runs.map((r) => {
          const m = { ...r, ...(metricsOf.get(r.id) ?? {}) };
          return h(
            "tr",
            { "data-run": r.id, class: fresh.has(r.id) ? "fresh" : "" },
            h("td", null, h("a", { href: `#/backtests/${encodeURIComponent(r.id)}` }, r.id)),
            h("td", null, `${r.strategy} ${r.strategy_version ?? ""}`),
            h("td", null, `${r.symbol} · ${r.timeframe}`),
            LIST_METRICS.map((k) => {
              const [text, cls] = metricText(k, m[k]);
              return h("td", { class: `num ${cls}`, "data-metric": k }, text);
            }),
            h("td", { class: "num" }, money(r.final_equity)),
            h("td", null, r.created_at ? r.created_at.slice(0, 16).replace("T", " ") : "—"),
            h(
              "td",
              null,
              h("button", {
                type: "button",
                class: "danger small",
                "aria-label": `${t("backtests.delete")} ${r.id}`,
                onclick: async () => {
                  if (!(await ctx.requireLogin())) return;
                  if (!(await delOne.ask(t("backtests.delete.explain", { id: r.id })))) return;
                  await ctx.act(
                    () => ctx.api.delete(`/api/backtests/${encodeURIComponent(r.id)}`),
                    t("backtests.deleted", { id: r.id }),
                  );
                  refresh();
                },
              }, t("backtests.delete")),
            ),
          );
        }),
      ),
    );
  }

  let loading = 0;
  async function refresh() {
    const n = ++loading;
    try {
      const { jobs, runs } = /** @type {{ jobs: Job[], runs: Run[] }} */ (
        await ctx.api.get("/api/backtests")
      );
      // Metrics the list lacks come from each run's detail (kept: a run never changes).
      const lacking = runs.slice(0, 30).filter((r) =>
        LIST_METRICS.some((k) => !(k in r)) && !metricsOf.has(r.id)
      );
      await Promise.all(lacking.map(async (r) => {
        try {
          const d = await ctx.api.get(`/api/backtests/${encodeURIComponent(r.id)}`);
          metricsOf.set(r.id, d.metrics ?? {});
        } catch {
          // deleted meanwhile: the next refresh drops it
        }
      }));
      if (closed || n !== loading) return;
      const shown = jobs.filter((j) => j.state !== "done");
      replace(
        jobsBox,
        shown.length ? h("h2", null, t("backtests.jobs")) : null,
        shown.map(jobRow),
      );
      replace(runsBox, runsTable(runs));
    } catch (err) {
      if (!closed) {
        replace(
          runsBox,
          h(
            "p",
            { class: "error", role: "alert" },
            err instanceof Error ? err.message : String(err),
          ),
        );
      }
    }
  }

  const off = ctx.live.on(["backtest."], (e) => {
    const d = e.data ?? {};
    if (e.type === "backtest.progress") {
      const row = jobsBox.querySelector(`[data-job="${CSS.escape(String(d.job_id))}"]`);
      const bar = row?.querySelector("progress");
      if (!bar) return void refresh();
      bar.value = d.progress;
      replace(/** @type {Element} */ (row?.querySelector(".bt-pct")), percent(d.progress));
      return;
    }
    if (d.state === "done") {
      if (d.run_id) fresh.add(d.run_id);
      ctx.toast(t("backtests.job.done", { job: d.job_id }));
    }
    refresh();
  });

  load().catch((err) =>
    ctx.toast(
      t("error.generic", { message: err instanceof Error ? err.message : String(err) }),
      "error",
    )
  );
  refresh();
  return () => {
    closed = true;
    off();
    parity.unwatch();
  };
}

/**
 * Equity of a run over time: the stored curve, else cash plus the P&L of each closed trade.
 * @param {Run} run
 * @returns {{ ts: number[], values: number[] }}
 */
export function equityOf(run) {
  if (run.equity?.ts?.length) return { ts: run.equity.ts, values: run.equity.equity };
  const cash = Number(run.metrics?.initial_equity ?? run.config?.cash ?? 0);
  const ts = [run.first_ts ?? run.trades?.[0]?.entry_ts ?? 0];
  const values = [cash];
  let eq = cash;
  for (const tr of run.trades ?? []) {
    eq += tr.pnl;
    ts.push(tr.exit_ts);
    values.push(eq);
  }
  return { ts, values };
}

/**
 * Drawdown below the running peak, as a negative fraction.
 * @param {number[]} values
 */
export function drawdownOf(values) {
  let peak = -Infinity;
  return values.map((v) => {
    peak = Math.max(peak, v);
    return peak > 0 ? v / peak - 1 : 0;
  });
}

/**
 * One run or job: `#/backtests/ID`.
 * @param {Ctx} ctx
 * @param {HTMLElement} root
 * @param {string} id
 */
function mountDetail(ctx, root, id) {
  const { t } = ctx;
  let closed = false;
  /** @type {{ destroy(): void }[]} */
  const charts = [];
  const body = h("div", { class: "bt-detail" }, h("p", { class: "loading" }, t("loading")));
  const del = confirmDialog(ctx, {
    id: "bt-del-title",
    title: t("backtests.delete.title"),
    explain: t("backtests.delete.explain", { id }),
    confirm: t("backtests.delete"),
  });
  replace(
    root,
    h("p", { class: "bt-back" }, h("a", { href: "#/backtests" }, `← ${t("backtests.back")}`)),
    h(
      "div",
      { class: "view-head" },
      h("h1", null, t("backtests.detail.title", { id })),
      h("button", {
        type: "button",
        class: "danger",
        onclick: async () => {
          if (!(await ctx.requireLogin()) || !(await del.ask())) return;
          const ok = await ctx.act(
            () => ctx.api.delete(`/api/backtests/${encodeURIComponent(id)}`),
            t("backtests.deleted", { id }),
          );
          if (ok !== undefined) ctx.navigate("#/backtests");
        },
      }, t("backtests.delete")),
    ),
    body,
    del.dialog,
  );

  /** @param {Promise<{ destroy(): void }>} p */
  const keep = (p) =>
    p.then((c) => (closed ? c.destroy() : charts.push(c))).catch((err) =>
      ctx.toast(String(err), "error")
    );

  /** @param {Job} j */
  function drawJob(j) {
    replace(
      body,
      h("h2", null, t("backtests.detail.job", { id })),
      h("progress", { max: 1, value: j.progress ?? 0, "aria-label": id }),
      j.error ? h("p", { class: "error" }, j.error) : null,
    );
  }

  /** @param {Run} run */
  async function drawRun(run) {
    const m = run.metrics ?? {};
    const params = run.config?.params;
    const eq = equityOf(run);
    const equityBox = h("div", { class: "bt-chart" });
    const candleBox = h("div", { class: "bt-chart bt-candles" });
    replace(
      body,
      h(
        "p",
        { class: "meta" },
        `${run.strategy} ${run.strategy_version} · ${run.exchange} ${run.symbol} · ${run.timeframe}`,
        ` · ${utc(run.first_ts)} → ${utc(run.last_ts)} · ${num(run.candles, 0)}`,
      ),
      h(
        "section",
        { "aria-labelledby": "bt-m-title" },
        h("h2", { id: "bt-m-title" }, t("backtests.detail.metrics")),
        h(
          "dl",
          { class: "figures bt-metrics" },
          DETAIL_METRICS.filter((k) => k in m).map((k) => {
            const [text, cls] = metricText(k, m[k]);
            return h(
              "div",
              null,
              h("dt", null, t(`backtests.m.${k}`)),
              h("dd", { class: cls, "data-metric": k }, text),
            );
          }),
        ),
        params && typeof params === "object" && Object.keys(params).length
          ? h(
            "p",
            { class: "hint" },
            `${t("backtests.detail.params")}: `,
            Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", "),
          )
          : null,
      ),
      h(
        "section",
        { "aria-labelledby": "bt-eq-title" },
        h("h2", { id: "bt-eq-title" }, t("backtests.detail.equity")),
        equityBox,
      ),
      h(
        "section",
        { "aria-labelledby": "bt-c-title" },
        h("h2", { id: "bt-c-title" }, t("backtests.detail.chart")),
        candleBox,
      ),
      h(
        "section",
        { "aria-labelledby": "bt-t-title" },
        h("h2", { id: "bt-t-title" }, t("backtests.detail.trades")),
        tradesTable(ctx, run.trades ?? []),
      ),
    );
    const chart = await import("../chart.js");
    if (closed) return;
    keep(chart.lineChart(equityBox, [
      { name: t("backtests.detail.equityLine"), ts: eq.ts, values: eq.values, kind: "equity" },
      {
        name: t("backtests.detail.drawdownLine"),
        ts: eq.ts,
        values: drawdownOf(eq.values).map((v) => v * 100),
        kind: "drawdown",
      },
    ]));
    // The run's candles (the last 5,000 of its range at most) with its entries and exits.
    const step = timeframeMs(run.timeframe);
    const last = run.last_ts ?? 0;
    const first = Math.max(run.first_ts ?? 0, last - 4_999 * step);
    const candles = await ctx.api.get("/api/candles", {
      exchange: run.exchange,
      symbol: String(run.symbol).split(",")[0],
      timeframe: run.timeframe,
      from: first,
      to: last + 1,
      limit: 5000,
    });
    if (closed) return;
    /** @type {import("../chart.js").Marker[]} */
    const markers = [];
    for (const tr of run.trades ?? []) {
      const long = tr.side !== "short";
      markers.push({ ts: tr.entry_ts, side: long ? "buy" : "sell", text: long ? "L" : "S" });
      markers.push({ ts: tr.exit_ts, side: long ? "sell" : "buy", text: "×" });
    }
    candleBox.dataset.candles = String(candles.ts.length);
    candleBox.dataset.markers = String(markers.length);
    if (!candles.ts.length) {
      replace(candleBox, h("p", { class: "hint" }, t("backtests.detail.noCandles")));
      candleBox.classList.add("empty-chart");
      return;
    }
    keep(chart.candleChart(candleBox, { candles, markers }));
  }

  /** @type {() => void} */
  let off = () => {};
  (async () => {
    try {
      const r = await ctx.api.get(`/api/backtests/${encodeURIComponent(id)}`, { equity: 1 });
      if (closed) return;
      if (r.job_id) {
        if (r.run_id) return ctx.navigate(`#/backtests/${encodeURIComponent(r.run_id)}`);
        drawJob(r);
        off = ctx.live.on(["backtest."], (e) => {
          if (e.data?.job_id !== id) return;
          if (e.type === "backtest.progress") drawJob({ ...r, progress: e.data.progress });
          else if (e.data.run_id) ctx.navigate(`#/backtests/${encodeURIComponent(e.data.run_id)}`);
          else drawJob(e.data);
        });
        return;
      }
      await drawRun(r);
    } catch (err) {
      if (closed) return;
      replace(
        body,
        h(
          "p",
          { class: "error", role: "alert" },
          err instanceof ApiError && err.status === 404
            ? t("backtests.detail.missing", { id })
            : err instanceof Error
            ? err.message
            : String(err),
        ),
      );
    }
  })();
  return () => {
    closed = true;
    off();
    for (const c of charts) c.destroy();
  };
}

/**
 * @param {Ctx} ctx
 * @param {Record<string, any>[]} trades
 */
function tradesTable(ctx, trades) {
  const { t } = ctx;
  if (!trades.length) return h("p", { class: "empty" }, t("backtests.detail.noTrades"));
  const cols = [
    ["side", ""],
    ["entry", ""],
    ["entryPrice", "num"],
    ["exit", ""],
    ["exitPrice", "num"],
    ["qty", "num"],
    ["fees", "num"],
    ["pnl", "num"],
    ["reason", ""],
  ];
  return h(
    "div",
    { class: "table-wrap bt-trades-wrap" },
    h(
      "table",
      { class: "bt-trades" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col", class: "num" }, "#"),
          cols.map(([k, c]) => h("th", { scope: "col", class: c }, t(`backtests.t.${k}`))),
        ),
      ),
      h(
        "tbody",
        null,
        trades.map((tr, i) =>
          h(
            "tr",
            null,
            h("td", { class: "num" }, String(i + 1)),
            h(
              "td",
              { class: tr.side === "short" ? "down" : "up" },
              String(tr.side).toUpperCase(),
            ),
            h("td", null, utc(tr.entry_ts)),
            h("td", { class: "num" }, price(tr.entry_price)),
            h("td", null, utc(tr.exit_ts)),
            h("td", { class: "num" }, price(tr.exit_price)),
            h("td", { class: "num" }, amount(tr.qty)),
            h("td", { class: "num" }, money(tr.fees)),
            h("td", { class: `num ${tone(tr.pnl)}` }, money(tr.pnl, true)),
            h("td", null, tr.exit_reason ?? "—"),
          )
        ),
      ),
    ),
  );
}

/** @type {import("../app.js").View} */
export default {
  mount(ctx, root, params) {
    return params[0] ? mountDetail(ctx, root, params[0]) : mountList(ctx, root);
  },
};
