// The scanner view: the latest volatility ranking of the stored candles for one timeframe, as a
// table sorted by any column (a button in each header), with the service's note when it is empty.

import { h, percent, price, replace, utc } from "../dom.js";
import { addTexts } from "../i18n.js";

addTexts({
  en: {
    "scanner.title": "Scanner",
    "scanner.timeframe": "Timeframe",
    "scanner.refresh": "Refresh",
    "scanner.computed": "Ranked {at} UTC from stored candles",
    "scanner.empty": "No ranking for this timeframe.",
    "scanner.rank": "Rank",
    "scanner.symbol": "Symbol",
    "scanner.exchange": "Exchange",
    "scanner.sortBy": "Sort by {column}",
    "scanner.caption": "Volatility ranking, {timeframe}",
  },
  uk: {
    "scanner.title": "Сканер",
    "scanner.timeframe": "Таймфрейм",
    "scanner.refresh": "Оновити",
    "scanner.computed": "Рейтинг на {at} UTC зі збережених свічок",
    "scanner.empty": "Для цього таймфрейму рейтингу немає.",
    "scanner.rank": "Місце",
    "scanner.symbol": "Символ",
    "scanner.exchange": "Біржа",
    "scanner.sortBy": "Сортувати за «{column}»",
    "scanner.caption": "Рейтинг волатильності, {timeframe}",
  },
});

/** @typedef {{ key: string, label: string, unit?: string }} Column */
/** @typedef {Record<string, any>} Row */
/**
 * The answer of GET /api/scanner.
 * @typedef {{ timeframe: string | null, exchange: string | null, timeframes: string[],
 *   computed_at: number, rows: Row[], columns: Column[], note?: string }} Ranking
 */

/**
 * A cell's text by the column's unit.
 * @param {unknown} v
 * @param {string | undefined} unit
 */
export function cellText(v, unit) {
  if (typeof v !== "number") return v === null || v === undefined ? "—" : String(v);
  if (!Number.isFinite(v)) return "—";
  switch (unit) {
    case "fraction/yr":
    case "fraction":
      return percent(v, unit === "fraction");
    case "%":
      return `${v.toLocaleString("en-US", { maximumFractionDigits: 2 })} %`;
    case "price":
      return price(v);
    case "ms":
      return utc(v);
    case "quote":
    case "base":
      return v.toLocaleString("en-US", { maximumFractionDigits: 0 });
    default:
      return v.toLocaleString("en-US", { maximumFractionDigits: 3 });
  }
}

/**
 * Rows sorted by `key` (numbers as numbers, text as text; empty values last).
 * @param {Row[]} rows
 * @param {string} key
 * @param {"ascending" | "descending"} dir
 */
export function sortRows(rows, key, dir) {
  const sign = dir === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[key], y = b[key];
    const xe = x === null || x === undefined, ye = y === null || y === undefined;
    if (xe || ye) return xe === ye ? a.rank - b.rank : xe ? 1 : -1;
    const c = typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y));
    return c * sign || a.rank - b.rank;
  });
}

/** @type {import("../app.js").View} */
export default {
  mount(ctx, root) {
    const { t } = ctx;
    let closed = false;
    const select = /** @type {HTMLSelectElement} */ (h("select", { id: "scanner-tf" }));
    const info = h("p", { class: "hint" });
    const out = h("div", { class: "scanner-out", "aria-live": "polite" });
    /** @type {Ranking | null} */
    let data = null;
    let sortKey = "rank";
    /** @type {"ascending" | "descending"} */
    let sortDir = "ascending";

    replace(
      root,
      h(
        "div",
        { class: "view-head" },
        h("h1", null, t("scanner.title")),
        h(
          "div",
          { class: "scanner-tools" },
          h("label", { for: "scanner-tf" }, t("scanner.timeframe")),
          select,
          h("button", { type: "button", onclick: () => load(select.value) }, t("scanner.refresh")),
        ),
      ),
      info,
      out,
    );

    select.addEventListener("change", () => load(select.value));

    /** The columns shown: rank, symbol, exchange, then the service's. */
    function columns() {
      /** @type {Column[]} */
      const fixed = [
        { key: "rank", label: t("scanner.rank") },
        { key: "symbol", label: t("scanner.symbol") },
        { key: "exchange", label: t("scanner.exchange") },
      ];
      return [
        ...fixed,
        ...(data?.columns ?? []).filter((c) => !fixed.some((f) => f.key === c.key)),
      ];
    }

    function draw() {
      if (!data) return;
      if (!data.rows.length) {
        replace(out, h("p", { class: "empty scanner-note" }, data.note ?? t("scanner.empty")));
        return;
      }
      const cols = columns();
      const rows = sortRows(data.rows, sortKey, sortDir);
      const focused = document.activeElement?.closest("th")?.dataset.key;
      const table = h(
        "table",
        { class: "scanner-table" },
        h(
          "caption",
          { class: "sr-only" },
          t("scanner.caption", { timeframe: data.timeframe ?? "" }),
        ),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            cols.map((c) => {
              const on = c.key === sortKey;
              const textual = c.key === "symbol" || c.key === "exchange";
              return h(
                "th",
                {
                  scope: "col",
                  class: textual ? "" : "num",
                  "data-key": c.key,
                  "aria-sort": on ? sortDir : "none",
                },
                h(
                  "button",
                  {
                    type: "button",
                    class: "sort",
                    title: c.unit ? `${c.label} (${c.unit})` : c.label,
                    "aria-label": t("scanner.sortBy", { column: c.label }),
                    onclick: () => {
                      if (sortKey === c.key) {
                        sortDir = sortDir === "ascending" ? "descending" : "ascending";
                      } else {
                        sortKey = c.key;
                        // Numbers start from the largest, names and the rank from the first.
                        sortDir = textual || c.key === "rank" ? "ascending" : "descending";
                      }
                      draw();
                    },
                  },
                  c.label,
                  h(
                    "span",
                    { class: "arrow", "aria-hidden": "true" },
                    on ? (sortDir === "ascending" ? "▲" : "▼") : "",
                  ),
                ),
              );
            }),
          ),
        ),
        h(
          "tbody",
          null,
          rows.map((r) =>
            h(
              "tr",
              { "data-symbol": r.symbol },
              cols.map((c) =>
                c.key === "symbol" ? h("th", { scope: "row" }, String(r.symbol)) : h(
                  "td",
                  { class: c.key === "exchange" ? "" : "num" },
                  c.key === "rank" ? String(r.rank) : cellText(r[c.key], c.unit),
                )
              ),
            )
          ),
        ),
      );
      replace(out, h("div", { class: "table-wrap" }, table));
      if (focused) {
        /** @type {HTMLElement | null} */ (table.querySelector(
          `th[data-key="${CSS.escape(focused)}"] button`,
        ))?.focus();
      }
    }

    let asked = 0;
    /** @param {string} [timeframe] */
    async function load(timeframe) {
      const n = ++asked;
      try {
        const r = /** @type {Ranking} */ (await ctx.api.get("/api/scanner", { timeframe }));
        if (closed || n !== asked) return;
        data = r;
        const tfs = r.timeframes.length ? r.timeframes : r.timeframe ? [r.timeframe] : [];
        replace(
          select,
          tfs.map((tf) => h("option", { value: tf, selected: tf === r.timeframe }, tf)),
        );
        select.toggleAttribute("disabled", tfs.length === 0);
        replace(info, r.rows.length ? t("scanner.computed", { at: utc(r.computed_at) }) : "");
        draw();
      } catch (err) {
        if (closed) return;
        replace(
          out,
          h(
            "p",
            { class: "error", role: "alert" },
            err instanceof Error ? err.message : String(err),
          ),
        );
      }
    }

    load();
    return () => {
      closed = true;
    };
  },
};
