// Test support for the outbox and notifier: a recording chat channel that can fail or hang, and
// timers with a clock that tests move by hand (no real waiting).

import type { ChatChannel, ChatMessage, Platform, SentRef } from "../../src/bots/chat.ts";
import type { Timers } from "../../src/service/supervisor.ts";

/** Generous safety net for awaited events on a busy machine. */
export const SAFETY_MS = 30_000;

/** Rejects after `ms` unless `p` settles first (the timer is cleared either way). */
export function within<T>(p: Promise<T>, what: string, ms = SAFETY_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A FIFO of recorded items with `next()` awaiting the next one not yet taken. */
class Recorded<T> {
  readonly all: T[] = [];
  #taken = 0;
  #waiting: ((v: T) => void)[] = [];
  #counts: { n: number; resolve: () => void }[] = [];

  push(v: T): void {
    this.all.push(v);
    const w = this.#waiting.shift();
    if (w) {
      this.#taken++;
      w(v);
    }
    for (const c of [...this.#counts]) {
      if (this.all.length < c.n) continue;
      this.#counts.splice(this.#counts.indexOf(c), 1);
      c.resolve();
    }
  }

  /** Resolves once `n` items were recorded in all. */
  until(n: number, what: string): Promise<void> {
    if (this.all.length >= n) return Promise.resolve();
    return within(new Promise<void>((resolve) => this.#counts.push({ n, resolve })), what);
  }

  next(what: string): Promise<T> {
    if (this.#taken < this.all.length) return Promise.resolve(this.all[this.#taken++]);
    return within(new Promise<T>((resolve) => this.#waiting.push(resolve)), what);
  }
}

/** A send or edit the channel was asked for (whatever became of it). */
export interface Call {
  kind: "send" | "edit";
  chatId: string;
  text: string;
  ref?: SentRef;
}

/**
 * A {@link ChatChannel} written for tests: records each call, answers with increasing message
 * ids, fails the next `failNext` calls (with `error`), or leaves calls hanging while `hang` is set
 * (`release()` answers them).
 */
export class TestChannel implements ChatChannel {
  failNext = 0;
  error = "502 Bad Gateway";
  /** Fields the failures carry (e.g. `{ retryable: false }`, `{ status: 403 }`). */
  errorFields: Record<string, unknown> = {};
  hang = false;
  readonly calls = new Recorded<Call>();
  readonly sent = new Recorded<{ chatId: string; m: ChatMessage; ref: SentRef }>();
  readonly edits = new Recorded<{ ref: SentRef; m: ChatMessage }>();
  #id = 100;
  #hung: (() => void)[] = [];

  constructor(readonly platform: Platform, readonly chats: readonly string[]) {}

  send(chatId: string, m: ChatMessage): Promise<SentRef> {
    return this.#answer({ kind: "send", chatId, text: m.text }, () => {
      const ref = { platform: this.platform, chatId, messageId: String(this.#id++) };
      this.sent.push({ chatId, m, ref });
      return ref;
    });
  }

  edit(ref: SentRef, m: ChatMessage): Promise<void> {
    return this.#answer({ kind: "edit", chatId: ref.chatId, text: m.text, ref }, () => {
      this.edits.push({ ref, m });
    });
  }

  /** Answers the hanging calls (successfully) and stops hanging. */
  release(): void {
    this.hang = false;
    for (const r of this.#hung.splice(0)) r();
  }

  /** Texts of every successful send, in order. */
  texts(): string[] {
    return this.sent.all.map((s) => s.m.text);
  }

  #answer<T>(call: Call, ok: () => T): Promise<T> {
    this.calls.push(call);
    if (this.hang) return new Promise<T>((resolve) => this.#hung.push(() => resolve(ok())));
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(Object.assign(new Error(this.error), this.errorFields));
    }
    return Promise.resolve(ok());
  }
}

/** A timer as {@link FakeTimers} keeps it. */
interface FakeTimer {
  at: number;
  ms: number;
  fn: () => void;
}

/** Timers on a hand-moved clock (`now`, UTC ms): `advance()` fires what falls due, in order. */
export class FakeTimers implements Timers {
  readonly #timers = new Map<number, FakeTimer>();
  #next = 1;
  #watchers: { pred: (ms: number) => boolean; resolve: (ms: number) => void }[] = [];

  constructor(public now = 0) {}

  set(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, ms, fn });
    for (const w of [...this.#watchers]) {
      if (!w.pred(ms)) continue;
      this.#watchers.splice(this.#watchers.indexOf(w), 1);
      w.resolve(ms);
    }
    return id;
  }

  clear(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Delays of the timers waiting, in the order they were set. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.ms);
  }

  /** Resolves with the delay of a waiting timer matching `pred`, or of the next one set. */
  waitForSet(pred: (ms: number) => boolean, what = "a timer"): Promise<number> {
    const already = this.pending().find(pred);
    if (already !== undefined) return Promise.resolve(already);
    return within(new Promise((resolve) => this.#watchers.push({ pred, resolve })), what);
  }

  /** Moves the clock `ms` on, firing every timer due on the way (also those they set). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let due: [number, FakeTimer] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!due || e[1].at < due[1].at)) due = e;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

/** One log call. */
export interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
  text?: string;
}

/** A log function recording its lines. */
export function recordingLog(): {
  lines: LogLine[];
  log: (l: "debug" | "info" | "warn" | "error", m: string, f?: Record<string, unknown>, o?: {
    text?: string;
  }) => void;
} {
  const lines: LogLine[] = [];
  return {
    lines,
    log: (level, msg, fields = {}, o = {}) => lines.push({ level, msg, fields, text: o.text }),
  };
}
