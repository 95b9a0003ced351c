// The live broker's send and cancel jobs: journal first, then the exchange, then the outcome.

import { InputError } from "../core/errors.ts";
import {
  brief,
  cancelAtExchange,
  fetchOrderById,
  placeOnce,
  type PlaceOutcome,
  type PlaceSpec,
} from "./exchange_orders.ts";
import { type LiveMarket, toContracts } from "./market.ts";
import { intentOf, type LiveOrder } from "./orders.ts";
import { acknowledge, type LiveCore, markCancelled, settle } from "./poll.ts";

/**
 * What goes to the exchange for `o` (`m`: its market; amounts in contracts): a take-profit sent
 * as a trigger triggers at its limit, or on contracts is a take-profit-market; reduce-only is
 * sent on contracts (spot: the broker enforces it).
 */
export function placeSpec(o: LiveOrder, m: LiveMarket | undefined): PlaceSpec {
  const spot = m?.spot ?? true;
  const tpMarket = o.role === "tp" && o.algo && m?.takeProfitMarket === true;
  const spec: PlaceSpec = {
    symbol: o.symbol,
    type: o.type === "market" || o.type === "stop_market" || tpMarket ? "market" : "limit",
    side: o.side,
    amount: toContracts(m, o.qty),
    exchangeClientId: o.exchangeClientId,
    reduceOnly: o.reduceOnly && !spot,
  };
  if (spec.type === "limit") spec.price = o.price;
  if (o.stopPrice !== undefined) spec.triggerPrice = o.stopPrice;
  else if (o.algo) spec.triggerPrice = o.price;
  if (tpMarket) spec.takeProfit = true;
  return spec;
}

/**
 * Sends a queued order: the intent is stored first (a refusal, and nothing sent, when the
 * journal already has the client id or cannot store it), then placed at most once, then
 * acknowledged, recorded as rejected, or left `unknown` for the polls to look up.
 */
export async function sendOrder(core: LiveCore, o: LiveOrder): Promise<void> {
  if (o.cancelWanted) {
    o.status = "cancelled"; // cancelled before it left this process
    return;
  }
  o.status = "sending";
  // leverage and margin mode matter for what opens a position; exits go out regardless
  const unready = o.reduceOnly ? undefined : await core.prepare?.(o.symbol);
  if (unready !== undefined) {
    o.status = "rejected"; // nothing journaled, nothing sent
    core.book.refuse(
      o,
      "not_prepared",
      `Order "${o.clientId}" was not sent: ${unready}`,
      core.clock.now(),
    );
    return;
  }
  try {
    const intent = intentOf(o, core.name);
    const records = core.records?.(o.clientId);
    if (records) intent.records = records;
    await core.journal.intent(intent);
  } catch (err) {
    o.status = "rejected";
    const dup = err instanceof InputError;
    core.book.refuse(
      o,
      dup ? "duplicate_client_id" : "journal_failed",
      dup
        ? (err as Error).message
        : `Order "${o.clientId}" was not sent: the journal could not store it (${brief(err)}).`,
      core.clock.now(),
    );
    return;
  }
  let out: PlaceOutcome;
  try {
    out = await placeOnce(core.ex, placeSpec(o, core.market(o.symbol)), core.call);
  } catch (err) {
    out = { kind: "unknown", reason: brief(err) };
  }
  if (out.kind === "acked") {
    await acknowledge(core, o, out.exchangeOrderId);
  } else if (out.kind === "rejected") {
    o.status = "rejected";
    const reason = core.redact(`Order "${o.clientId}": ${out.reason}`);
    await core.journal.rejected(o.clientId, { code: out.code, reason }, core.clock.now());
    core.book.refuse(o, out.code, reason, core.clock.now());
    if (o.role !== "order") {
      core.log("error", "exit order refused: the position is not protected", {
        clientId: o.clientId,
        reason,
      });
    }
  } else {
    o.status = "unknown";
    core.log("warn", "order state unclear after retries; it is looked up on every poll", {
      clientId: o.clientId,
      reason: out.reason,
    });
  }
}

/**
 * Cancels `o` at the exchange (a fired take-profit: the order it placed). When the exchange
 * says it is no longer open, its state is fetched and settled (filled or cancelled). Orders not
 * acknowledged yet are left to the polls, which cancel them once found.
 */
export async function cancelOrder(core: LiveCore, o: LiveOrder): Promise<void> {
  if (o.status !== "open" || o.exchangeOrderId === undefined) return;
  const fired = o.firedOrderId;
  const res = await cancelAtExchange(core.ex, {
    symbol: o.symbol,
    exchangeOrderId: fired ?? o.exchangeOrderId,
    algo: o.algo && fired === undefined,
  }, core.call);
  if (res === "cancelled") return markCancelled(core, o);
  const order = await fetchOrderById(core.ex, o.symbol, o.exchangeOrderId, o.algo, core.call);
  await settle(core, o, order);
}
