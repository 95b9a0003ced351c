// Alerts become signals: each journaled alert is parsed against its bot, handed to the bot's
// strategy (the same gate, sizing, confirmation and broker as any signal), and followed through
// the bot's records to its fate: refused (rule, reason), pending, sent, filled.

import type { ExternalSignal } from "../core/trading.ts";
import type { AlertState } from "../store/alert_store.ts";
import type { AlertIntake, ReceivedAlert } from "./alert_intake.ts";
import { parseAlert } from "./alert_message.ts";
import { toSignal } from "./alert_signal.ts";
import type { BusEvent, EventBus } from "./event_bus.ts";
import { log } from "./log.ts";
import type { Supervisor } from "./supervisor.ts";

/** One state change of an alert, as stored and announced (`alert.state`). */
export interface AlertChange {
  seq: number;
  bot_id: string;
  state: AlertState;
  /** Why it was refused: the rule (a risk rule's code, or the intake's own). */
  rule?: string;
  reason?: string;
}

/**
 * The reason every alert's signal carries, so its decision can be found: "alert #12: …" (the
 * signals strategy puts "external long signal of <time>: " before it; the first match is ours).
 */
const ALERT_REASON = /(?:^|: )alert #(\d+): /;

/** Most alert orders followed to their fill at once (the oldest are let go beyond it). */
const MAX_FOLLOWED = 10_000;

/** Longest wait before state changes are written (they are written in batches). */
const WRITE_EVERY_MS = 200;
/**
 * Longest wait before queued alerts are handed to their bots (one write per bot and batch). An
 * alert acts at its bot's next candle close after it is handed over; each hand-over costs the
 * bot a few statements, so they are not made more often than the states are written.
 */
const HAND_OVER_EVERY_MS = 200;

/**
 * Routes alerts to their bots. An alert for a bot that takes alerts (`source: tradingview` in its
 * file) whose message parses against the bot's market becomes an external signal of the bot
 * (recorded as a bot event, idempotent by the alert's seq, so a restart never acts twice); the
 * bot acts on it at its next candle close. Every change of an alert's state is written in
 * batches and announced on the bus as `alert.state`.
 */
export class AlertRouter {
  /** Correlation id of an alert's decision -> the alert, to follow its orders and fills. */
  readonly #byCorrelation = new Map<string, { seq: number; bot_id: string }>();
  #changes: AlertChange[] = [];
  /** Alerts waiting to be handed to their bot, by bot. */
  readonly #queues = new Map<string, { seq: number; signal: Omit<ExternalSignal, "ts"> }[]>();
  #handTimer: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #stop: (() => void)[] = [];
  /** Routings under way (tests and close wait for them). */
  readonly #work = new Set<Promise<void>>();

  constructor(
    private readonly o: { intake: AlertIntake; supervisor: Supervisor; bus: EventBus },
  ) {}

  /**
   * Starts routing: alerts from now on, and first those received but not yet routed (a stop
   * between the answer and the routing). Resolves once those waiting were handed over.
   */
  async start(): Promise<void> {
    this.#stop.push(this.o.bus.subscribe((e) => this.#follow(e)));
    const off = this.o.intake.onAlert((a) => this.#route(a));
    this.#stop.push(off);
    await off.replayed;
  }

  /** Resolves when the alerts routed so far are handed over and their states written. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#queues.size) {
        clearTimeout(this.#handTimer);
        this.#handTimer = undefined;
        this.#track(this.#handOver());
      }
      if (!this.#work.size) break;
      await Promise.all([...this.#work]);
    }
    await this.#write();
  }

  /** Stops routing; waits for what is under way and writes the states kept. */
  async close(): Promise<void> {
    for (const f of this.#stop.splice(0)) f();
    await this.idle();
    clearTimeout(this.#timer);
  }

  #track(p: Promise<void>): void {
    const t = p.catch((err) => log("error", "an alert could not be routed", { error: String(err) }))
      .finally(() => this.#work.delete(t));
    this.#work.add(t);
  }

  #route(a: ReceivedAlert): void {
    const refuse = (rule: string, reason: string) =>
      this.#change({ seq: a.seq, bot_id: a.bot_id, state: "refused", rule, reason });
    const bot = this.o.supervisor.bots.get(a.bot_id);
    if (!bot) return refuse("unknown_bot", `No bot "${a.bot_id}" is configured.`);
    const takes = bot.spec.alerts;
    if (!takes) {
      return refuse(
        "no_alerts",
        `Bot "${a.bot_id}" takes no alerts: its file needs source: tradingview.`,
      );
    }
    // Read by the webhook against this bot a moment ago (still its market): not read again.
    const parsed = a.parsed?.market === bot.spec.symbol
      ? { ok: true as const, alert: a.parsed }
      : parseAlert(a.body, {
        bot: { bot_id: a.bot_id, exchange: bot.spec.exchange, symbol: bot.spec.symbol },
        template: takes.template,
      });
    if (!parsed.ok) {
      return refuse("invalid", parsed.problems.map((p) => `${p.field}: ${p.message}`).join("; "));
    }
    const s = toSignal(parsed.alert);
    const signal = { ...s, reason: `alert #${a.seq}: ${s.reason}`.slice(0, 500) };
    // Handed over in batches: one write per bot however many alerts arrive meanwhile.
    const queue = this.#queues.get(a.bot_id) ?? [];
    queue.push({ seq: a.seq, signal });
    this.#queues.set(a.bot_id, queue);
    this.#handTimer ??= setTimeout(() => {
      this.#handTimer = undefined;
      this.#track(this.#handOver());
    }, HAND_OVER_EVERY_MS);
  }

  /** Hands every bot its queued alerts (one write each); they become "accepted" or "refused". */
  async #handOver(): Promise<void> {
    const queues = [...this.#queues];
    this.#queues.clear();
    await Promise.all(queues.map(async ([botId, batch]) => {
      try {
        await this.o.supervisor.alerts(botId, batch);
        for (const a of batch) this.#change({ seq: a.seq, bot_id: botId, state: "accepted" });
      } catch (err) {
        for (const a of batch) {
          this.#change({
            seq: a.seq,
            bot_id: botId,
            state: "refused",
            rule: "bot",
            reason: (err as Error).message,
          });
        }
      }
    }));
  }

  /** Follows the bot's records of alert signals: refused, pending, sent, filled. */
  #follow(e: BusEvent): void {
    if (!e.botId) return;
    const d = e.data as Record<string, unknown>;
    if (e.type === "bot.decision") {
      const reason = String((d.signal as { reason?: unknown } | undefined)?.reason ?? "");
      const m = ALERT_REASON.exec(reason);
      if (!m) return;
      const seq = Number(m[1]);
      if (d.outcome === "refused") {
        this.#change({
          seq,
          bot_id: e.botId,
          state: "refused",
          rule: String(d.code ?? "refused"),
          reason: String(d.reason ?? ""),
        });
      } else if (d.outcome === "order" && e.correlationId) {
        // Its order is held for confirmation (bot.pending) or reaches the broker (bot.order).
        this.#byCorrelation.set(e.correlationId, { seq, bot_id: e.botId });
        // Orders that never fill (cancelled, replaced) are not followed for ever.
        if (this.#byCorrelation.size > MAX_FOLLOWED) {
          this.#byCorrelation.delete(this.#byCorrelation.keys().next().value!);
        }
      }
      return;
    }
    const of = e.correlationId ? this.#byCorrelation.get(e.correlationId) : undefined;
    if (!of) return;
    if (e.type === "bot.pending") this.#change({ ...of, state: "pending" });
    else if (e.type === "bot.order") this.#change({ ...of, state: "sent" });
    else if (e.type === "bot.fill") {
      this.#change({ ...of, state: "filled" });
      this.#byCorrelation.delete(e.correlationId!);
    }
  }

  #change(c: AlertChange): void {
    this.#changes.push(c);
    this.o.bus.publish({ type: "alert.state", botId: c.bot_id, data: c });
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, WRITE_EVERY_MS);
  }

  /** Writes the kept state changes in one statement, after the writes before it. */
  #write(): Promise<void> {
    const run = async () => {
      const batch = this.#changes;
      if (batch.length === 0) return;
      this.#changes = [];
      try {
        await this.o.intake.setStates(batch);
      } catch (err) {
        log("error", "alert states could not be stored", {
          alerts: batch.length,
          error: String(err),
        });
      }
    };
    this.#writing = this.#writing.then(run, run);
    return this.#writing;
  }
}
