// Text for charts: UTC time labels and axis ticks, and numbers with thousands separators.

import { fmtNum } from "../../core/format.ts";

const DAY_MS = 86_400_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A UTC time for tooltips and subtitles: minutes, seconds only when not zero.
 *
 * @example
 * ```ts
 * utcLabel(Date.UTC(2024, 0, 5, 13, 45)); // "2024-01-05 13:45 UTC"
 * ```
 */
export function utcLabel(ts: number): string {
  if (!Number.isFinite(ts)) return String(ts);
  const iso = new Date(ts).toISOString(); // 2024-01-05T13:45:00.000Z
  const seconds = iso.slice(16, 19) === ":00" ? "" : iso.slice(16, 19);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds} UTC`;
}

/**
 * Tick labels for a UTC time axis, 24-hour clock; the date (or year) is added on the first tick
 * and where it changes. Pass as Plot's `tickFormat` (Plot passes the ticks as third argument).
 *
 * @example
 * ```ts
 * const t = [Date.UTC(2024, 0, 1, 22), Date.UTC(2024, 0, 2, 0)];
 * t.map((d, i) => utcTick(d, i, t)); // ["22:00\nJan 1", "00:00\nJan 2"]
 * ```
 */
export function utcTick(
  d: Date | number,
  i: number,
  ticks: ArrayLike<Date | number> = [d],
): string {
  const t = new Date(+d);
  const step = ticks.length > 1 ? Math.abs(+ticks[1] - +ticks[0]) : DAY_MS;
  const prev = i > 0 && i <= ticks.length ? new Date(+ticks[i - 1]) : undefined;
  const year = t.getUTCFullYear();
  const newYear = !prev || prev.getUTCFullYear() !== year;
  if (step >= 360 * DAY_MS) return String(year);
  const month = MONTHS[t.getUTCMonth()];
  if (step >= 28 * DAY_MS) return newYear ? `${month}\n${year}` : month;
  const day = `${month} ${t.getUTCDate()}`;
  if (step >= DAY_MS) return newYear ? `${day}\n${year}` : day;
  const sec = step < 60_000 ? `:${pad(t.getUTCSeconds())}` : "";
  const hm = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}${sec}`;
  const newDay = !prev || prev.toISOString().slice(0, 10) !== t.toISOString().slice(0, 10);
  return newDay ? `${hm}\n${day}` : hm;
}

/**
 * Plot scale options for a UTC time axis labelled "Time (UTC)".
 *
 * @example
 * ```ts
 * Plot.plot({ x: utcAxis([from, to]), marks: [Plot.lineY(points, { x: "ts", y: "v" })] });
 * ```
 */
export function utcAxis(domain?: [number, number]): {
  type: "utc";
  label: string;
  labelArrow: "none";
  tickFormat: typeof utcTick;
  domain?: Date[];
} {
  const axis = {
    type: "utc" as const,
    label: "Time (UTC)",
    labelArrow: "none" as const,
    tickFormat: utcTick,
  };
  return domain ? { ...axis, domain: domain.map((t) => new Date(t)) } : axis;
}

/**
 * A number with at most `digits` significant digits and thousands separators.
 *
 * @example
 * ```ts
 * num(30012.456); // "30,012.5"
 * num(-0.000123456, 3); // "-0.000123"
 * ```
 */
export function num(n: number, digits = 6): string {
  if (!Number.isFinite(n)) return String(n);
  const s = fmtNum(n, digits);
  if (s.includes("e")) return s;
  const [int, frac] = s.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/**
 * A number with its sign, for P&L: "+12.5", "-3", "0".
 *
 * @example
 * ```ts
 * signed(12.5); // "+12.5"
 * ```
 */
export function signed(n: number, digits = 6): string {
  return n > 0 ? `+${num(n, digits)}` : num(n, digits);
}

/**
 * A fraction as a percentage with two decimals and its sign.
 *
 * @example
 * ```ts
 * pct(0.1234); // "+12.34%"
 * ```
 */
export function pct(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  const s = (f * 100).toFixed(2);
  return f > 0 ? `+${s}%` : `${s}%`;
}
