// The one-bot view's records: its trades, decisions, orders and fills as tabs of tables, newest
// first, paged with "More", within the view's period, read again when the bot's events say so.

import { amount, h, money, price, replace, tone, utc } from "../dom.js";
import { addTexts } from "../i18n.js";

addTexts({
  en: {
    "bot.records": "Records",
    "bot.tab.trades": "Trades",
    "bot.tab.decisions": "Decisions",
    "bot.tab.orders": "Orders",
    "bot.tab.fills": "Fills",
    "bot.more": "More",
    "bot.empty": "Nothing in this period.",
    "bot.col.time": "Time",
    "bot.col.side": "Side",
    "bot.col.entryTime": "Entry time",
    "bot.col.entryPrice": "Entry",
    "bot.col.exitTime": "Exit time",
    "bot.col.exitPrice": "Exit",
    "bot.col.qty": "Qty",
    "bot.col.pnl": "P&L",
    "bot.col.fees": "Fees",
    "bot.col.exitReason": "Exit reason",
    "bot.col.outcome": "Outcome",
    "bot.col.code": "Code",
    "bot.col.reason": "Reason",
    "bot.col.type": "Type",
    "bot.col.size": "Size",
    "bot.col.price": "Price",
    "bot.col.order": "Order",
    "bot.col.fee": "Fee",
    "bot.col.liquidity": "Liquidity",
    "bot.size.equity": "{pct} of equity",
    "bot.size.quote": "{amount} quote",
    "bot.reduceOnly": "reduce only",
  },
  uk: {
    "bot.records": "Записи",
    "bot.tab.trades": "Угоди",
    "bot.tab.decisions": "Рішення",
    "bot.tab.orders": "Ордери",
    "bot.tab.fills": "Виконання",
    "bot.more": "Ще",
    "bot.empty": "У цьому періоді нічого немає.",
    "bot.col.time": "Час",
    "bot.col.side": "Бік",
    "bot.col.entryTime": "Час входу",
    "bot.col.entryPrice": "Вхід",
    "bot.col.exitTime": "Час виходу",
    "bot.col.exitPrice": "Вихід",
    "bot.col.qty": "Кількість",
    "bot.col.pnl": "P&L",
    "bot.col.fees": "Комісії",
    "bot.col.exitReason": "Причина виходу",
    "bot.col.outcome": "Результат",
    "bot.col.code": "Код",
    "bot.col.reason": "Причина",
    "bot.col.type": "Тип",
    "bot.col.size": "Розмір",
    "bot.col.price": "Ціна",
    "bot.col.order": "Ордер",
    "bot.col.fee": "Комісія",
    "bot.col.liquidity": "Ліквідність",
    "bot.size.equity": "{pct} капіталу",
    "bot.size.quote": "{amount} у валюті котирування",
    "bot.reduceOnly": "лише зменшення",
  },
});

/** @typedef {import("../app.js").Ctx} Ctx */
/** @typedef {Record<string, any>} Row */
/** @typedef {"trades" | "decisions" | "orders" | "fills"} TableName */
/** @typedef {{ key: string, num?: boolean, cell: (r: Row) => Node | string }} Column */

/** The record tables, in tab order. */
export const TABLES = /** @type {const} */ (["trades", "decisions", "orders", "fills"]);
/** Rows a table shows at first and adds per "More". */
const PAGE_ROWS = 50;
/** The most rows one read asks for (the API's page limit). */
const MAX_ROWS = 5000;

/**
 * A side as a coloured word.
 * @param {string | null | undefined} side
 */
function sideCell(side) {
  if (!side) return "—";
  const up = side === "long" || side === "buy";
  return h("span", { class: up ? "up" : "down" }, side);
}

/**
 * An order's size as a person reads it.
 * @param {Ctx} ctx
 * @param {Row} r an order row
 */
function orderSize(ctx, r) {
  const s = r.request?.size;
  if (!s) return "—";
  if (s.kind === "qty") return amount(s.qty);
  if (s.kind === "equity") {
    return ctx.t("bot.size.equity", { pct: `${Math.round(s.fraction * 1000) / 10} %` });
  }
  if (s.kind === "quote") return ctx.t("bot.size.quote", { amount: money(s.amount) });
  return JSON.stringify(s);
}

/**
 * The columns of each record table.
 * @param {Ctx} ctx
 * @returns {Record<TableName, Column[]>}
 */
function columns(ctx) {
  return {
    trades: [
      { key: "side", cell: (r) => sideCell(r.side) },
      { key: "entryTime", cell: (r) => utc(r.entry_ts) },
      { key: "entryPrice", num: true, cell: (r) => price(r.entry_price) },
      { key: "exitTime", cell: (r) => utc(r.exit_ts) },
      { key: "exitPrice", num: true, cell: (r) => price(r.exit_price) },
      { key: "qty", num: true, cell: (r) => amount(r.qty) },
      {
        key: "pnl",
        num: true,
        cell: (r) => h("span", { class: tone(r.pnl) }, money(r.pnl, true)),
      },
      { key: "fees", num: true, cell: (r) => money(r.fees) },
      { key: "exitReason", cell: (r) => r.exit_reason ?? "—" },
    ],
    decisions: [
      { key: "time", cell: (r) => utc(r.ts) },
      { key: "side", cell: (r) => sideCell(r.side) },
      {
        key: "outcome",
        cell: (r) => h("span", { class: `outcome ${r.outcome ?? ""}` }, r.outcome ?? "—"),
      },
      { key: "code", cell: (r) => r.code ?? "—" },
      { key: "reason", cell: (r) => h("span", { class: "reason" }, r.reason ?? "—") },
    ],
    orders: [
      { key: "time", cell: (r) => utc(r.ts, true) },
      { key: "side", cell: (r) => sideCell(r.side) },
      { key: "type", cell: (r) => r.type ?? "—" },
      {
        key: "size",
        num: true,
        cell: (r) =>
          r.request?.reduceOnly
            ? `${orderSize(ctx, r)} · ${ctx.t("bot.reduceOnly")}`
            : orderSize(ctx, r),
      },
      { key: "price", num: true, cell: (r) => price(r.request?.price) },
      { key: "order", cell: (r) => h("code", null, r.client_id ?? "—") },
    ],
    fills: [
      { key: "time", cell: (r) => utc(r.ts, true) },
      { key: "side", cell: (r) => sideCell(r.side) },
      { key: "qty", num: true, cell: (r) => amount(r.qty) },
      { key: "price", num: true, cell: (r) => price(r.price) },
      { key: "fee", num: true, cell: (r) => money(r.fee) },
      { key: "liquidity", cell: (r) => r.liquidity ?? "—" },
      { key: "exitReason", cell: (r) => r.exit_reason ?? "—" },
    ],
  };
}

/**
 * One table's state and elements.
 * @typedef {object} Table
 * @property {Row[]} rows shown, newest first
 * @property {boolean} stale to be read again when shown
 * @property {Promise<void>} queue its reads, one after another
 * @property {boolean} refreshQueued a read of the first page waits in the queue
 * @property {HTMLElement} tab
 * @property {HTMLElement} panel
 * @property {HTMLElement} body
 * @property {HTMLElement} more
 * @property {HTMLElement} empty
 */

/**
 * The records of one bot as tabs: `el` to put in the page; `changed(names)` when events say
 * tables changed (the shown one is read again, the others when shown); `reset()` for a new
 * period; `dispose()` with the view.
 */
export class RecordTabs {
  /**
   * @param {Ctx} ctx
   * @param {string} base the bot's API path, "/api/bots/ID"
   * @param {() => { from?: number, to?: number }} period the view's period (none: all)
   */
  constructor(ctx, base, period) {
    this.ctx = ctx;
    this.base = base;
    this.period = period;
    this.cols = columns(ctx);
    this.disposed = false;
    /** @type {TableName} */
    this.shown = "trades";
    /** @type {Record<TableName, Table>} */
    this.tables = /** @type {any} */ ({});
    const { t } = ctx;
    const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": t("bot.records") });
    const panels = h("div");
    for (const name of TABLES) {
      const tb = this.#build(name);
      this.tables[name] = tb;
      tablist.append(tb.tab);
      panels.append(tb.panel);
    }
    this.el = h(
      "section",
      { class: "bot-records", "aria-labelledby": "bot-records-title" },
      h("h2", { id: "bot-records-title", class: "sr" }, t("bot.records")),
      tablist,
      panels,
    );
  }

  /**
   * A table's tab, panel and empty state.
   * @param {TableName} name
   * @returns {Table}
   */
  #build(name) {
    const { t } = this.ctx;
    const on = name === this.shown;
    const body = h("tbody");
    const more = h("button", {
      type: "button",
      class: "more",
      hidden: true,
      "aria-label": `${t("bot.more")}: ${t(`bot.tab.${name}`)}`,
      onclick: () => this.#enqueue(name, true),
    }, t("bot.more"));
    const empty = h("p", { class: "empty", hidden: true }, t("bot.empty"));
    const tab = h("button", {
      type: "button",
      role: "tab",
      id: `bot-tab-${name}`,
      "aria-controls": `bot-${name}`,
      "aria-selected": String(on),
      tabindex: on ? "0" : "-1",
      onclick: () => this.show(name),
      // Arrow keys move between the tabs.
      onkeydown: (/** @type {KeyboardEvent} */ ev) => {
        const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        ev.preventDefault();
        const next = TABLES[(TABLES.indexOf(name) + step + TABLES.length) % TABLES.length];
        this.show(next);
        this.tables[next].tab.focus();
      },
    }, t(`bot.tab.${name}`));
    const panel = h(
      "div",
      {
        role: "tabpanel",
        id: `bot-${name}`,
        "aria-labelledby": `bot-tab-${name}`,
        hidden: !on,
        class: "records",
      },
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { "data-table": name },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              this.cols[name].map((c) =>
                h("th", { scope: "col", class: c.num ? "num" : null }, t(`bot.col.${c.key}`))
              ),
            ),
          ),
          body,
        ),
      ),
      empty,
      more,
    );
    return {
      rows: [],
      stale: true,
      queue: Promise.resolve(),
      refreshQueued: false,
      tab,
      panel,
      body,
      more,
      empty,
    };
  }

  /**
   * Shows the table `name` (read again when stale).
   * @param {TableName} name
   */
  show(name) {
    this.shown = name;
    for (const n of TABLES) {
      const on = n === name;
      this.tables[n].tab.setAttribute("aria-selected", String(on));
      this.tables[n].tab.setAttribute("tabindex", on ? "0" : "-1");
      this.tables[n].panel.hidden = !on;
    }
    if (this.tables[name].stale) this.#enqueue(name, false);
  }

  /**
   * These tables changed: the shown one is read again now, the others when shown.
   * @param {readonly string[]} names
   */
  changed(names) {
    for (const name of TABLES) {
      if (!names.includes(name)) continue;
      this.tables[name].stale = true;
      if (name === this.shown) this.#enqueue(name, false);
    }
  }

  /** A new period: every table starts again from its first page. */
  reset() {
    for (const name of TABLES) this.tables[name].rows = [];
    this.changed(TABLES);
  }

  /** The view is gone: reads still on their way draw nothing. */
  dispose() {
    this.disposed = true;
  }

  /**
   * Queues a read of the table: its first page again (as many rows as shown; one such read
   * waiting is enough), or its next page (`more`).
   * @param {TableName} name
   * @param {boolean} more
   */
  #enqueue(name, more) {
    const tb = this.tables[name];
    if (!more) {
      if (tb.refreshQueued) return;
      tb.refreshQueued = true;
    }
    tb.queue = tb.queue.then(() => {
      if (!more) tb.refreshQueued = false;
      return this.#load(name, more);
    }).catch((err) => {
      if (this.disposed) return;
      this.ctx.toast(
        this.ctx.t("error.generic", {
          message: err instanceof Error ? err.message : String(err),
        }),
        "error",
      );
    });
  }

  /**
   * @param {TableName} name
   * @param {boolean} more
   */
  async #load(name, more) {
    if (this.disposed) return;
    const tb = this.tables[name];
    const limit = more ? PAGE_ROWS : Math.min(MAX_ROWS, Math.max(PAGE_ROWS, tb.rows.length));
    const body = await this.ctx.api.get(`${this.base}/${name}`, {
      ...this.period(),
      limit,
      offset: more ? tb.rows.length : 0,
    });
    if (this.disposed) return;
    const got = /** @type {Row[]} */ (body[name]);
    tb.rows = more ? tb.rows.concat(got) : got;
    if (!more) tb.stale = false;
    replace(
      tb.body,
      tb.rows.map((r) =>
        h(
          "tr",
          null,
          this.cols[name].map((c) => h("td", { class: c.num ? "num" : null }, c.cell(r))),
        )
      ),
    );
    tb.empty.hidden = tb.rows.length > 0;
    tb.more.hidden = got.length < limit;
  }
}
