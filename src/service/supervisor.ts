// Runs the bots: launches those that should run, controls them, restarts failed ones with backoff.

import { InputError } from "../core/errors.ts";
import { withDefaults } from "../core/options.ts";
import type { Clock } from "../core/ports.ts";
import type { MarketFeed } from "../core/feed.ts";
import type { BotStore, DesiredStatus } from "../store/bot_store.ts";
import type { CandleStore } from "../store/candle_store.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import type { ExternalSignal } from "../core/trading.ts";
import {
  Bot,
  type BotSettings,
  type BotSpec,
  type ManualOrderRequest,
  type ManualOrderResult,
} from "./bot.ts";
import type { EventBus } from "./event_bus.ts";
import type { LiveAccounts } from "./live_accounts.ts";
import { log } from "./log.ts";

/** Who asked for a control action, for the audit log. */
export interface Actor {
  /** "api", "telegram", "discord", "web", "service"... */
  surface: string;
  /** Token name, chat user... never a secret. */
  actor: string;
}

/** A control action on one bot. */
export type BotAction = "start" | "stop" | "pause" | "resume";

/** Timers for relaunch delays (tests inject their own to see and fire them). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Options for {@link Supervisor}. */
export interface SupervisorOptions {
  store: BotStore;
  candles: CandleStore;
  feed: MarketFeed;
  bus: EventBus;
  /** The bots' clock (wall, or the replay's). */
  clock: Clock;
  /** Wall clock for timers, TTLs and the audit log [Date.now]. */
  wallNow?: () => number;
  /** First restart delay after a failure [1000 ms]; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  /** [300000 ms] */
  maxBackoffMs?: number;
  /** Timers for relaunch delays [setTimeout and clearTimeout]. */
  timers?: Timers;
  /** How often expired confirmations are looked for [1000 ms]. */
  expiryCheckMs?: number;
  /** Exchange accounts for live bots (absent: paper only). */
  live?: LiveAccounts;
}

/** A bot definition as the supervisor receives it. */
export interface BotEntry {
  spec: BotSpec;
  def: StrategyDefinition;
  /** Whether it runs on its very first start. */
  enabled: boolean;
  /** The definition as written (stored with the bot). */
  config: unknown;
}

/**
 * Owns the bots. Which bots run is persisted (bots.desired_status): after a restart the same
 * bots run again, rebuilt from their stored candles and events. A bot that throws is halted,
 * the incident recorded and announced, and relaunched after a growing delay; other bots never
 * notice (each has its own queue and account).
 */
export class Supervisor {
  readonly bots = new Map<string, Bot>();
  readonly #o: Required<Omit<SupervisorOptions, "wallNow" | "live">> & {
    wallNow: () => number;
    live?: LiveAccounts;
  };
  readonly #attempts = new Map<string, number>();
  readonly #restarts = new Map<string, unknown>();
  #expiry?: ReturnType<typeof setInterval>;
  #closed = false;
  #settings: BotSettings = {};

  constructor(options: SupervisorOptions) {
    // Field by field: the service forwards `{ expiryCheckMs: undefined }`, which a spread would
    // turn into a back-to-back expiry check hammering the database.
    this.#o = withDefaults(
      {
        wallNow: Date.now,
        backoffMs: 1000,
        maxBackoffMs: 300_000,
        expiryCheckMs: 1000,
        timers: REAL_TIMERS,
      },
      options,
    );
  }

  /** Registers the bots, persists their definitions, and launches those that should run. */
  async start(entries: readonly BotEntry[]): Promise<void> {
    const { store } = this.#o;
    const desired = await store.desired();
    for (const e of entries) {
      const id = e.spec.botId;
      await store.upsertBot(id, e.config, e.enabled ? "running" : "stopped", this.#o.wallNow());
      const bot = new Bot(e.spec, {
        def: e.def,
        store,
        candles: this.#o.candles,
        feed: this.#o.feed,
        bus: this.#o.bus,
        clock: this.#o.clock,
        live: this.#o.live,
        wallNow: this.#o.wallNow,
      });
      bot.onFailure = (err) => this.#failed(bot, err);
      this.bots.set(id, bot);
      if (!desired.has(id) && !e.enabled) continue;
      const want: DesiredStatus = desired.get(id) ?? "running";
      if (want !== "stopped") await this.#launch(bot);
    }
    this.#expiry = setInterval(() => this.#expire(), this.#o.expiryCheckMs);
  }

  /** The bot with `id`, or an InputError naming the known ones. */
  get(id: string): Bot {
    const bot = this.bots.get(id);
    if (!bot) {
      throw new InputError(
        `Bot "${id}" does not exist. Known bots: ${[...this.bots.keys()].join(", ") || "none"}.`,
      );
    }
    return bot;
  }

  /** Starts, stops, pauses or resumes one bot; audited. Returns its status after. */
  control(id: string, action: BotAction, who: Actor) {
    const bot = this.get(id);
    return this.#serial(id, () => this.#control(bot, action, who));
  }

  async #control(bot: Bot, action: BotAction, who: Actor) {
    const id = bot.spec.botId;
    const { store } = this.#o;
    let outcome = "ok";
    try {
      if (action === "start") {
        if (bot.state === "stopped" || bot.state === "failed") {
          await store.setDesired(id, "running", this.#o.wallNow());
          this.#cancelRestart(id);
          await this.#launch(bot);
        } else outcome = "already running";
      } else if (action === "stop") {
        if (bot.state !== "stopped") await this.#stop(bot);
        else outcome = "already stopped";
      } else {
        if (bot.state !== "running" && bot.state !== "paused") {
          throw new InputError(`Bot "${id}" is ${bot.state}: start it before you ${action} it.`);
        }
        await bot.control(action);
        await store.setDesired(id, action === "pause" ? "paused" : "running", this.#o.wallNow());
      }
    } catch (err) {
      outcome = `error: ${err instanceof Error ? err.message : String(err)}`;
      await this.#audit(action, id, who, outcome);
      throw err;
    }
    await this.#audit(action, id, who, outcome);
    return bot.status();
  }

  /**
   * Hands alerts to bot `id` (see `Bot.alerts`): recorded with the candles, acted on at the bot's
   * next candle close. Answers the seqs recorded now (those handed over before are left out).
   */
  async alerts(
    id: string,
    batch: readonly { seq: number; signal: Omit<ExternalSignal, "ts"> & { ts?: number } }[],
  ): Promise<number[]> {
    return await this.get(id).alerts(batch);
  }

  /** Hands one alert to bot `id`; false when it was handed over already. */
  async alert(id: string, seq: number, signal: Omit<ExternalSignal, "ts">): Promise<boolean> {
    return (await this.alerts(id, [{ seq, signal }])).length === 1;
  }

  /** Confirms or rejects a pending order; audited. */
  async decide(pendingId: string, verdict: "confirm" | "reject", who: Actor) {
    const rows = await this.#o.store.pending();
    const p = rows.find((r) => r.id === pendingId);
    if (!p) throw new InputError(`Pending confirmation "${pendingId}" does not exist.`);
    if (p.status !== "pending") {
      throw new InputError(`Pending confirmation "${pendingId}" is already ${p.status}.`);
    }
    if (Number(p.expires_at) <= this.#o.wallNow()) {
      // Past its time but not yet swept: expire it now, so a late confirm never sends it.
      await this.#expireOne(p, this.#o.wallNow());
      throw new InputError(`Pending confirmation "${pendingId}" is already expired.`);
    }
    const bot = this.get(String(p.bot_id));
    try {
      await bot.control(verdict, { clientId: p.client_id });
    } catch (err) {
      // No longer held (replaced by a newer signal): the record says so from now on.
      await this.#o.store.decidePending(pendingId, "superseded", this.#o.wallNow(), "bot");
      throw err;
    }
    await this.#o.store.decidePending(
      pendingId,
      verdict === "confirm" ? "confirmed" : "rejected",
      this.#o.wallNow(),
      `${who.surface}:${who.actor}`,
    );
    await this.#audit(verdict, pendingId, who, "ok");
    return { id: pendingId, status: verdict === "confirm" ? "confirmed" : "rejected" };
  }

  /** A manual order through a running live bot's account; audited. */
  async manualOrder(id: string, o: ManualOrderRequest, who: Actor): Promise<ManualOrderResult> {
    const bot = this.get(id);
    let res: ManualOrderResult;
    try {
      res = await bot.manual(o, this.#o.wallNow());
    } catch (err) {
      await this.#audit("manual_order", id, who, `error: ${(err as Error).message}`, o);
      throw err;
    }
    await this.#audit("manual_order", id, who, res.accepted ? "ok" : `refused: ${res.reason}`, {
      ...o,
      client_id: res.client_id,
    });
    return res;
  }

  /** Stops every bot and cancels their entries; with `flatten`, closes their positions first. */
  async kill(flatten: boolean, who: Actor) {
    const stopped: string[] = [];
    for (const [id, bot] of this.bots) {
      if (bot.state !== "running" && bot.state !== "paused") continue;
      await this.#serial(id, () => this.#stop(bot, flatten));
      await this.#audit("stop", id, who, "ok");
      stopped.push(id);
    }
    await this.#audit("kill", null, who, "ok", { flatten, stopped });
    return { stopped, flatten };
  }

  /**
   * Stops a bot, inside its lifecycle turn: trading stops (entries cancelled, none from the next
   * candle on), then with `flatten` its position is closed, then it halts. Flattening before the
   * stop let a candle that closed in between open a new position behind the kill switch's back.
   */
  async #stop(bot: Bot, flatten = false): Promise<void> {
    const id = bot.spec.botId;
    await this.#o.store.setDesired(id, "stopped", this.#o.wallNow());
    this.#cancelRestart(id);
    if (bot.state === "running" || bot.state === "paused") {
      await bot.control("stop");
      if (flatten) await bot.control("flatten");
    }
    await bot.halt("stopped");
  }

  /** Deletes the records and events of `ids` (fresh accounts); running ones start afresh. */
  async reset(ids: readonly string[], who: Actor) {
    const out = [];
    for (const id of ids) {
      const bot = this.get(id);
      await this.#serial(id, async () => {
        const was = bot.state;
        if (was !== "stopped") {
          this.#cancelRestart(id);
          await bot.halt("stopped");
        }
        await this.#o.store.resetBot(id);
        if (was !== "stopped") await this.#launch(bot);
      });
      out.push({ bot_id: id, state: bot.state });
    }
    await this.#audit("reset", null, who, "ok", { bots: ids });
    return { bots: out };
  }

  /**
   * The service's settings, over each bot's file: applied now to every running bot, and to
   * every bot launched from now on (started, restarted after a failure, reset).
   */
  async applySettings(settings: BotSettings): Promise<void> {
    this.#settings = { ...settings };
    for (const [id, bot] of this.bots) {
      await this.#serial(id, async () => {
        if (bot.state === "running" || bot.state === "paused") await bot.applySettings(settings);
      });
    }
  }

  /** Halts every bot (their state stays in the store) and stops timers. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#expiry);
    for (const id of this.#restarts.keys()) this.#cancelRestart(id);
    for (const [id, bot] of this.bots) {
      await this.#serial(id, async () => {
        if (bot.state !== "stopped") await bot.halt(bot.state);
      });
    }
  }

  /** The tail of each bot's queue of lifecycle changes (launch, halt, control, reset). */
  readonly #lifecycle = new Map<string, Promise<unknown>>();

  /**
   * Runs `fn` after every lifecycle change of bot `id` queued before it has finished: two
   * requests that start, stop or reset one bot at once take turns instead of interleaving
   * (a halt clearing the runner a launch is still building).
   */
  #serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#lifecycle.get(id) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    this.#lifecycle.set(id, tail);
    tail.then(() => {
      if (this.#lifecycle.get(id) === tail) this.#lifecycle.delete(id);
    });
    return run;
  }

  async #launch(bot: Bot): Promise<void> {
    try {
      await bot.launch(this.#settings);
    } catch (err) {
      bot.lastError = err instanceof Error ? err.message : String(err);
      this.#failed(bot, err);
    }
  }

  #failed(bot: Bot, err: unknown): void {
    if (this.#closed) return;
    const id = bot.spec.botId;
    const attempt = (this.#attempts.get(id) ?? 0) + 1;
    this.#attempts.set(id, attempt);
    const delay = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (attempt - 1));
    const message = err instanceof Error ? err.message : String(err);
    this.#o.bus.publish({
      type: "incident",
      botId: id,
      data: { kind: "bot_failed", message, attempt, restart_in_ms: delay },
    });
    log("error", "bot failed; restarting with backoff", {
      bot_id: id,
      error: message,
      attempt,
      restart_in_ms: delay,
    }, { text: `${id} failed: ${message} (restarting in ${delay / 1000} s)` });
    this.#o.store.incident({
      at: this.#o.wallNow(),
      botId: id,
      kind: "bot_failed",
      message,
      restartInMs: delay,
    }).catch(() => {});
    this.#serial(id, () => bot.halt("failed")).then(() => {
      if (this.#closed || this.#restarts.has(id)) return;
      this.#restarts.set(
        id,
        this.#o.timers.set(() => {
          this.#restarts.delete(id);
          void this.#serial(id, async () => {
            if (!this.#closed && bot.state === "failed") await this.#launch(bot);
          });
        }, delay),
      );
    });
  }

  #cancelRestart(id: string): void {
    if (this.#restarts.has(id)) this.#o.timers.clear(this.#restarts.get(id));
    this.#restarts.delete(id);
    this.#attempts.delete(id);
  }

  async #expire(): Promise<void> {
    const now = this.#o.wallNow();
    const rows = await this.#o.store.pending("pending").catch(() => []);
    for (const p of rows) {
      if (Number(p.expires_at) <= now) await this.#expireOne(p, now);
    }
  }

  async #expireOne(p: Record<string, unknown>, now: number): Promise<void> {
    const bot = this.bots.get(String(p.bot_id));
    if (bot && (bot.state === "running" || bot.state === "paused")) {
      await bot.control("expire", { clientId: p.client_id }).catch(() => {});
    }
    await this.#o.store.decidePending(String(p.id), "expired", now, "service:ttl");
    this.#o.bus.publish({
      type: "pending.expired",
      botId: String(p.bot_id),
      data: { ...p, status: "expired", decided_at: now, decided_by: "service:ttl" },
    });
  }

  /**
   * Writes (and announces) an audit line for something done outside the bots' controls (a
   * settings change) or refused by a surface on its own (a chat user not on the allow-list, a test
   * message): nothing else happens.
   */
  async audit(
    action: string,
    target: string | null,
    who: Actor,
    outcome: string,
    details: unknown = {},
  ): Promise<void> {
    await this.#audit(action, target, who, outcome, details);
  }

  async #audit(
    action: string,
    target: string | null,
    who: Actor,
    outcome: string,
    details: unknown = {},
  ): Promise<void> {
    const e = {
      at: this.#o.wallNow(),
      action,
      target: target ?? undefined,
      surface: who.surface,
      actor: who.actor,
      outcome,
      details,
    };
    await this.#o.store.audit(e);
    this.#o.bus.publish({ type: "audit", botId: target ?? undefined, data: e });
  }
}
