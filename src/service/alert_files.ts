// Alert files for replays: FILE.json (a list of alert messages) or FILE.csv (time,action,...) as signals.

import { InputError } from "../core/errors.ts";
import { readCsvRows, type TradeSignal } from "../data/tradingview_trades.ts";
import { type AlertBot, parseAlert } from "./alert_message.ts";
import { toSignal } from "./alert_signal.ts";

/** Options of {@link readAlertsFile}. */
export interface ReadAlertsFileOptions {
  /** The bot the alerts are for: their symbols must map to its market (default: not checked). */
  bot?: AlertBot;
}

/**
 * Reads a file of alerts as signals for the signals strategy (sorted by time), each alert checked
 * like a webhook's ({@link parseAlert}) and needing a time (`time` or `timenow`, ISO or ms):
 * - `.json`: a list of alert messages, such as
 *   `[{"time": "2024-01-02T13:00:00Z", "action": "buy", "symbol": "BTCUSDT", "sl": "1%", "price": 42000}]`;
 * - `.csv`: a header of field names, then one alert a line:
 *   `time,action,symbol,price,sl,tp,comment`.
 * Percent stops and targets become prices from the alert's `price` (the signals strategy takes
 * prices). Throws an InputError naming the alert (element or line) and the field (column).
 *
 * @example
 * ```ts
 * const signals = readAlertsFile(await Deno.readTextFile("alerts.csv"), "alerts.csv");
 * ```
 */
export function readAlertsFile(
  text: string,
  name: string,
  options: ReadAlertsFileOptions = {},
): TradeSignal[] {
  const alerts: { where: string; column: (f: string) => string; body: Record<string, unknown> }[] =
    [];
  if (/\.json$/i.test(name)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${name} is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(value)) {
      throw new InputError(`${name}: expected a list of alert messages ([{...}, {...}])`);
    }
    value.forEach((v, i) => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw new InputError(`${name}: alert ${i + 1}: expected an object of fields`);
      }
      alerts.push({ where: `${name}: alert ${i + 1}`, column: (f) => f, body: v });
    });
  } else if (/\.csv$/i.test(name)) {
    const { rows, lines } = readCsvRows(text);
    if (!rows.length) throw new InputError(`${name} is empty: write a header such as time,action`);
    const head = rows[0].map((h) => h.trim());
    for (const need of ["time", "action"]) {
      if (
        !head.some((h) => h.toLowerCase() === need || (need === "time" && /^timenow$/i.test(h)))
      ) {
        throw new InputError(
          `${name}: line ${lines[0]}: no "${need}" column; the header is ` +
            `${JSON.stringify(head.join(","))}: write one such as time,action,symbol,price,sl,tp`,
        );
      }
    }
    for (let r = 1; r < rows.length; r++) {
      const body: Record<string, unknown> = {};
      head.forEach((h, c) => {
        const v = (rows[r][c] ?? "").trim();
        if (h && v !== "") body[h] = v;
      });
      alerts.push({
        where: `${name}: line ${lines[r]}`,
        column: (f) => `column "${head.find((h) => h.toLowerCase() === f) ?? f}"`,
        body,
      });
    }
  } else {
    throw new InputError(`${name}: alert files are .json or .csv`);
  }

  const out: TradeSignal[] = [];
  for (const a of alerts) {
    const r = parseAlert(JSON.stringify(a.body), { bot: options.bot });
    if (!r.ok) {
      const p = r.problems[0];
      const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : "";
      throw new InputError(`${a.where}, ${a.column(p.field)}: ${p.message}${more}`);
    }
    const alert = r.alert;
    if (alert.sent_at === undefined) {
      throw new InputError(`${a.where}: no time: give each alert a time (ISO or UTC ms)`);
    }
    for (const role of ["sl", "tp"] as const) {
      const l = alert[role];
      if (l && "pct" in l && alert.price === undefined) {
        throw new InputError(
          `${a.where}, ${a.column(role)}: ${l.pct}% needs the alert's price to become a level: ` +
            "add a price",
        );
      }
    }
    const s = toSignal(alert, { refPrice: alert.price });
    out.push({
      ts: alert.sent_at,
      side: s.side,
      ...(s.sl !== undefined ? { sl: s.sl } : {}),
      ...(s.tp !== undefined ? { tp: s.tp } : {}),
      ...(alert.price !== undefined ? { price: alert.price } : {}),
      reason: s.reason,
    });
  }
  return out.sort((x, y) => x.ts - y.ts);
}
