// The chat outbox: every message to Telegram and Discord queues here, one lane a platform, retried.

import { withDefaults } from "../core/options.ts";
import { log as writeLog } from "../service/log.ts";
import type { Timers } from "../service/supervisor.ts";
import type { ChatChannel, ChatMessage, Platform, SentRef } from "./chat.ts";

/** Options of {@link Outbox}. */
export interface OutboxOptions {
  /** Most messages waiting per platform; one more drops the oldest [200]. */
  maxQueue?: number;
  /** Tries of one message before it is dropped [5]. */
  maxAttempts?: number;
  /** Wait before the first retry [1000 ms]; doubles each retry up to `maxDelayMs`. */
  baseDelayMs?: number;
  /** Longest wait between tries [30000 ms]. */
  maxDelayMs?: number;
  /** A message not sent this long after it was queued is dropped [300000 ms]. */
  maxAgeMs?: number;
  /** A try the platform has not answered after this long counts as failed [30000 ms]. */
  attemptTimeoutMs?: number;
  /** Where drops are told [log()]. */
  log?: typeof writeLog;
  /** Timers for retry waits and try timeouts [setTimeout and clearTimeout]. */
  timers?: Timers;
  /** Wall clock for the age of messages [Date.now]. */
  now?: () => number;
  /**
   * Jitter source in [0, 1) (seeded in tests): a retry waits between half and all of its delay.
   * Default none: the delay as computed.
   */
  random?: () => number;
  /** Texts never to write in a log line (the bot tokens), besides the token shapes found. */
  secrets?: readonly string[];
}

/**
 * A message handed to the outbox. Pass it to {@link Outbox.edit} to edit the message before it
 * is sent (the edit waits for the send; an edit of a message dropped unsent is dropped too).
 */
export class OutgoingMessage {
  /** Where the message lives, once sent. */
  ref?: SentRef;
  /** "queued" until sent or dropped. */
  state: "queued" | "sent" | "dropped" = "queued";

  constructor(readonly platform: Platform, readonly chatId: string) {}
}

/** One queued send or edit. */
interface Job {
  kind: "send" | "edit";
  chatId: string;
  m: ChatMessage;
  /** The message a send makes, or the one an edit changes (when not yet sent). */
  out: OutgoingMessage;
  /** The ref an edit targets when given one. */
  ref?: SentRef;
  onSent?: (ref: SentRef) => void;
  queuedAt: number;
  attempts: number;
}

/** One platform's FIFO: sequential, its own retry wait. */
interface Lane {
  channel: ChatChannel;
  jobs: Job[];
  /** The job being tried (not in `jobs`). */
  current?: Job;
  /** The retry wait or try timeout running. */
  timer?: unknown;
  /** Bumped whenever a try ends, so a late answer of a timed-out try is ignored. */
  tryId: number;
}

const REAL_TIMERS: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    Deno.unrefTimer(t);
    return t;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * The only way messages leave for chat. Sends and edits return at once and never throw: each
 * platform has its own queue, worked one message at a time, so a Telegram outage never delays
 * Discord and the engine never waits for chat. A failed message is retried with exponential
 * backoff and dropped with one log line after `maxAttempts` tries or `maxAgeMs`; a full queue
 * drops its oldest message.
 *
 * @example
 * ```ts
 * const outbox = new Outbox([telegram, discord]);
 * outbox.broadcast({ text: "ema_01 BUY 0.0123 BTC/USDT @ 43,210.5 (entry)" });
 * ```
 */
export class Outbox {
  readonly #lanes = new Map<Platform, Lane>();
  readonly #o: Required<Omit<OutboxOptions, "random">> & { random?: () => number };
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(channels: readonly ChatChannel[], options: OutboxOptions = {}) {
    this.#o = withDefaults({
      maxQueue: 200,
      maxAttempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      maxAgeMs: 300_000,
      attemptTimeoutMs: 30_000,
      log: writeLog,
      timers: REAL_TIMERS,
      now: Date.now,
      secrets: [] as readonly string[],
    }, options);
    for (const c of channels) this.#lanes.set(c.platform, { channel: c, jobs: [], tryId: 0 });
  }

  /** The platforms messages go to. */
  get platforms(): Platform[] {
    return [...this.#lanes.keys()];
  }

  /**
   * Sends `m` to every chat of every platform; `onSent` gets each sent message's ref. Returns
   * the queued messages (for {@link edit} before they are sent).
   */
  broadcast(m: ChatMessage, onSent?: (ref: SentRef) => void): OutgoingMessage[] {
    const out: OutgoingMessage[] = [];
    for (const lane of this.#lanes.values()) {
      for (const chatId of lane.channel.chats) {
        out.push(this.send(lane.channel.platform, chatId, m, onSent));
      }
    }
    return out;
  }

  /** Sends `m` to one chat; `onSent` gets its ref once sent. Unknown platforms drop it (logged). */
  send(
    platform: Platform,
    chatId: string,
    m: ChatMessage,
    onSent?: (ref: SentRef) => void,
  ): OutgoingMessage {
    const out = new OutgoingMessage(platform, chatId);
    this.#enqueue(platform, { kind: "send", chatId, m, out, onSent, queuedAt: 0, attempts: 0 });
    return out;
  }

  /**
   * Replaces a message's text and buttons: `ref` from `onSent`, or the {@link OutgoingMessage}
   * of a send that may not have happened yet (the edit waits for it; a send still queued just
   * takes the new face). A newer edit of the same message replaces a queued older one.
   */
  edit(ref: SentRef | OutgoingMessage, m: ChatMessage): void {
    if (ref instanceof OutgoingMessage) {
      if (ref.ref) return this.edit(ref.ref, m);
      if (ref.state === "dropped") return;
      const lane = this.#lanes.get(ref.platform);
      const queued = lane?.jobs.find((j) => j.kind === "send" && j.out === ref);
      if (queued) return void (queued.m = m);
      this.#enqueue(ref.platform, {
        kind: "edit",
        chatId: ref.chatId,
        m,
        out: ref,
        queuedAt: 0,
        attempts: 0,
      });
      return;
    }
    const lane = this.#lanes.get(ref.platform);
    const older = lane?.jobs.find((j) =>
      j.kind === "edit" && j.attempts === 0 && j.ref?.chatId === ref.chatId &&
      j.ref.messageId === ref.messageId
    );
    if (older) return void (older.m = m);
    const out = new OutgoingMessage(ref.platform, ref.chatId);
    out.ref = ref;
    this.#enqueue(ref.platform, {
      kind: "edit",
      chatId: ref.chatId,
      m,
      out,
      ref,
      queuedAt: 0,
      attempts: 0,
    });
  }

  /** Resolves when every queue is empty and nothing is being sent. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Messages waiting or being sent, per platform. */
  pending(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [p, lane] of this.#lanes) out[p] = lane.jobs.length + (lane.current ? 1 : 0);
    return out;
  }

  /** Stops the timers; messages still queued are dropped (logged as a count). Later calls: ignored. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    let dropped = 0;
    for (const lane of this.#lanes.values()) {
      if (lane.timer !== undefined) this.#o.timers.clear(lane.timer);
      lane.timer = undefined;
      lane.tryId++;
      const jobs = [...(lane.current ? [lane.current] : []), ...lane.jobs];
      for (const j of jobs) j.out.state = "dropped";
      dropped += jobs.length;
      lane.jobs = [];
      lane.current = undefined;
    }
    if (dropped > 0) {
      this.#o.log("warn", "chat outbox closed with messages unsent", { dropped }, {
        text: `chat: ${dropped} message${dropped === 1 ? "" : "s"} not sent (shutting down)`,
      });
    }
    this.#settle();
    return Promise.resolve();
  }

  #enqueue(platform: Platform, job: Job): void {
    if (this.#closed) return;
    const lane = this.#lanes.get(platform);
    if (!lane) {
      this.#o.log("warn", "chat message dropped", {
        platform,
        chat: job.chatId,
        kind: job.kind,
        reason: `${platform} is not configured`,
      });
      job.out.state = "dropped";
      return;
    }
    job.queuedAt = this.#o.now();
    while (lane.jobs.length >= this.#o.maxQueue) {
      this.#drop(lane, lane.jobs.shift()!, `queue full (${this.#o.maxQueue} waiting)`);
    }
    lane.jobs.push(job);
    this.#pump(lane);
  }

  /** Starts the lane's next job unless one is running or a retry wait is. */
  #pump(lane: Lane): void {
    if (this.#closed || lane.current || lane.timer !== undefined) return;
    let job: Job | undefined;
    while ((job = lane.jobs.shift())) {
      const age = this.#o.now() - job.queuedAt;
      if (age > this.#o.maxAgeMs) {
        this.#drop(lane, job, `not sent within ${Math.round(this.#o.maxAgeMs / 1000)} s`);
        continue;
      }
      if (job.kind === "edit" && !job.ref) {
        if (job.out.state === "dropped") {
          this.#drop(lane, job, "the message it edits was never sent");
          continue;
        }
        job.ref = job.out.ref;
        if (!job.ref) {
          this.#drop(lane, job, "the message it edits has no id");
          continue;
        }
      }
      break;
    }
    if (!job) return this.#settle();
    lane.current = job;
    const id = ++lane.tryId;
    const timeoutMs = this.#o.attemptTimeoutMs;
    lane.timer = this.#o.timers.set(() => {
      if (lane.tryId !== id) return;
      this.#endTry(lane);
      this.#failed(lane, job, new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    let attempt: Promise<SentRef | void>;
    try {
      attempt = job.kind === "send"
        ? lane.channel.send(job.chatId, job.m)
        : lane.channel.edit(job.ref!, job.m);
    } catch (err) {
      attempt = Promise.reject(err);
    }
    attempt.then(
      (ref) => {
        if (lane.tryId !== id) return;
        this.#endTry(lane);
        this.#succeeded(job, ref);
        this.#pump(lane);
      },
      (err) => {
        if (lane.tryId !== id) return;
        this.#endTry(lane);
        this.#failed(lane, job, err);
      },
    );
  }

  #endTry(lane: Lane): void {
    lane.current = undefined;
    lane.tryId++;
    if (lane.timer !== undefined) this.#o.timers.clear(lane.timer);
    lane.timer = undefined;
  }

  #succeeded(job: Job, ref: SentRef | void): void {
    if (job.kind === "edit") return;
    job.out.state = "sent";
    if (!ref) return;
    job.out.ref = ref;
    try {
      job.onSent?.(ref);
    } catch (err) {
      this.#o.log("error", "chat onSent callback failed", { error: this.#clean(String(err)) });
    }
  }

  /** A try failed: retried after a backoff wait, or dropped after the last try. */
  #failed(lane: Lane, job: Job, err: unknown): void {
    job.attempts++;
    const reason = this.#clean(err instanceof Error ? err.message : String(err));
    // A refusal that will not change (chat not found, bot blocked, no access): no retry.
    const refused = (err as { retryable?: unknown } | undefined)?.retryable === false ||
      isClientRefusal(err);
    if (refused) {
      this.#drop(lane, job, `refused: ${reason}`);
      return this.#pump(lane);
    }
    if (job.attempts >= this.#o.maxAttempts) {
      const tries = `${job.attempts} ${job.attempts === 1 ? "try" : "tries"}`;
      this.#drop(lane, job, `gave up after ${tries}: ${reason}`);
      return this.#pump(lane);
    }
    let delay = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** (job.attempts - 1));
    if (this.#o.random) delay = delay / 2 + (delay / 2) * this.#o.random();
    const hint = (err as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    if (typeof hint === "number" && hint > delay) delay = Math.min(hint, this.#o.maxAgeMs);
    if (this.#o.now() + delay - job.queuedAt > this.#o.maxAgeMs) {
      this.#drop(lane, job, `not sent within ${Math.round(this.#o.maxAgeMs / 1000)} s: ${reason}`);
      return this.#pump(lane);
    }
    lane.jobs.unshift(job);
    lane.timer = this.#o.timers.set(() => {
      lane.timer = undefined;
      this.#pump(lane);
    }, delay);
  }

  /** Drops a job with one log line (never the token; the text cut to 60 characters). */
  #drop(lane: Lane, job: Job, reason: string): void {
    if (job.kind === "send") job.out.state = "dropped";
    const preview = job.m.text.replace(/\s+/g, " ");
    this.#o.log("warn", "chat message dropped", {
      platform: lane.channel.platform,
      chat: job.chatId,
      kind: job.kind,
      reason,
      message: this.#clean(preview.length > 60 ? `${preview.slice(0, 59)}…` : preview),
    }, { text: `${lane.channel.platform} chat ${job.chatId}: ${job.kind} dropped (${reason})` });
  }

  /** `text` without secrets: the configured ones and anything shaped like a bot token. */
  #clean(text: string): string {
    let out = text;
    for (const s of this.#o.secrets) if (s) out = out.replaceAll(s, "<token>");
    return out
      .replace(/\d{5,}:[\w-]{30,}/g, "<token>")
      .replace(/[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,}/g, "<token>")
      .slice(0, 300);
  }

  #isIdle(): boolean {
    for (const lane of this.#lanes.values()) {
      if (lane.current || lane.jobs.length > 0 || lane.timer !== undefined) return false;
    }
    return true;
  }

  #settle(): void {
    if (!this.#closed && !this.#isIdle()) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const r of waiting) r();
  }
}

/**
 * Whether `err` is a platform's final "no" to a request (a 4xx other than 408 and 429: a chat
 * that does not exist, no permission, a malformed message), which a retry would only repeat.
 */
function isClientRefusal(err: unknown): boolean {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 408 &&
    status !== 429;
}
