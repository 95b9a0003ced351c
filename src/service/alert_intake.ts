// Webhook alerts in: journaled durably (answered after fdatasync), copied into DuckDB in batches
// in the background, announced on the bus, and handed to the processing that listens.

import { type AlertInput, AlertJournal, type AlertRecord } from "../store/alert_journal.ts";
import type { ParsedAlert } from "./alert_message.ts";
import {
  type AlertQuery,
  type AlertState,
  AlertStore,
  type StoredAlert,
} from "../store/alert_store.ts";
import type { Db } from "../store/db.ts";
import type { EventBus } from "./event_bus.ts";
import { log } from "./log.ts";

/** Options of {@link AlertIntake.open}. */
export interface AlertIntakeOptions {
  db: Db;
  /**
   * The journal file [next to the database: `${db.path}.alerts.jsonl`; for ":memory:" a
   * temporary file, removed on close].
   */
  journalPath?: string;
  /** Wall clock in ms [Date.now]. */
  wallNow?: () => number;
  /** How long the same body from the same source counts as a repeat [60,000 ms]. */
  dedupeWindowMs?: number;
  /** Where `alert.received` and `alert.duplicate` are announced. */
  bus?: EventBus;
  /** Longest wait before received alerts are copied into DuckDB [200 ms]. */
  copyEveryMs?: number;
  /** Alerts that start a copy at once [500]. */
  copyBatch?: number;
  /** Journal size past which it is truncated once all of it is in DuckDB [4 MiB]. */
  rotateBytes?: number;
}

/** What {@link AlertIntake.receive} takes: an alert whose secret is already removed. */
export interface ReceivedInput extends Omit<AlertInput, "received_at"> {
  /**
   * What the surface read of the body against the bot, when processing may take it as it is
   * (it holds no secret); handed to the listeners, never journaled. Default: processing reads
   * the body again.
   */
  parsed?: ParsedAlert;
}

/** An alert as processing gets it: as journaled, with what its surface read of it, if given. */
export interface ReceivedAlert extends AlertRecord {
  /** Set only for an alert received now (not one replayed at start), when the surface gave it. */
  parsed?: ParsedAlert;
}

/** What {@link AlertIntake.receive} answers once the alert is durable. */
export interface Received {
  seq: number;
  duplicate: boolean;
  /** On a duplicate: the seq of the alert it repeats. */
  first_seq?: number;
}

/**
 * Processing of alerts: called once per alert that is not a duplicate, after it is durable,
 * and at start (or when registered) for every alert not yet past "received" — so after a crash
 * between the answer and the processing, an alert may come again: a listener must be idempotent
 * by `seq` (move the alert out of "received" with {@link AlertIntake.setState} once acted on).
 */
export type AlertListener = (alert: ReceivedAlert) => void | Promise<void>;

/**
 * The intake of webhook alerts. `receive()` resolves once the alert is on disk; DuckDB gets it
 * within `copyEveryMs` (or at once when `copyBatch` are waiting); `flush()` waits for that.
 *
 * @example
 * ```ts
 * const intake = await AlertIntake.open({ db });
 * intake.onAlert(async (a) => console.log(a.seq, a.bot_id));
 * const { seq, duplicate } = await intake.receive({ source: "tradingview", bot_id: "ema_01",
 *   key: "id:ema_01:42", body: '{"action":"buy"}' });
 * ```
 */
export class AlertIntake {
  readonly #listeners = new Set<AlertListener>();
  #pending: AlertRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #copying: Promise<void> = Promise.resolve();
  #copiedThrough = 0;
  #closed = false;

  private constructor(
    private readonly journal: AlertJournal,
    private readonly store: AlertStore,
    private readonly reads: AlertStore,
    private readonly o: AlertIntakeOptions & { wallNow: () => number },
    private readonly tempDir: string | undefined,
  ) {}

  /**
   * Opens the journal next to the database, copies into DuckDB what it holds that DuckDB lacks
   * (a crash before the copy), truncates it when all is stored, and rebuilds the de-duplication
   * index from both.
   */
  static async open(options: AlertIntakeOptions): Promise<AlertIntake> {
    const wallNow = options.wallNow ?? Date.now;
    const window = options.dedupeWindowMs ?? 60_000;
    let tempDir: string | undefined;
    let path = options.journalPath;
    if (path === undefined) {
      if (options.db.path === ":memory:") {
        tempDir = await Deno.makeTempDir({ prefix: "tidewatch_alerts_" });
        path = `${tempDir}/alerts.jsonl`;
      } else path = `${options.db.path}.alerts.jsonl`;
    }
    const store = new AlertStore(options.db);
    const storedSeq = await store.maxSeq();
    const known = await store.knownKeys(wallNow() - window);
    const journal = await AlertJournal.open(path, {
      now: wallNow,
      dedupeWindowMs: window,
      known,
      storedSeq,
      rotateBytes: options.rotateBytes,
    });
    const recovered = journal.records.filter((r) => r.seq > storedSeq);
    if (recovered.length) await store.copy(recovered, wallNow());
    const intake = new AlertIntake(
      journal,
      store,
      new AlertStore(options.db, { readConnection: true }),
      { ...options, wallNow },
      tempDir,
    );
    intake.#copiedThrough = journal.lastSeq;
    journal.stored(journal.lastSeq);
    await journal.compact();
    return intake;
  }

  /**
   * Journals an alert (durable when this resolves), then announces it on the bus and, unless it
   * is a duplicate, hands it to the listeners. Rejects when the journal cannot be written.
   */
  async receive(a: ReceivedInput): Promise<Received> {
    if (this.#closed) throw new Error("The alert intake is closed.");
    const { parsed, ...fields } = a;
    const input: AlertInput = {
      ...fields,
      body: a.body.toWellFormed(), // as the store keeps it
      received_at: this.o.wallNow(),
    };
    const r = await this.journal.append(input);
    const record: AlertRecord = {
      seq: r.seq,
      ...input,
      ...(r.duplicate ? { duplicate_of: r.first_seq } : {}),
    };
    this.#pending.push(record);
    this.#schedule();
    this.o.bus?.publish({
      type: r.duplicate ? "alert.duplicate" : "alert.received",
      botId: a.bot_id,
      data: { seq: r.seq, source: a.source, ...(r.duplicate ? { first_seq: r.first_seq } : {}) },
    });
    if (!r.duplicate) {
      const handed: ReceivedAlert = parsed ? { ...record, parsed } : record;
      for (const l of this.#listeners) this.#deliver(l, handed);
    }
    return r;
  }

  #deliver(l: AlertListener, a: ReceivedAlert): void {
    const failed = (err: unknown) =>
      log("error", "alert listener failed", { seq: a.seq, error: String(err) });
    try {
      const out = l(a);
      if (out instanceof Promise) out.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  /**
   * Registers processing (see {@link AlertListener}): it gets every alert from now on, and first
   * every stored alert not yet past "received", each once. Returns the function that removes it;
   * its `replayed` resolves once the waiting alerts were handed over.
   */
  onAlert(fn: AlertListener): (() => void) & { replayed: Promise<void> } {
    const seen = new Set<number>();
    let replaying = true;
    const live: AlertListener = (a) => {
      if (replaying) seen.add(a.seq);
      return fn(a);
    };
    this.#listeners.add(live);
    const replayed = (async () => {
      await this.flush();
      for (const a of await this.store.unprocessed()) {
        if (!seen.has(a.seq) && this.#listeners.has(live)) this.#deliver(fn, strip(a));
      }
    })().catch((err) =>
      log("error", "alerts waiting since the last run could not be read", { error: String(err) })
    ).finally(() => {
      replaying = false;
      seen.clear();
    });
    return Object.assign(() => void this.#listeners.delete(live), { replayed });
  }

  #schedule(): void {
    if (this.#pending.length >= (this.o.copyBatch ?? 500)) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#copy();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#copy();
      }, this.o.copyEveryMs ?? 200);
    }
  }

  /** Copies the waiting alerts into DuckDB, after the copies before it. */
  #copy(): Promise<void> {
    const run = async () => {
      const batch = this.#pending;
      if (batch.length === 0) return;
      this.#pending = [];
      try {
        await this.store.copy(batch, this.o.wallNow());
        const last = batch[batch.length - 1].seq;
        this.#copiedThrough = Math.max(this.#copiedThrough, last);
        this.journal.stored(last);
      } catch (err) {
        // Kept in the journal; tried again with the next batch (or at the next start).
        this.#pending = [...batch, ...this.#pending];
        log("error", "copying alerts into the database failed; retrying", {
          alerts: batch.length,
          error: String(err),
        });
        if (!this.#closed) this.#schedule();
        throw err;
      }
    };
    const out = this.#copying.then(run, run);
    this.#copying = out.catch(() => {});
    return this.#copying;
  }

  /** Waits until every alert received so far is in DuckDB (or its copy failed and is logged). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#copy();
  }

  /** Records what became of an alert (processing moves it out of "received"). */
  async setState(
    seq: number,
    state: AlertState,
    o: { rule?: string; reason?: string } = {},
  ): Promise<void> {
    if (seq > this.#copiedThrough) await this.flush();
    await this.store.setState(seq, state, { ...o, now: this.o.wallNow() });
  }

  /** Records what became of many alerts in one write (the router's batches). */
  async setStates(
    changes: readonly { seq: number; state: AlertState; rule?: string; reason?: string }[],
  ): Promise<void> {
    if (changes.some((c) => c.seq > this.#copiedThrough)) await this.flush();
    await this.store.setStates(changes, this.o.wallNow());
  }

  /** Stored alerts, newest first (everything received so far is copied first). */
  async list(q: AlertQuery = {}): Promise<{ total: number; alerts: StoredAlert[] }> {
    await this.flush();
    return await this.reads.list(q);
  }

  /** Journal syncs so far (the bench and tests read it). */
  get syncs(): number {
    return this.journal.syncs;
  }

  /** Stops taking alerts, copies the waiting ones into DuckDB and closes the journal. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.flush();
    await this.journal.close();
    if (this.tempDir) await Deno.remove(this.tempDir, { recursive: true }).catch(() => {});
  }
}

function strip(a: StoredAlert): AlertRecord {
  return {
    seq: a.seq,
    received_at: a.received_at,
    source: a.source,
    bot_id: a.bot_id,
    key: a.key,
    body: a.body,
  };
}
