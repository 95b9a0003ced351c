// Request paths as answers and logs may show them: a webhook's secret segment never appears.

/**
 * `path` as it may be shown in answers and logs: the secret segment of a webhook path
 * (`/webhooks/tradingview/<bot>/<secret>`, and anything deeper) becomes "<secret>".
 *
 * @example
 * ```ts
 * shownPath("/webhooks/tradingview/ema_01/s3cr3t"); // "/webhooks/tradingview/ema_01/<secret>"
 * ```
 */
export function shownPath(path: string): string {
  const m = /^(\/+webhooks\/+[^/]*\/+[^/]*\/)./i.exec(path);
  return m ? `${m[1]}<secret>` : path;
}
