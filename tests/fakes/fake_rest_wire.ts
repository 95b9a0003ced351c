// Wire helpers shared by the fake exchange's public REST of both venues: the reply shape, query
// parsing (times, limits), the gateway page of a 5xx and numbers written as the venues write them.

/** Query parameters of a request, by name. */
export type Query = Record<string, string>;

/** An answer to send: status, body text and extra headers (JSON unless they say otherwise). */
export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** A JSON reply. */
export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), headers };
}

/** The HTML page a gateway answers a 5xx with (either venue). */
export function gatewayPage(status: number): Reply {
  const body = `<html><head><title>${status}</title></head><body><center><h1>${status}</h1>` +
    `</center></body></html>`;
  return { status, body, headers: { "content-type": "text/html" } };
}

/** `undefined` when absent, `null` when not an integer, else the number. */
export function parseTime(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === "") return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : null;
}

/** Default when absent, clamped to `max`, `undefined` when invalid. */
export function parseLimit(raw: string | undefined, dflt: number, max: number): number | undefined {
  if (raw === undefined || raw === "") return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return undefined;
  return Math.min(Number(raw), max);
}

/** `n` rounded to 8 decimals. */
export function round8(n: number): number {
  return Number(n.toFixed(8));
}

/** Shortest exact decimal text of `n`, never in exponent form. */
export function num(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, "");
}

/** `n` with at least `places` decimals (padded, never rounded). */
export function fixed(n: number, places: number): string {
  const s = num(n);
  const dot = s.indexOf(".");
  const have = dot < 0 ? 0 : s.length - dot - 1;
  if (have >= places) return s;
  return (dot < 0 ? `${s}.` : s) + "0".repeat(places - have);
}

/** Number of decimals a step is written with: "0.10" → 2, "0.001" → 3, "1" → 0. */
export function decimals(step: string): number {
  const dot = step.indexOf(".");
  if (dot < 0) return 0;
  const frac = step.slice(dot + 1).replace(/0+$/, "");
  return frac.length === 0 ? 0 : step.slice(dot + 1).length;
}
