// Small DOM helpers for the page's views: elements built from data (never from HTML strings, so
// nothing a bot or an exchange names can inject markup) and the number and time formats.

/**
 * Makes an element: `h("button", { class: "primary", onclick: go }, "Start")`. Attributes whose
 * value is false, null or undefined are left out; `on…` functions become listeners.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string | null | undefined | false)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    } else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/**
 * Appends children (nested arrays flattened, empty ones skipped).
 * @param {Node} el
 * @param {unknown[]} children
 */
export function append(el, children) {
  for (const c of children.flat(3)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Replaces an element's content.
 * @param {Element} el
 * @param {...unknown} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

const EMPTY = "—";

/**
 * A price with as many digits as its size needs (67,012.5; 0.004321).
 * @param {number | null | undefined} v
 */
export function price(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return EMPTY;
  const a = Math.abs(v);
  const digits = a >= 1000 ? 2 : a >= 1 ? 4 : a >= 0.01 ? 6 : 8;
  return v.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/**
 * Money in the quote currency, two decimals, with a sign when asked.
 * @param {number | null | undefined} v
 * @param {boolean} [signed]
 */
export function money(v, signed = false) {
  if (v === null || v === undefined || !Number.isFinite(v)) return EMPTY;
  const s = Math.abs(v).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${v < 0 ? "−" : signed && v > 0 ? "+" : ""}${s}`;
}

/**
 * A fraction as a percentage (0.0123 → "1.23 %").
 * @param {number | null | undefined} v
 * @param {boolean} [signed]
 */
export function percent(v, signed = false) {
  if (v === null || v === undefined || !Number.isFinite(v)) return EMPTY;
  const s = Math.abs(v * 100).toFixed(2);
  return `${v < 0 ? "−" : signed && v > 0 ? "+" : ""}${s} %`;
}

/**
 * A quantity (up to 8 decimals, no trailing zeros).
 * @param {number | null | undefined} v
 */
export function amount(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return EMPTY;
  return v.toLocaleString("en-US", { maximumFractionDigits: 8 });
}

/**
 * A UTC time "2026-12-07 14:05" (seconds when asked).
 * @param {number | null | undefined} ms
 * @param {boolean} [seconds]
 */
export function utc(ms, seconds = false) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return EMPTY;
  return new Date(ms).toISOString().slice(0, seconds ? 19 : 16).replace("T", " ");
}

/**
 * The class of a signed number: "up", "down" or "".
 * @param {number | null | undefined} v
 */
export function tone(v) {
  return v === null || v === undefined || !Number.isFinite(v) || v === 0
    ? ""
    : v > 0
    ? "up"
    : "down";
}
