// The alert journal: every webhook alert, durable (fdatasync) before it is answered, in an
// append-only JSON-lines file written with group commit; it also de-duplicates alerts.
//
// Why this design: the webhook must answer within 10 ms (p99) at 500 alerts/s and an answered
// alert must survive `kill -9`. A DuckDB commit costs ~15 ms here, so one commit an alert cannot
// keep up, and batching commits would make each alert wait for its batch. A write + fdatasync of
// one small line costs 0.4-0.6 ms p50 here (p99 1-3 ms on a quiet machine, 6-8 ms while other
// test suites load the disk; bench/webhook_bench.ts measures it), so the alert goes to a file of
// its own first: appends queue; one writer writes every queued line with one write and one
// `syncData()`, then resolves them all; appends arriving during a sync go in the next batch. An
// alert waits at most for the sync in flight plus its own (at 500/s: ~1 ms p50, ~5 ms p99 for
// the journal alone). The lines are then copied into DuckDB in batches by the intake
// (`alert_store.ts`: one statement a batch, off the event loop's critical path), where they are
// listed and their fate recorded. Once everything the file holds is in DuckDB the file is
// truncated (at start, and when it passes a size): the cut runs in the writer's turn, so no
// append can land between the check and the cut. A crash can tear only the last line (appends
// are whole lines, in order): it is cut off at start and logged, never fatal. Rejected designs:
// a commit an alert in DuckDB (15 ms each, serialised with the bots' writes), and answering
// before the sync (an answered alert could be lost to a crash).

/** A warning line on stderr (the store layer has no logger of its own). */
function log(level: "warn" | "error", msg: string, fields: Record<string, unknown>): void {
  console.error(JSON.stringify({ level, msg, ...fields }));
}

/** An alert as the journal records it (the secret already removed from `body`). */
export interface AlertRecord {
  /** Position in the journal, increasing for the life of the database. */
  seq: number;
  /** Wall-clock ms when it was received. */
  received_at: number;
  /** Where it came from: "tradingview". */
  source: string;
  /** The bot it is for. */
  bot_id: string;
  /** Its de-duplication key: "id:<bot>:<alert_id>" or "body:<bot>:<source>:<sha256 of body>". */
  key: string;
  /** The message as received, without the passphrase. */
  body: string;
  /** Set on a duplicate: the seq of the alert it repeats. */
  duplicate_of?: number;
}

/** What {@link AlertJournal.append} takes. */
export type AlertInput = Omit<AlertRecord, "seq" | "duplicate_of">;

/** What {@link AlertJournal.append} answers once the alert is durable. */
export interface AppendResult {
  seq: number;
  duplicate: boolean;
  /** On a duplicate: the seq of the first alert with its key. */
  first_seq?: number;
}

/** A key seen before, as the store remembers it (to rebuild de-duplication at start). */
export interface KnownKey {
  key: string;
  seq: number;
  received_at: number;
}

/** Options of {@link AlertJournal.open}. */
export interface AlertJournalOptions {
  /** Wall clock in ms, for the de-duplication window [Date.now]. */
  now?: () => number;
  /** How long the same body from the same source counts as a repeat [60,000 ms]. */
  dedupeWindowMs?: number;
  /** Keys of alerts already in the store (not in the file any more). */
  known?: Iterable<KnownKey>;
  /** The highest seq the store holds: numbering continues after it [0]. */
  storedSeq?: number;
  /** Size in bytes past which the file is truncated once all of it is stored [4 MiB]. */
  rotateBytes?: number;
}

interface Pending {
  line: string;
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

const encoder = new TextEncoder();

/**
 * The journal of webhook alerts. Open it once per database (it holds the file), append alerts,
 * tell it what the store holds with {@link AlertJournal.stored}, close it when done.
 *
 * @example
 * ```ts
 * const j = await AlertJournal.open("data/tidewatch.duckdb.alerts.jsonl");
 * const { seq, duplicate } = await j.append({ received_at: Date.now(), source: "tradingview",
 *   bot_id: "ema_01", key: "id:ema_01:42", body: "{}" });
 * ```
 */
export class AlertJournal {
  readonly #file: Deno.FsFile;
  readonly #now: () => number;
  readonly #window: number;
  readonly #rotateBytes: number;
  /** Key -> first seq: "id:" keys for good, "body:" keys with their time (pruned by window). */
  readonly #ids = new Map<string, number>();
  readonly #bodies = new Map<string, { seq: number; at: number }>();
  #queue: Pending[] = [];
  /** True while the writer (or a compaction) owns the file. */
  #active = false;
  #writing: Promise<void> = Promise.resolve();
  #failed: Error | undefined;
  #closed = false;
  #seq: number;
  /** Highest seq written to the file, and the file's size. */
  #writtenSeq: number;
  #size: number;
  /** Highest seq the store confirmed holding. */
  #storedSeq: number;
  #syncs = 0;

  private constructor(
    readonly path: string,
    file: Deno.FsFile,
    records: AlertRecord[],
    size: number,
    o: AlertJournalOptions,
  ) {
    this.#file = file;
    this.#now = o.now ?? Date.now;
    this.#window = o.dedupeWindowMs ?? 60_000;
    this.#rotateBytes = o.rotateBytes ?? 4 * 1024 * 1024;
    this.#storedSeq = o.storedSeq ?? 0;
    this.#size = size;
    for (const k of o.known ?? []) this.#remember(k.key, k.seq, k.received_at);
    let last = this.#storedSeq;
    for (const r of records) {
      if (r.duplicate_of === undefined) this.#remember(r.key, r.seq, r.received_at);
      last = Math.max(last, r.seq);
    }
    this.#seq = last;
    this.#writtenSeq = records.length ? records[records.length - 1].seq : 0;
    this.records = records;
  }

  /** The records found in the file when it was opened (oldest first), for the store to copy. */
  readonly records: readonly AlertRecord[];

  /**
   * Opens (creating if needed) the journal at `path`: reads back its lines, cuts off a torn last
   * line (logged), and rebuilds the de-duplication index from them and `options.known`.
   */
  static async open(path: string, options: AlertJournalOptions = {}): Promise<AlertJournal> {
    const { records, goodBytes, torn } = await readJournal(path);
    const file = await Deno.open(path, { create: true, append: true, read: false });
    try {
      if (torn) {
        await file.truncate(goodBytes);
        await file.syncData();
        log("warn", "alert journal: a torn last line (an interrupted write) was cut off", {
          bytes: torn,
        });
      }
    } catch (err) {
      file.close();
      throw err;
    }
    return new AlertJournal(path, file, records, goodBytes, options);
  }

  /** Syncs done so far (tests count them: group commit makes few). */
  get syncs(): number {
    return this.#syncs;
  }

  /** The last seq given out. */
  get lastSeq(): number {
    return this.#seq;
  }

  /** The seq of the first alert with `key` when it is a repeat now, else undefined. */
  #firstWith(key: string, at: number): number | undefined {
    const id = this.#ids.get(key);
    if (id !== undefined) return id;
    const b = this.#bodies.get(key);
    return b && at - b.at < this.#window ? b.seq : undefined;
  }

  #remember(key: string, seq: number, at: number): void {
    if (key.startsWith("id:")) {
      if (!this.#ids.has(key)) this.#ids.set(key, seq);
      return;
    }
    const b = this.#bodies.get(key);
    if (b && at - b.at < this.#window) return;
    this.#bodies.delete(key); // re-inserted last: the map stays in time order for pruning
    this.#bodies.set(key, { seq, at });
  }

  #prune(at: number): void {
    for (const [key, b] of this.#bodies) {
      if (at - b.at < this.#window) break;
      this.#bodies.delete(key);
    }
  }

  /**
   * Journals an alert and resolves once it is on disk (fdatasync): its seq, and whether it
   * repeats an earlier one (same "id:" key ever, or same "body:" key within the window). A
   * duplicate is journaled too, with `duplicate_of`. Rejects when the file cannot be written.
   */
  append(a: AlertInput): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new Error("The alert journal is closed."));
    if (this.#failed) return Promise.reject(this.#failed);
    const at = this.#now();
    this.#prune(at);
    const first = this.#firstWith(a.key, at);
    const seq = ++this.#seq;
    const record: AlertRecord = {
      seq,
      received_at: a.received_at,
      source: a.source,
      bot_id: a.bot_id,
      key: a.key,
      body: a.body,
      ...(first !== undefined ? { duplicate_of: first } : {}),
    };
    if (first === undefined) this.#remember(a.key, seq, at);
    const result: AppendResult = first === undefined
      ? { seq, duplicate: false }
      : { seq, duplicate: true, first_seq: first };
    return new Promise((resolve, reject) => {
      this.#queue.push({
        line: JSON.stringify(record) + "\n",
        seq,
        resolve: () => resolve(result),
        reject,
      });
      this.#kick();
    });
  }

  /**
   * Tells the journal the store holds every alert up to `seq`: once that covers the whole file
   * and the file passed its size, it is truncated (in the writer's turn).
   */
  stored(seq: number): void {
    this.#storedSeq = Math.max(this.#storedSeq, seq);
    if (this.#size >= this.#rotateBytes) this.#kick();
  }

  /**
   * Truncates the file now if the store holds all of it (at start, after the recovered records
   * were copied). Resolves true when it was truncated.
   */
  async compact(): Promise<boolean> {
    while (this.#active) await this.#writing;
    if (this.#size === 0 || this.#writtenSeq > this.#storedSeq || this.#failed) return false;
    this.#active = true; // appends queue meanwhile; the writer starts after the cut
    try {
      await this.#truncate();
    } finally {
      this.#active = false;
      if (this.#queue.length) this.#kick();
    }
    return true;
  }

  #kick(): void {
    if (this.#active) return;
    this.#active = true;
    this.#writing = this.#run();
  }

  async #run(): Promise<void> {
    // `#active` is cleared in the same turn as the last look at the queue (no await between):
    // an append resolved by the last batch runs after that, and starts a new writer.
    try {
      while (this.#queue.length || this.#wantsRotation()) {
        if (this.#queue.length === 0) {
          await this.#truncate().catch((err) => {
            log("error", "alert journal: truncating the file failed", { error: String(err) });
            this.#size = 0; // not retried for every batch; the next start compacts it
          });
          continue;
        }
        const batch = this.#queue;
        this.#queue = [];
        try {
          const bytes = encoder.encode(batch.map((p) => p.line).join(""));
          // Into the page cache at once (a few µs; one trip to the thread pool fewer), then the
          // one sync every waiting answer needs.
          writeAllSync(this.#file, bytes);
          await this.#file.syncData();
          this.#syncs++;
          this.#size += bytes.length;
          this.#writtenSeq = batch[batch.length - 1].seq;
          for (const p of batch) p.resolve();
        } catch (err) {
          // What was written of this batch is unknown: nothing more is accepted until a restart
          // (which cuts a torn line); the callers answer an error, so the sender retries.
          this.#failed = new Error(`The alert journal could not be written: ${String(err)}`);
          for (const p of [...batch, ...this.#queue]) p.reject(this.#failed);
          this.#queue = [];
          break;
        }
      }
    } finally {
      this.#active = false;
    }
  }

  #wantsRotation(): boolean {
    return this.#size >= this.#rotateBytes && this.#writtenSeq <= this.#storedSeq &&
      !this.#failed;
  }

  async #truncate(): Promise<void> {
    await this.#file.truncate(0);
    await this.#file.syncData();
    this.#size = 0;
  }

  /** Waits for the appends queued so far to be on disk, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#active) await this.#writing;
    this.#file.close();
  }
}

function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
}

/** The file's whole-line records, the byte length they span, and the bytes of a torn tail. */
async function readJournal(
  path: string,
): Promise<{ records: AlertRecord[]; goodBytes: number; torn: number }> {
  let data: Uint8Array;
  try {
    data = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { records: [], goodBytes: 0, torn: 0 };
    throw err;
  }
  const records: AlertRecord[] = [];
  const decoder = new TextDecoder();
  let start = 0;
  let skipped = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, start)) {
    const text = decoder.decode(data.subarray(start, i));
    start = i + 1;
    const r = parseRecord(text);
    if (r) records.push(r);
    else if (text.trim() !== "") skipped++;
  }
  if (skipped) {
    log("warn", "alert journal: unreadable lines were skipped", { lines: skipped });
  }
  records.sort((a, b) => a.seq - b.seq);
  return { records, goodBytes: start, torn: data.length - start };
}

function parseRecord(text: string): AlertRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<AlertRecord>;
    if (
      typeof r !== "object" || r === null || !Number.isSafeInteger(r.seq) ||
      typeof r.received_at !== "number" || typeof r.source !== "string" ||
      typeof r.bot_id !== "string" || typeof r.key !== "string" || typeof r.body !== "string"
    ) return undefined;
    return r as AlertRecord;
  } catch {
    return undefined;
  }
}
