// The chat core: a chat command or a pressed button, checked against the allow-lists, turned into
// a call of the command core, and its plain data rendered as a message. Both platforms use it.

import type { Actor, Commands } from "../commands/commands.ts";
import { ConflictError, NotFoundError } from "../commands/errors.ts";
import { closestName } from "../core/closest_name.ts";
import { InputError } from "../core/errors.ts";
import type { Access } from "./access.ts";
import {
  CHAT_COMMANDS,
  type ChatButton,
  type ChatHandler,
  type ChatImage,
  type ChatMessage,
  type ChatPlace,
  type ChatUser,
  type CommandSpec,
  type PressAnswer,
  type SentRef,
} from "./chat.ts";
import { findPending, pendingView } from "./pending_view.ts";
import {
  backtestText,
  botsText,
  botText,
  CHAT_PERIODS,
  decidedLine,
  money,
  pendingListText,
  pendingText,
  pnlText,
  positionsText,
  statusText,
  tradesText,
  when,
} from "./render.ts";

/** Pictures the chat sends: a bot's chart, a stored backtest run's equity curve. */
export interface Pictures {
  chart(commands: Commands, botId: string): Promise<ChatImage>;
  equity(commands: Commands, runId: string): Promise<ChatImage>;
}

/** Options of {@link ChatCore}. */
export interface ChatCoreOptions {
  commands: Commands;
  access: Access;
  /** Wall clock (kill requests' expiry, confirmations' time left). */
  wallNow?: () => number;
  pictures?: Pictures;
  /** Longest wait for a backtest asked from chat [600 000 ms]. */
  backtestTimeoutMs?: number;
}

const DAY = 86_400_000;
/** How long a /kill question can be answered [60 s]. */
const KILL_TTL_MS = 60_000;
/** Most trades `/trades` lists. */
const MAX_TRADES = 50;

/** The variable that lists a platform's users, for the refusal's hint. */
const ALLOW_VARIABLE = {
  telegram: "TELEGRAM_ALLOWED_USERS",
  discord: "DISCORD_ALLOWED_USERS",
} as const;

/** The audit actor of a chat user: "@ana (123)", printable and at most 64 characters. */
export function actorOf(user: ChatUser): Actor {
  const name = user.name.replace(/\p{C}/gu, "").slice(0, 40) || "?";
  const id = user.id.replace(/\p{C}/gu, "").slice(0, 20) || "?";
  return { surface: user.platform, actor: `${name} (${id})` };
}

/**
 * Answers chat commands and button presses for every platform: checks the user's access (each
 * refused attempt is audited), completes bot ids from a prefix, calls {@link Commands} with the
 * user as actor and renders what it returns. Errors a person caused (an unknown bot, a decided
 * confirmation) are answered in words; anything else is thrown to the adapter, which logs it.
 */
export class ChatCore implements ChatHandler {
  readonly #c: Commands;
  readonly #now: () => number;
  /** Open /kill questions: nonce -> when asked. */
  readonly #kills = new Map<string, number>();
  #nonce = 0;

  constructor(private readonly o: ChatCoreOptions) {
    this.#c = o.commands;
    this.#now = o.wallNow ?? Date.now;
  }

  async run(
    user: ChatUser,
    name: string,
    args: readonly string[],
    where: ChatPlace,
  ): Promise<ChatMessage> {
    const spec = CHAT_COMMANDS.find((c) => c.name === name.toLowerCase());
    const refusal = await this.#refuse(user, `chat:${name.slice(0, 32)}`, spec?.write ?? false);
    if (refusal) return { text: `${refusal} (This chat's id: ${where.chatId}.)` };
    if (!spec) {
      const near = closestName(name, CHAT_COMMANDS.map((c) => c.name));
      return {
        text: `Unknown command /${name}.${
          near ? ` Did you mean /${near}?` : ""
        } Send /help for the list.`,
      };
    }
    const words = args.filter((a) => a !== "");
    // Telegram sends a bare /start when someone first opens the bot: greet, never start a bot.
    if (spec.name === "start" && words.length === 0) {
      return {
        text: `Welcome to Tidewatch. /start <bot> starts a bot.\n\n${helpText()}\n\n${
          chatIdLine(where)
        }`,
      };
    }
    try {
      return await this.#dispatch(spec, user, words, where);
    } catch (err) {
      if (err instanceof InputError) return { text: err.message };
      throw err;
    }
  }

  async press(user: ChatUser, data: string, _where: SentRef): Promise<PressAnswer> {
    const [kind, a = "", b = ""] = data.split(":");
    const refusal = await this.#refuse(user, `chat:button:${kind}`, true, a || null);
    if (refusal) return { notice: refusal };
    try {
      switch (kind) {
        case "pc":
        case "pr":
          return await this.#decidePress(user, a, kind === "pc" ? "confirm" : "reject");
        case "k":
          return await this.#killPress(user, a, b);
        case "b":
          return await this.#botPress(user, a, data.slice(kind.length + a.length + 2));
      }
      return { notice: "This button is no longer valid." };
    } catch (err) {
      if (err instanceof InputError) return { notice: err.message };
      throw err;
    }
  }

  /** The refusal for a user who may not do this (audited), or undefined when they may. */
  async #refuse(
    user: ChatUser,
    action: string,
    write: boolean,
    target: string | null = null,
  ): Promise<string | undefined> {
    const level = this.o.access.level(user);
    if (level === "full" || (level === "read" && !write)) return undefined;
    const outcome = level === "none" ? "denied: not on the allow-list" : "denied: read-only user";
    await this.#c.refused(action, target, actorOf(user), outcome);
    return level === "none"
      ? `You are not allowed to use this bot. Your ${user.platform} user id is ${user.id}; ` +
        `the owner can add it to ${ALLOW_VARIABLE[user.platform]}.`
      : "You have read-only access: you can look, not act.";
  }

  async #dispatch(
    spec: CommandSpec,
    user: ChatUser,
    args: string[],
    where: ChatPlace,
  ): Promise<ChatMessage> {
    const c = this.#c;
    const who = actorOf(user);
    switch (spec.name) {
      case "status":
        return { text: statusText(c.health(), c.status()) };
      case "bots":
        return { text: botsText(c.bots().bots) };
      case "bot":
        return await this.#botMessage(this.#botId(args[0]));
      case "start":
      case "stop":
      case "pause":
      case "resume": {
        const id = this.#botId(args[0]);
        const st = await c.control(id, spec.name, who);
        return {
          text: `${id} is now ${st.paused && st.state !== "paused" ? "paused" : st.state}.`,
        };
      }
      case "positions":
        return { text: positionsText(c.positions().positions) };
      case "pnl":
        return { text: await this.#pnl(args) };
      case "trades":
        return { text: await this.#trades(args) };
      case "pending":
        return await this.#pendingList();
      case "confirm":
      case "reject":
        return { text: await this.#decide(args[0], spec.name, who) };
      case "kill":
        return this.#askKill();
      case "daily":
        return { text: await dailyText(c, this.#now()) };
      case "chart":
        return await this.#chart(this.#botId(args[0]));
      case "backtest":
        return await this.#backtest(args);
      case "help":
        return { text: `${helpText()}\n\n${chatIdLine(where)}` };
    }
    throw new Error(`chat command ${spec.name} has no handler`);
  }

  // ---- bots ----

  /** The bot a word names: its id, or the start of exactly one id. */
  #botId(word: string | undefined): string {
    const ids = this.#c.bots().bots.map((b) => b.bot_id);
    if (!word) {
      throw new InputError(`Name a bot: ${ids.slice(0, 10).join(", ") || "there are none"}.`);
    }
    if (ids.includes(word)) return word;
    const lower = word.toLowerCase();
    const starts = ids.filter((id) => id.toLowerCase().startsWith(lower));
    if (starts.length === 1) return starts[0];
    if (starts.length > 1) {
      throw new InputError(`"${word}" starts several bots: ${starts.slice(0, 10).join(", ")}.`);
    }
    const near = [
      ...new Set([
        ...ids.filter((id) => id.toLowerCase().includes(lower)),
        ...[closestName(word, ids)].filter((x): x is string => x !== undefined),
      ]),
    ].slice(0, 3);
    throw new NotFoundError(
      `No bot "${word}".` +
        (near.length ? ` Closest: ${near.join(", ")}.` : ` Bots: ${ids.slice(0, 10).join(", ")}.`),
    );
  }

  async #botMessage(id: string): Promise<ChatMessage> {
    const b = await this.#c.bot(id);
    const buttons: ChatButton[] = [];
    if (b.state === "running" || b.state === "paused") {
      buttons.push(
        b.paused
          ? { label: "Resume", data: `b:resume:${id}`, style: "success" }
          : { label: "Pause", data: `b:pause:${id}` },
        { label: "Stop", data: `b:stop:${id}`, style: "danger" },
      );
    } else if (b.state === "stopped") {
      buttons.push({ label: "Start", data: `b:start:${id}`, style: "success" });
    }
    // Telegram carries at most 64 bytes of button data: long ids get no buttons.
    const fits = buttons.every((x) => new TextEncoder().encode(x.data).length <= 64);
    return { text: botText(b), buttons: fits && buttons.length ? [buttons] : undefined };
  }

  async #botPress(user: ChatUser, action: string, id: string): Promise<PressAnswer> {
    if (!["start", "stop", "pause", "resume"].includes(action)) {
      return { notice: "This button is no longer valid." };
    }
    await this.#c.control(id, action as "start", actorOf(user));
    return { notice: `${id}: ${action} done.`, edit: await this.#botMessage(id) };
  }

  async #pnl(args: string[]): Promise<string> {
    // One word that is a period ("/pnl week") names no bot.
    const [id, period] = optionalFirst(args, (w) => w.toLowerCase() in CHAT_PERIODS);
    if (period !== undefined && !(period.toLowerCase() in CHAT_PERIODS)) {
      throw new InputError(`Period "${period}" is not one of day, week, month, all.`);
    }
    const data = await this.#c.pnl();
    if (id !== undefined) {
      const bot = this.#botId(id);
      const one = data.bots.filter((b) => b.bot_id === bot);
      return pnlText({ at: data.at, bots: one, total: one[0] }, period?.toLowerCase());
    }
    return pnlText(data, period?.toLowerCase());
  }

  async #trades(args: string[]): Promise<string> {
    // One word that is a number ("/trades 5") names no bot.
    const [id, nText] = optionalFirst(args, (w) => /^\d+$/.test(w));
    const n = nText === undefined ? 10 : Number(nText);
    if (!Number.isInteger(n) || n < 1 || n > MAX_TRADES) {
      throw new InputError(`n must be a whole number from 1 to ${MAX_TRADES}; got "${nText}".`);
    }
    if (id === undefined) {
      return tradesText((await this.#c.trades({ limit: n, offset: 0 })).trades);
    }
    const bot = this.#botId(id);
    const page = await this.#c.records(bot, "trades", { limit: n, offset: 0 });
    return tradesText(page.trades as Record<string, unknown>[]);
  }

  // ---- confirmations ----

  async #pendingList(): Promise<ChatMessage> {
    const { pending } = await this.#c.pending("pending");
    const now = this.#now();
    const views = await Promise.all(
      (pending as Record<string, unknown>[]).slice(0, 5).map((r) => pendingView(this.#c, r)),
    );
    const more = pending.length > 5 ? `\n\n…and ${pending.length - 5} more (newest shown).` : "";
    return {
      text: pendingListText(views, now) + more,
      buttons: views.map((v) => confirmButtons(v.key, v.bot_id)),
    };
  }

  /** Confirms or rejects the pending entry a word names; answers what happened. */
  async #decide(word: string | undefined, verdict: "confirm" | "reject", who: Actor) {
    if (!word) throw new InputError(`Name the pending entry: /${verdict} <id> (see /pending).`);
    const found = await findPending(this.#c, word);
    if (found === undefined) throw new NotFoundError(`No pending entry "${word}". See /pending.`);
    if ("ambiguous" in found) {
      throw new InputError(`"${word}" matches several entries: ${found.ambiguous.join(", ")}.`);
    }
    const view = await pendingView(this.#c, found.row);
    if (view.status !== "pending") {
      throw new ConflictError(`Too late: ${decidedLine(view)}`);
    }
    await this.#c.decide(view.id, verdict, who);
    const after = await this.#viewOf(view.id);
    return `${view.bot_id} ${view.side} ${view.symbol}: ${decidedLine(after)}`;
  }

  async #decidePress(user: ChatUser, key: string, verdict: "confirm" | "reject") {
    const found = await findPending(this.#c, key);
    if (found === undefined || "ambiguous" in found) {
      return { notice: "This entry is no longer stored." };
    }
    const before = await pendingView(this.#c, found.row);
    let notice: string;
    if (before.status !== "pending") {
      notice = `Too late: ${decidedLine(before)}`;
    } else {
      try {
        await this.#c.decide(before.id, verdict, actorOf(user));
        notice = verdict === "confirm" ? "Confirmed: the order is sent." : "Rejected.";
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // Decided or replaced meanwhile: say what happened to it, as the message will.
        const now = await this.#viewOf(before.id);
        notice = `Too late: ${now.status === "pending" ? err.message : decidedLine(now)}`;
      }
    }
    const after = await this.#viewOf(before.id);
    return { notice, edit: { text: pendingText(after, this.#now()) } };
  }

  /** The view of pending entry `id` as stored now. */
  async #viewOf(id: string) {
    const found = await findPending(this.#c, id);
    if (!found || !("row" in found)) throw new NotFoundError(`Pending entry "${id}" is gone.`);
    return await pendingView(this.#c, found.row);
  }

  // ---- kill switch ----

  #askKill(): ChatMessage {
    const now = this.#now();
    for (const [n, at] of this.#kills) if (now - at > KILL_TTL_MS) this.#kills.delete(n);
    const nonce = (++this.#nonce).toString(36) + now.toString(36).slice(-4);
    this.#kills.set(nonce, now);
    const st = this.#c.status();
    return {
      text: `⚠️ Kill switch: stop all ${st.bots} bots (${st.running} running) and cancel their ` +
        `entries? "Stop and flatten" also closes every open position at market. ` +
        `Answer within ${KILL_TTL_MS / 1000} s.`,
      buttons: [[
        { label: "Stop all", data: `k:stop:${nonce}`, style: "danger" },
        { label: "Stop and flatten", data: `k:flat:${nonce}`, style: "danger" },
        { label: "Cancel", data: `k:no:${nonce}` },
      ]],
    };
  }

  async #killPress(user: ChatUser, choice: string, nonce: string): Promise<PressAnswer> {
    const at = this.#kills.get(nonce);
    if (at === undefined || this.#now() - at > KILL_TTL_MS) {
      this.#kills.delete(nonce);
      return {
        notice: "This kill question expired; send /kill again.",
        edit: { text: "Kill switch question expired: nothing was done." },
      };
    }
    this.#kills.delete(nonce);
    if (choice === "no") {
      return { notice: "Cancelled.", edit: { text: "Kill switch cancelled: nothing was done." } };
    }
    const flatten = choice === "flat";
    const who = actorOf(user);
    const res = await this.#c.kill(flatten, who);
    const stopped = (res as { stopped?: unknown[] }).stopped?.length ?? 0;
    const text = `🛑 Kill switch by ${who.actor} on ${who.surface}: ${stopped} bots stopped` +
      (flatten ? ", positions flattened." : ", positions kept.");
    return { notice: "Done.", edit: { text } };
  }

  // ---- pictures and backtests ----

  async #chart(id: string): Promise<ChatMessage> {
    if (!this.o.pictures) throw new ConflictError("Charts are not available in this build.");
    const b = await this.#c.bot(id);
    return {
      text: `${id} · ${b.symbol} ${b.timeframe} · ${b.state}`,
      image: await this.o.pictures.chart(this.#c, id),
    };
  }

  async #backtest(args: string[]): Promise<ChatMessage> {
    const [strategy, market, timeframe, daysText] = args;
    if (!strategy || !market || !timeframe) {
      throw new InputError(
        "Usage: /backtest <strategy> <symbol> <timeframe> [days], e.g. /backtest sma_cross BTC/USDT 1h 30",
      );
    }
    const days = daysText === undefined ? 30 : Number(daysText);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new InputError(`days must be a whole number from 1 to 3650; got "${daysText}".`);
    }
    // "okx:BTC/USDT" names the exchange; else a bot's on that symbol, else okx.
    const colon = market.indexOf(":");
    const symbol = (colon < 0 ? market : market.slice(colon + 1)).toUpperCase();
    const exchange = colon < 0
      ? this.#c.bots().bots.find((b) => b.symbol === symbol)?.exchange ?? "okx"
      : market.slice(0, colon).toLowerCase();
    const to = this.#c.now();
    const job = await this.#c.runBacktest({
      strategy,
      exchange,
      symbol,
      timeframe,
      from: to - days * DAY,
      to,
      params: {},
    });
    const done = await this.#jobDone(job.job_id);
    if (done.state !== "done" || !done.run_id) {
      return { text: `Backtest ${job.job_id} ${done.state}: ${done.error ?? "no result"}.` };
    }
    const run = await this.#c.backtest(done.run_id) as {
      metrics?: Parameters<typeof backtestText>[1];
    };
    const title = `Backtest ${strategy} on ${exchange} ${symbol} ${timeframe}, last ${days} days` +
      ` (run ${done.run_id})`;
    const text = run.metrics ? backtestText(title, run.metrics) : title;
    const image = this.o.pictures ? await this.o.pictures.equity(this.#c, done.run_id) : undefined;
    return { text, image };
  }

  /** Resolves with the job once it is no longer running (or after the timeout, as it is). */
  #jobDone(jobId: string): Promise<{ state: string; run_id?: string; error?: string }> {
    return new Promise((resolve) => {
      const finish = async () => {
        clearTimeout(timer);
        stop();
        resolve(await this.#c.backtest(jobId) as { state: string });
      };
      const timer = setTimeout(finish, this.o.backtestTimeoutMs ?? 600_000);
      const stop = this.#c.onEvent((e) => {
        if (e.type === "backtest.done" && (e.data as { job_id?: string }).job_id === jobId) {
          void finish();
        }
      });
      // It may have finished before the listener was added.
      this.#c.backtest(jobId).then((j) => {
        if ((j as { state?: string }).state !== "running") void finish();
      }).catch(() => void finish());
    });
  }
}

/**
 * The two arguments of "/cmd [bot] [x]": a lone word that `isSecond` recognises is the second one
 * (the bot left out), else they are in order.
 */
function optionalFirst(
  args: readonly string[],
  isSecond: (word: string) => boolean,
): [string | undefined, string | undefined] {
  return args.length === 1 && isSecond(args[0]) ? [undefined, args[0]] : [args[0], args[1]];
}

/** Confirm and Reject buttons of a pending entry. */
export function confirmButtons(key: string, botId: string): ChatButton[] {
  return [
    { label: `Confirm ${botId}`.slice(0, 40), data: `pc:${key}`, style: "success" },
    { label: "Reject", data: `pr:${key}`, style: "danger" },
  ];
}

/** Where notifications for this chat are configured: its id and the variable to put it in. */
function chatIdLine(where: ChatPlace): string {
  const variable = where.platform === "telegram" ? "TELEGRAM_CHAT_IDS" : "DISCORD_CHANNEL_IDS";
  return `This chat's id is ${where.chatId}: add it to ${variable} for notifications here.`;
}

/** Every command with its arguments and what it does. */
export function helpText(): string {
  const lines = CHAT_COMMANDS.map((c) => {
    const args = c.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(" ");
    return `/${c.name}${args ? ` ${args}` : ""} — ${c.description}`;
  });
  return ["Tidewatch commands (bot ids complete from their start):", ...lines].join("\n");
}

/** Today's summary: P&L of the last day per bot and in total, bots by state, open positions. */
export async function dailyText(commands: Commands, wallNow: number): Promise<string> {
  const pnl = await commands.pnl();
  const st = commands.status();
  const positions = commands.positions().positions;
  const day = pnl.total.day;
  const lines = [
    `📅 Daily summary, ${when(wallNow)}`,
    `Last 24 h: ${money(day.pnl)}, ${day.trades} trade${day.trades === 1 ? "" : "s"} closed` +
    ` (realised ${money(day.realised)})`,
  ];
  for (const b of pnl.bots) {
    lines.push(
      `  ${b.bot_id}: ${money(b.day.pnl)}, ${b.day.trades} trades; since start ${money(b.all.pnl)}`,
    );
  }
  lines.push(
    `Bots: ${Object.entries(st.states).map(([s, n]) => `${s} ${n}`).join(", ") || "none"}`,
    `Open positions: ${positions.length}` +
      (positions.length
        ? ` (uPnL ${money(positions.reduce((a, p) => a + (p.unrealised_pnl ?? 0), 0))})`
        : ""),
  );
  return lines.join("\n");
}
