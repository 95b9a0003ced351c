// A live bot's restart: its broker reconciled with the exchange, the records of the order journal
// its tables lack stored, its entries waiting for confirmation held again.

import type { OrderRequest } from "../core/trading.ts";
import type { ConfirmingBroker } from "./confirming_broker.ts";
import type { CcxtBroker } from "../live/ccxt_broker.ts";
import { journaledRecords } from "../core/order_journal.ts";
import type { BotStore } from "../store/bot_store.ts";
import type { ReconcileReport } from "../live/reconcile.ts";
import type { BotRecorder } from "./bot_records.ts";
import type { BotSpec } from "./bot_types.ts";

/** Something to announce on the event bus. */
type Announcement = { type: string; data: unknown; correlationId?: string };

/**
 * Settles a live bot at start-up: reconciles `live` with the exchange, stores what the journal
 * holds and the tables lack ({@link catchUpLive}), and holds again the entries still waiting for
 * confirmation at `now` ({@link restoreHeld}). Returns the reconcile report and what to announce.
 */
export async function settleLive(
  store: BotStore,
  spec: Pick<BotSpec, "botId" | "symbol">,
  run: { live: CcxtBroker; recorder: BotRecorder; broker: ConfirmingBroker; now: number },
): Promise<{ report: ReconcileReport; announcements: Announcement[] }> {
  const report = await run.live.reconcile({ symbols: [spec.symbol] });
  const announcements = await catchUpLive(store, run.recorder, spec, run.live);
  await restoreHeld(store, run.broker, spec.botId, run.now);
  return { report, announcements };
}

/**
 * Stores what the order journal holds and the bot's tables lack: the decision and order rows
 * journaled with an intent (a crash after sending, before the candle's records were written),
 * and the fills and trades made while the service was down (reconcile found them) or polled
 * just before a crash. The stored rows are a prefix of the broker's lists, which it
 * rebuilds from every journaled fill of the bot's symbol. Returns what to announce: the rows,
 * and a `bot.caught_up` summary when there were any.
 */
export async function catchUpLive(
  store: BotStore,
  recorder: BotRecorder,
  spec: Pick<BotSpec, "botId" | "symbol">,
  live: CcxtBroker,
): Promise<Announcement[]> {
  // decisions and orders journaled with intents whose rows a crash kept from the tables
  const known = await store.orderIds(spec.botId);
  const lost = (await journaledRecords(live.journal)).filter((r) =>
    r.orders.some((o) => !known.has(String(o.client_id)))
  );
  if (lost.length > 0) {
    await store.write(spec.botId, {
      decisions: lost.flatMap((r) => r.decisions),
      orders: lost.flatMap((r) => r.orders),
      fills: [],
      positions: [],
      trades: [],
      pending: [],
    });
  }
  const seqs = await store.nextSeqs(spec.botId);
  const fills = live.fills();
  const trades = live.trades();
  const from = Math.min(seqs.fills, fills.length);
  recorder.resumeAt(seqs, Math.min(seqs.trades, trades.length));
  const missed = fills.slice(from).map((f) => orderOf(f.clientId));
  const corr = await store.correlations(spec.botId, [...new Set(missed)]);
  recorder.catchUp(fills, from, trades, live.position(spec.symbol), corr);
  const out = recorder.take();
  await store.write(spec.botId, out.rows);
  const news = lost.length + out.rows.fills.length + out.rows.trades.length;
  return news === 0 ? [] : [
    {
      type: "bot.caught_up",
      data: { orders: lost.length, fills: out.rows.fills.length, trades: out.rows.trades.length },
    },
    ...out.announcements,
  ];
}

/** The client id of the order a fill belongs to (a bracket leg's is its entry's). */
function orderOf(clientId: string): string {
  return clientId.replace(/:(sl|tp|trail|trailing)$/, "");
}

/**
 * Holds again the entries of `botId` still waiting for confirmation (stored pending, not expired
 * at `now`), so they can be confirmed or rejected after a restart; returns how many.
 */
export async function restoreHeld(
  store: BotStore,
  broker: ConfirmingBroker,
  botId: string,
  now: number,
): Promise<number> {
  let n = 0;
  for (const p of await store.pending("pending")) {
    if (p.bot_id !== botId || !(Number(p.expires_at) > now)) continue;
    broker.restore({
      clientId: String(p.client_id),
      req: p.request as OrderRequest,
      ts: Number(p.ts),
    });
    n++;
  }
  return n;
}
