// A bot's control events applied to its runner and broker (paper replays them all; live only the switches).

import type { ExternalSignal, Fill } from "../core/trading.ts";
import type { ConfirmingBroker } from "./confirming_broker.ts";
import type { BotRunner } from "../engine/bot_runner.ts";
import type { BotEvent } from "../store/bot_store.ts";

/** What an event acts on. */
export interface EventTarget {
  runner: BotRunner;
  broker: ConfirmingBroker;
  symbol: string;
  /** Close time of the latest candle: when confirmed or flattening orders are decided. */
  closeTs: number;
  /** Latest close (the reference price of a flatten), if any candle was seen. */
  lastClose: number | undefined;
  /** Turns trading on (with the last candle that only warms up) or off. */
  trade(on: boolean, after: number): void;
  /** Hands a signal from outside (an alert) to the strategy. */
  external(s: ExternalSignal): void;
}

/**
 * Applies one stored control event. Returns the fill of a flatten when the broker filled it at
 * once (paper); a live broker's fill comes later, through the candles.
 */
export function applyEvent(e: BotEvent, t: EventTarget): Fill | undefined {
  const { runner, broker } = t;
  const clientId = String(e.payload.clientId ?? "");
  switch (e.kind) {
    case "start":
      t.trade(true, Number(e.payload.tradeAfter ?? -Infinity));
      break;
    case "stop":
      t.trade(false, -Infinity);
      for (const o of broker.openOrders(t.symbol)) {
        if (!o.reduceOnly && !o.ocoWith) broker.cancel(o.id);
      }
      break;
    case "pause":
    case "resume":
      runner.setPaused(e.kind === "pause");
      break;
    case "confirm":
      broker.confirm(clientId, t.closeTs);
      break;
    case "reject":
    case "expire":
      broker.release(clientId, e.kind === "reject" ? "rejected" : "expired");
      break;
    case "require_confirmation":
      broker.required = Boolean(e.payload.on);
      break;
    case "alert":
      t.external(e.payload.signal as ExternalSignal);
      break;
    case "flatten":
      if (t.lastClose === undefined) break;
      return broker.closePosition(t.symbol, t.lastClose, t.closeTs, "kill_switch");
  }
  return undefined;
}

/** A live bot's standing from its events: only the switches, never the orders (see Bot). */
export interface LiveStanding {
  /** Started (and not stopped since). */
  trading: boolean;
  paused: boolean;
  /** Whether entries wait for confirmation (undefined: the config decides). */
  requireConfirmation?: boolean;
}

/**
 * Folds a live bot's events into its standing. Orders, confirmations and flattening are not
 * replayed for a live bot: what they did is at the exchange, and reconciliation reads it back.
 */
export function liveStanding(events: readonly BotEvent[]): LiveStanding {
  const out: LiveStanding = { trading: false, paused: false };
  for (const e of events) {
    if (e.kind === "start") out.trading = true;
    else if (e.kind === "stop") out.trading = false;
    else if (e.kind === "pause") out.paused = true;
    else if (e.kind === "resume") out.paused = false;
    else if (e.kind === "require_confirmation") out.requireConfirmation = Boolean(e.payload.on);
  }
  return out;
}
