// The live order journal in DuckDB: each change is stored before the broker goes on.

import {
  type JournalEntry,
  type JournalFill,
  type JournalFunding,
  MemoryOrderJournal,
  type OrderIntent,
  type OrderJournal,
} from "../core/order_journal.ts";
import type { Db } from "./db.ts";

/**
 * A durable {@link OrderJournal}: the rules of {@link MemoryOrderJournal}, with every changed
 * entry written to `live_orders` before the call returns (so an intent is on disk before its
 * order is sent). Live orders are few, so all entries are kept in memory as well.
 */
export class DuckOrderJournal implements OrderJournal {
  readonly #mem = new MemoryOrderJournal();
  #seq = 0;

  private constructor(private readonly db: Db) {}

  /** Opens the journal, loading every stored entry. */
  static async open(db: Db): Promise<DuckOrderJournal> {
    const j = new DuckOrderJournal(db);
    const rows = await db.all("SELECT entry, seq FROM live_orders ORDER BY seq");
    for (const r of rows) {
      j.#mem.restore(JSON.parse(String(r.entry)) as JournalEntry);
      j.#seq = Math.max(j.#seq, Number(r.seq) + 1);
    }
    for (const r of await db.all("SELECT * FROM live_funding ORDER BY ts, id")) {
      await j.#mem.funding({
        exchange: String(r.exchange),
        symbol: String(r.symbol),
        id: String(r.id),
        ts: Number(r.ts),
        amount: Number(r.amount),
        position: r.to_position === true,
      });
    }
    return j;
  }

  async intent(intent: OrderIntent): Promise<void> {
    await this.#mem.intent(intent);
    await this.#save(intent.clientId, true);
  }

  async ack(clientId: string, exchangeOrderId: string, ts: number): Promise<void> {
    await this.#mem.ack(clientId, exchangeOrderId, ts);
    await this.#save(clientId);
  }

  async rejected(clientId: string, r: { code: string; reason: string }, ts: number): Promise<void> {
    await this.#mem.rejected(clientId, r, ts);
    await this.#save(clientId);
  }

  async notSent(clientId: string, reason: string, ts: number): Promise<void> {
    await this.#mem.notSent(clientId, reason, ts);
    await this.#save(clientId);
  }

  async fill(clientId: string, fill: JournalFill): Promise<void> {
    await this.#mem.fill(clientId, fill);
    await this.#save(clientId);
  }

  async filled(clientId: string, ts: number): Promise<void> {
    await this.#mem.filled(clientId, ts);
    await this.#save(clientId);
  }

  async cancelled(clientId: string, ts: number): Promise<void> {
    await this.#mem.cancelled(clientId, ts);
    await this.#save(clientId);
  }

  /** Stores the payment in `live_funding` (once per exchange, symbol and id), then in memory. */
  async funding(f: JournalFunding): Promise<boolean> {
    if ((await this.#mem.fundings()).some((x) => sameFunding(x, f))) return false;
    await this.db.run("INSERT INTO live_funding VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [
      f.exchange,
      f.symbol,
      f.id,
      BigInt(f.ts),
      f.amount,
      f.position,
    ]);
    return this.#mem.funding(f);
  }

  fundings(): Promise<JournalFunding[]> {
    return this.#mem.fundings();
  }

  entries(): Promise<JournalEntry[]> {
    return Promise.resolve(this.#mem.all());
  }

  unfinished(): Promise<JournalEntry[]> {
    return this.#mem.unfinished();
  }

  byClientId(clientId: string): Promise<JournalEntry | undefined> {
    return this.#mem.byClientId(clientId);
  }

  byExchangeClientId(exchangeClientId: string): Promise<JournalEntry | undefined> {
    return this.#mem.byExchangeClientId(exchangeClientId);
  }

  /** Every entry, in the order written. */
  all(): JournalEntry[] {
    return this.#mem.all();
  }

  async #save(clientId: string, isNew = false): Promise<void> {
    const e = (await this.#mem.byClientId(clientId))!;
    const seq = isNew ? this.#seq++ : undefined;
    await this.db.transaction(async () => {
      if (seq !== undefined) {
        await this.db.run("INSERT INTO live_orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
          e.clientId,
          e.exchangeClientId,
          e.exchange,
          e.symbol,
          e.status,
          JSON.stringify(e),
          BigInt(seq),
          BigInt(e.updatedTs),
        ]);
      } else {
        await this.db.run(
          "UPDATE live_orders SET status = ?, entry = ?, updated_ts = ? WHERE client_id = ?",
          [e.status, JSON.stringify(e), BigInt(e.updatedTs), e.clientId],
        );
      }
    });
  }
}

function sameFunding(a: JournalFunding, b: JournalFunding): boolean {
  return a.exchange === b.exchange && a.symbol === b.symbol && a.id === b.id;
}
