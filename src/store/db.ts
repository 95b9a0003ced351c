// Opens a DuckDB file (or ":memory:"), runs migrations, and turns lock errors into advice.

import { AsyncLocalStorage } from "node:async_hooks";
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import { StoreLockedError } from "../core/errors.ts";
import { migrate } from "./migrations.ts";

/** A row as DuckDB's JS conversion returns it. */
export type Row = Record<string, unknown>;

/** Options of the store classes on a {@link Db}. */
export interface StoreOptions {
  /**
   * Read through the database's read connection (the API's reads): they neither wait for nor
   * hold up the writes [false: the write connection, in order with the writes, as bots need].
   */
  readConnection?: boolean;
}

/**
 * An open database: one instance, migrated, with two connections. Writes (and every statement of
 * a transaction) run one at a time on the write connection ({@link Db.exclusive}); reads that
 * need no transaction run one at a time on a read connection of their own ({@link Db.read},
 * {@link Db.reading}), so they never queue behind a bot's writes nor hold them up (DuckDB's MVCC:
 * a read sees what was committed when it began). Close it when done.
 */
export class Db {
  private constructor(
    /** File path, or ":memory:". */
    readonly path: string,
    private readonly instance: DuckDBInstance,
    /** The write connection; use {@link Db.run} and {@link Db.all} for the common cases. */
    readonly conn: DuckDBConnection,
    /** The read connection: reads outside transactions ({@link Db.reading}). */
    private readonly reader: DuckDBConnection,
  ) {
    this.#write = new Lane(conn);
    this.#read = new Lane(reader);
  }

  /**
   * Opens (creating if needed) a database and applies pending migrations.
   *
   * @example
   * ```ts
   * const db = await Db.open("data/tidewatch.duckdb");
   * try {
   *   console.log(await db.all("select count(*) as n from candles"));
   * } finally {
   *   await db.close();
   * }
   * ```
   */
  static async open(path: string): Promise<Db> {
    if (path !== ":memory:") {
      ownerOnly();
      const dir = path.replace(/[^/]*$/, "");
      if (dir) await Deno.mkdir(dir, { recursive: true });
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      throw lockError(path, err) ?? err;
    }
    if (path !== ":memory:") await restrict(path);
    const db = new Db(path, instance, await instance.connect(), await instance.connect());
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  /** Runs a statement, with `$1`-style or positional `?` parameters. */
  run(sql: string, params?: DuckDBValue[]): Promise<void> {
    return this.exclusive(async () => void await this.conn.run(sql, params));
  }

  /** Runs a query and returns its rows as plain JS objects (BIGINT becomes bigint). */
  all(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    return this.exclusive(async () => {
      const reader = await this.conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Row[];
    });
  }

  /**
   * {@link Db.all} on the read connection: the rows committed when it begins, without waiting
   * for the writes queued on the write connection. Inside an exclusive section (a transaction)
   * it runs there, and sees that section's own writes.
   */
  read(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    return this.reading(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Row[];
    });
  }

  /** The write connection's lane (exclusive sections) and the read connection's. */
  readonly #write: Lane;
  readonly #read: Lane;
  /** Set by {@link Db.close}: resolves once the connections and instance are closed. */
  #closing?: Promise<void>;
  /** The connection of the lane the current async context runs in, if any. */
  readonly #inside = new AsyncLocalStorage<DuckDBConnection>();

  /**
   * Runs `fn` with the write connection to itself: concurrent callers (bots, the feed, HTTP
   * handlers) queue, so their statements never interleave on the one connection. Calls made
   * from inside `fn` (directly or through the store classes) run at once. Rejects once the
   * database is closing: work must never reach a closed connection.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#inside.getStore() === this.conn) return fn();
    return this.#enqueue(this.#write, fn);
  }

  /**
   * Runs `fn` with the read connection to itself (readers queue among themselves, never behind
   * writers). Only for reads outside transactions: what it sees is what was committed when each
   * statement began. Called from inside an exclusive section it runs there, on the write
   * connection, at once.
   */
  reading<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const inside = this.#inside.getStore();
    if (inside) return fn(inside);
    return this.#enqueue(this.#read, () => fn(this.reader));
  }

  #enqueue<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
    if (this.#closing) {
      return Promise.reject(
        new Error(`Database "${this.path}" is closed; open it again to use it.`),
      );
    }
    return lane.enqueue(() => this.#inside.run(lane.conn, fn));
  }

  /** Runs `fn` inside a transaction (exclusively); rolls back and rethrows when it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.conn.run("BEGIN TRANSACTION");
      try {
        const out = await fn();
        await this.conn.run("COMMIT");
        return out;
      } catch (err) {
        await this.conn.run("ROLLBACK");
        throw err;
      }
    });
  }

  /**
   * Closes both connections and the instance (releasing the file lock), once the statements
   * already queued on either have finished: closing DuckDB under a running query or appender
   * crashes the process (a segmentation fault). With nothing in flight it closes at once; later
   * calls reject. Await it before opening the same file again or exiting.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#inside.getStore()) {
      throw new Error(`Database "${this.path}" cannot be closed from inside its own statement.`);
    }
    const shut = () => {
      this.reader.closeSync();
      this.conn.closeSync();
      this.instance.closeSync();
    };
    if (this.#write.pending === 0 && this.#read.pending === 0) {
      shut();
      this.#closing = Promise.resolve();
    } else {
      this.#closing = Promise.all([this.#write.drained(), this.#read.drained()]).then(shut);
    }
    return this.#closing;
  }
}

/** One connection's queue: sections run one at a time, in the order they were asked for. */
class Lane {
  /** The tail of the queue. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Sections queued or running. */
  pending = 0;

  constructor(readonly conn: DuckDBConnection) {}

  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = async () => {
      try {
        return await fn();
      } finally {
        this.pending--;
      }
    };
    const out = this.#tail.then(run, run);
    this.#tail = out.catch(() => {});
    return out;
  }

  /** Resolves once every section queued so far has finished. */
  drained(): Promise<void> {
    return this.#tail.then(() => {});
  }
}

/** Quotes a string as a SQL literal (for statements that take no parameters, such as COPY). */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Maps DuckDB's "Could not set lock" IO error to a StoreLockedError naming the holder. */
export function lockError(path: string, err: unknown): StoreLockedError | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  if (!/Could not set lock on file/.test(msg)) return undefined;
  const m = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(msg);
  const pid = m?.[2];
  const holder = pid ? describeProcess(Number(pid), m?.[1] ?? "") : "another process";
  return new StoreLockedError(
    `Database "${path}" is in use by ${holder}, and DuckDB allows one writing process per file. ` +
      `Stop that process${pid ? ` (kill ${pid})` : ""}, or pass --db with another file ` +
      `(for example --db data/research.duckdb) to work on a copy of your own.`,
    { cause: err },
  );
}

function describeProcess(pid: number, program: string): string {
  let cmd = "";
  try {
    cmd = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean).join(" ");
  } catch {
    // Not Linux, or the process is gone: fall back to the program DuckDB names.
  }
  const what = cmd || program || "unknown program";
  return `process ${pid} ("${what.length > 120 ? what.slice(0, 117) + "..." : what}")`;
}

/**
 * Files this process creates from now on are its owner's only (umask 077): the database, its
 * write-ahead log (which DuckDB creates and deletes as it checkpoints), exports. The store holds
 * positions, orders and the audit log; nobody else on the machine needs to read them.
 */
function ownerOnly(): void {
  Deno.umask(0o077);
}

/** A database file (and its log) made before umask was set, or by an older version: owner only. */
async function restrict(path: string): Promise<void> {
  for (const file of [path, `${path}.wal`]) {
    try {
      if (((await Deno.stat(file)).mode ?? 0) & 0o077) await Deno.chmod(file, 0o600);
    } catch (err) {
      // absent (no log yet), or not ours to change: the file stays as it is
      if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied)) {
        throw err;
      }
    }
  }
}
