// What a checked TradingView alert asks of its bot: the signal the signals strategy takes.

import { type ExternalSignal, levelFromFill } from "../core/trading.ts";
import type { ParsedAlert } from "./alert_message.ts";

/**
 * The signal an alert gives its bot, as the signals strategy takes it (an `ExternalSignal`
 * without its time, which the bot stamps): its side, stop and target, size, confidence (1 unless
 * given) and a reason naming TradingView, the symbol, comment and alert id. Entries are at market
 * (the alert's price is what TradingView saw, not a limit). Percent levels stay `sl_pct` /
 * `tp_pct` (placed from the fill), unless `refPrice` is given: then they become prices from it
 * (a replay of a file, where the fill is not known yet).
 */
export function toSignal(
  alert: ParsedAlert,
  o: { refPrice?: number } = {},
): Omit<ExternalSignal, "ts"> {
  const side = alert.action;
  const out: Omit<ExternalSignal, "ts"> = {
    side,
    confidence: alert.confidence ?? 1,
    reason: reasonOf(alert),
  };
  if (side === "exit") return out;
  if (alert.size) out.size = alert.size;
  for (const role of ["sl", "tp"] as const) {
    const l = alert[role];
    if (!l) continue;
    if ("price" in l) out[role] = l.price;
    else if (o.refPrice !== undefined && o.refPrice > 0) {
      out[role] = levelFromFill(o.refPrice, l.pct, side, role);
    } else out[role === "sl" ? "sl_pct" : "tp_pct"] = l.pct;
  }
  return out;
}

function reasonOf(a: ParsedAlert): string {
  const bits = [`TradingView ${a.action} ${a.symbol}`];
  if (a.comment) bits.push(a.comment);
  if (a.alert_id) bits.push(`alert ${a.alert_id}`);
  return bits.join(": ");
}
