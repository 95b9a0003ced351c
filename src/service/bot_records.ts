// Collects what a bot decided and did on one candle (or one event) into rows with correlation ids.

import type {
  Fill,
  OrderRequest,
  PositionSide,
  PositionView,
  Refusal,
  Trade,
} from "../core/trading.ts";
import type { HeldOrder } from "./confirming_broker.ts";
import type { Decision } from "../engine/engine.ts";
import type { Accepted, OrderRefusal } from "../core/ports.ts";
import type { CandleRecords } from "../store/bot_store.ts";
import type { Row } from "../store/db.ts";

/** A record as announced on the event bus. */
export interface Announcement {
  type: "bot.decision" | "bot.order" | "bot.fill" | "bot.position" | "bot.trade" | "bot.pending";
  correlationId: string;
  data: Row;
}

/**
 * Turns the engine's and brokers' callbacks into rows. Every row carries a correlation id that
 * links a decision (`<bot>:<candle close ts>:<n>`) to its orders, fills and position changes;
 * orders without a decision (position timeout, flatten) get `<bot>:<ts>:<client id>`.
 * Numbering is deterministic, so a replay after a crash produces the very same keys.
 */
export class BotRecorder {
  #rows: CandleRecords = empty();
  #announce: Announcement[] = [];
  #perTs = new Map<number, number>();
  #corr = new Map<string, string>();
  #fillSeq = 0;
  #tradeSeq = 0;
  #tradeBase = 0;
  #orderTs = new Map<string, number>();
  /** The position after the latest recorded fill (netted from the fills; see onFill). */
  #pos: Held | undefined;
  /** The position row of the latest fill since `take`, and the broker's position then. */
  #lastPosRow: Row | undefined;
  #actual: PositionView | undefined;

  constructor(
    readonly botId: string,
    private readonly strategyVersion: string,
    /** How long a held entry waits for its confirmation (the settings may change it). */
    public ttlMs: number,
    /** Wall clock for pending confirmations' creation and expiry. */
    private readonly wallNow: () => number,
  ) {}

  /**
   * Numbers the next fill `fills` and the next trade `trades`, the broker already listing
   * `seen` trades (a live bot's broker rebuilds its trades from the journal after a restart;
   * those are stored already).
   */
  resumeAt(
    seqs: { fills: number; trades: number },
    seen: number,
    position?: PositionView,
  ): void {
    this.#fillSeq = seqs.fills;
    this.#tradeBase = seqs.trades - seen;
    this.#tradeSeq = seen;
    this.#pos = position && { side: position.side, qty: position.qty, entry: position.entryPrice };
  }

  /**
   * After a live restart: records the broker's fills from index `from` and its trades from index
   * `seen` of `resumeAt` on (rebuilt from the order journal: made while the service was down, or
   * polled just before a crash, before that candle's records were written), with positions netted
   * from the fills before and the stored orders' correlation ids (`correlations`, client id →
   * id). `position` is the broker's position now. Call `take` next.
   */
  catchUp(
    fills: readonly Fill[],
    from: number,
    trades: readonly Trade[],
    position: PositionView | undefined,
    correlations: ReadonlyMap<string, string>,
  ): void {
    let p: Held | undefined;
    for (let k = 0; k < from; k++) p = netted(p, fills[k]);
    this.#pos = p;
    for (const [id, corr] of correlations) this.#corr.set(id, corr);
    for (let k = from; k < fills.length; k++) this.onFill(fills[k], position);
    this.onTrades(trades);
    if (from >= fills.length) {
      this.#pos = position &&
        { side: position.side, qty: position.qty, entry: position.entryPrice };
    }
  }

  /**
   * The decision and order rows of order `clientId` collected since the last `take` (order rows
   * with their correlation id), for the journal to keep with the order's intent; undefined when
   * there are none (a bracket leg, a close-out).
   */
  recordsOf(clientId: string): { decisions: Row[]; orders: Row[] } | undefined {
    const orders = this.#rows.orders.filter((o) => o.client_id === clientId);
    const decisions = this.#rows.decisions.filter((d) =>
      (d.orders as readonly string[]).includes(clientId)
    );
    if (orders.length === 0 && decisions.length === 0) return undefined;
    return {
      decisions: decisions.map((d) => ({ ...d })),
      orders: orders.map((o) => ({
        ...o,
        correlation_id: this.correlationOf(clientId, Number(o.ts)),
      })),
    };
  }

  /** The correlation id of an order (bracket legs "<id>:sl" share their entry's). */
  correlationOf(clientId: string, ts: number): string {
    const base = clientId.replace(/:(sl|tp|trail|trailing)$/, "");
    return this.#corr.get(base) ?? `${this.botId}:${ts}:${base}`;
  }

  onSubmit(req: OrderRequest, ts: number, res: Accepted | Refusal): void {
    if (!res.ok) return;
    this.#orderTs.set(req.clientId, ts);
    this.#rows.orders.push({
      client_id: req.clientId,
      ts,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      request: req,
    });
  }

  onHold(h: HeldOrder): void {
    const now = this.wallNow();
    this.#rows.pending.push({
      id: `${this.botId}:${h.clientId}`,
      client_id: h.clientId,
      ts: h.ts,
      request: h.req,
      created_at: now,
      expires_at: now + this.ttlMs,
      status: "pending",
    });
  }

  onDecision(d: Decision): void {
    const n = this.#perTs.get(d.ts) ?? 0;
    this.#perTs.set(d.ts, n + 1);
    const correlationId = `${this.botId}:${d.ts}:${n}`;
    for (const id of d.orders) this.#corr.set(id, correlationId);
    const row: Row = {
      ts: d.ts,
      n,
      correlation_id: correlationId,
      symbol: d.symbol,
      strategy_version: this.strategyVersion,
      side: d.signal.side,
      confidence: d.signal.confidence,
      signal: d.signal,
      outcome: d.outcome,
      code: d.code,
      reason: d.reason,
      orders: d.orders,
    };
    this.#rows.decisions.push(row);
    this.#announce.push({ type: "bot.decision", correlationId, data: row });
  }

  onOrderRefusal(r: OrderRefusal): void {
    this.onDecision({
      ts: r.ts,
      symbol: r.symbol,
      signal: { side: "exit", confidence: 0, reason: `order ${r.clientId} cancelled at fill time` },
      outcome: "refused",
      code: r.code,
      reason: r.reason,
      orders: [r.clientId],
    });
  }

  /**
   * Records a fill and the position after it. The broker's `position` is the one after every
   * fill of the candle, so each fill's position is netted from the one before (a flip's close is
   * flat, its entry the new side); the last fill before `take` gets the broker's own position,
   * which also settles what netting cannot see (a spot fee paid in the coin).
   */
  onFill(f: Fill, position: PositionView | undefined): void {
    this.#pos = netted(this.#pos, f);
    const held = this.#pos;
    const correlationId = this.correlationOf(f.clientId, f.ts);
    const seq = this.#fillSeq++;
    const fill: Row = {
      seq,
      correlation_id: correlationId,
      client_id: f.clientId,
      ts: f.ts,
      symbol: f.symbol,
      side: f.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      liquidity: f.liquidity,
      exit_reason: f.exitReason ?? null,
    };
    const pos: Row = {
      seq,
      correlation_id: correlationId,
      ts: f.ts,
      symbol: f.symbol,
      side: held?.side ?? null,
      qty: held?.qty ?? 0,
      entry_price: held?.entry ?? null,
    };
    this.#lastPosRow = pos;
    this.#actual = position;
    this.#rows.fills.push(fill);
    this.#rows.positions.push(pos);
    this.#announce.push({ type: "bot.fill", correlationId, data: fill });
    this.#announce.push({ type: "bot.position", correlationId, data: pos });
  }

  /** Adds trades closed since the last call (the broker's list grows). */
  onTrades(all: readonly Trade[]): void {
    for (; this.#tradeSeq < all.length; this.#tradeSeq++) {
      const t = all[this.#tradeSeq];
      const row: Row = { seq: this.#tradeBase + this.#tradeSeq, ...t };
      this.#rows.trades.push(row);
      this.#announce.push({
        type: "bot.trade",
        correlationId: this.correlationOf(`${this.botId}:${t.exit_ts}`, t.exit_ts),
        data: row,
      });
    }
  }

  /** Takes the rows collected since the last call (with the equity row when given). */
  take(equity?: { ts: number; equity: number; balance: number }): {
    rows: CandleRecords;
    announcements: Announcement[];
  } {
    const rows = this.#rows;
    const last = this.#lastPosRow;
    if (last !== undefined) {
      const p = this.#actual;
      last.side = p?.side ?? null;
      last.qty = p?.qty ?? 0;
      last.entry_price = p?.entryPrice ?? null;
      this.#pos = p && { side: p.side, qty: p.qty, entry: p.entryPrice };
      this.#lastPosRow = undefined;
    }
    for (const o of rows.orders) {
      const id = String(o.client_id);
      const corr = this.correlationOf(id, Number(o.ts));
      o.correlation_id = corr;
      this.#corr.set(id, corr);
      this.#announce.push({ type: "bot.order", correlationId: corr, data: o });
    }
    for (const p of rows.pending) {
      const corr = this.correlationOf(String(p.client_id), Number(p.ts));
      p.correlation_id = corr;
      this.#announce.push({ type: "bot.pending", correlationId: corr, data: p });
    }
    if (equity) rows.equity = equity;
    const announcements = this.#announce;
    this.#rows = empty();
    this.#announce = [];
    return { rows, announcements };
  }
}

function empty(): CandleRecords {
  return { decisions: [], orders: [], fills: [], positions: [], trades: [], pending: [] };
}

/** A net position as the recorder follows it. */
interface Held {
  side: PositionSide;
  qty: number;
  entry: number;
}

/** `p` after fill `f`: added to (average entry), reduced, closed or flipped by the remainder. */
function netted(p: Held | undefined, f: Fill): Held | undefined {
  const side: PositionSide = f.side === "buy" ? "long" : "short";
  if (p === undefined || !(p.qty > 0)) return { side, qty: f.qty, entry: f.price };
  if (p.side === side) {
    const qty = p.qty + f.qty;
    return { side, qty, entry: (p.entry * p.qty + f.price * f.qty) / qty };
  }
  const left = p.qty - f.qty;
  const dust = p.qty * 1e-9;
  if (left > dust) return { side: p.side, qty: left, entry: p.entry };
  if (left < -dust) return { side, qty: -left, entry: f.price };
  return undefined;
}
