// Rule position_timeout: a position older than positionTimeoutMs is to be closed ("timeout").

import type { PositionView } from "../core/trading.ts";
import type { RiskConfig } from "./config.ts";

/**
 * True when `position` has been open for `positionTimeoutMs` or longer at `ts` (exactly at the
 * timeout counts); always false without a timeout. The engine closes it with exit reason
 * "timeout".
 */
export function timedOut(
  position: Pick<PositionView, "entryTs">,
  ts: number,
  config: Pick<RiskConfig, "positionTimeoutMs">,
): boolean {
  const ms = config.positionTimeoutMs;
  return ms !== undefined && ts - position.entryTs >= ms;
}
