// A bot's account: a paper SimBroker, or a live CcxtBroker, with the risk gate both share.

import { simSetup } from "../backtest/wiring.ts";
import type { OrderRequest, Refusal } from "../core/trading.ts";
import type { Accepted, Broker } from "../core/ports.ts";
import type { CcxtBroker } from "../live/ccxt_broker.ts";
import type { RiskGate } from "../risk/gate.ts";
import type { BotSpec, ManualOrderRequest, ManualOrderResult } from "./bot_types.ts";

/** What a bot trades through. */
export interface BotAccount {
  /** The broker orders go to: the SimBroker (paper) or the CcxtBroker (live). */
  base: Broker;
  /** The live broker, when the bot trades live. */
  live?: CcxtBroker;
  risk: RiskGate;
  takerFee: number;
}

/**
 * Builds the account of `spec`: paper bots get the backtest's SimBroker (fees, slippage,
 * leverage of the config); live bots the broker `liveBroker` returns, behind the same risk gate
 * and sizing. A live bot without `liveBroker` is a programming error (botEntries refuses such
 * configs before the service starts).
 */
export function buildAccount(
  spec: BotSpec,
  liveBroker?: (spec: BotSpec) => CcxtBroker,
): BotAccount {
  const setup = simSetup({
    strategy: spec.strategy,
    symbol: spec.symbol,
    timeframe: spec.timeframe,
    cash: spec.virtualBalance,
    fees: spec.fees,
    slippageBps: spec.slippageBps,
    leverage: spec.leverage,
    risk: spec.risk,
  }, [spec.symbol]);
  if (spec.mode !== "live") {
    return { base: setup.broker, risk: setup.risk, takerFee: setup.fees.taker };
  }
  if (!liveBroker) {
    throw new Error(`Bot "${spec.botId}" is live but the service has no live accounts`);
  }
  const live = liveBroker(spec);
  return { base: live, live, risk: setup.risk, takerFee: setup.fees.taker };
}

/** The order of a manual request: client id `<bot>-manual-<at>` (one a millisecond). */
export function manualRequest(spec: BotSpec, o: ManualOrderRequest, at: number): OrderRequest {
  return {
    clientId: `${spec.botId}-manual-${at}`,
    symbol: spec.symbol,
    side: o.side,
    type: o.type,
    size: { kind: "qty", qty: o.qty },
    price: o.price,
    reduceOnly: o.reduceOnly,
    exitReason: o.reduceOnly ? "manual" : undefined,
  };
}

/** Waits for a submitted manual order to reach the exchange and says how it stands. */
export async function manualOutcome(
  live: CcxtBroker,
  req: OrderRequest,
  res: Accepted | Refusal,
): Promise<ManualOrderResult> {
  if (!res.ok) return { client_id: req.clientId, accepted: false, reason: res.reason };
  await live.flush();
  await live.poll();
  const refused = live.refusals().find((r) => r.clientId === req.clientId);
  if (refused) return { client_id: req.clientId, accepted: false, reason: refused.reason };
  const open = live.openOrders(req.symbol).some((x) => x.id === res.orderId);
  return { client_id: req.clientId, accepted: true, open };
}
