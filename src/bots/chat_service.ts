// The chat surface, started: Telegram and Discord (those with a token) over one chat core, the
// outbox every message leaves through, confirmations in every chat and the notifier.

import type { Actor, Commands, NotificationTestResult } from "../commands/commands.ts";
import { log as writeLog } from "../service/log.ts";
import { Access } from "./access.ts";
import type { ChatChannel, Platform } from "./chat.ts";
import type { ChatConfig } from "./chat_config.ts";
import { ChatCore, dailyText } from "./chat_core.ts";
import { ConfirmationBoard } from "./confirmations.ts";
import type { DiscordChat, DiscordChatOptions } from "./discord.ts";
import { Notifier, type NotifierOptions, parseNotificationKinds } from "./notifier.ts";
import { Outbox, type OutboxOptions } from "./outbox.ts";
import type { TelegramChat, TelegramChatOptions } from "./telegram.ts";
import process from "node:process";

/** Options of {@link ChatService.start}. */
export interface ChatServiceOptions {
  commands: Commands;
  config: ChatConfig;
  /** Wall clock [Date.now]. */
  wallNow?: () => number;
  /** Where the chat surface logs [the service's log]. */
  log?: typeof writeLog;
  /** Extra adapter, outbox and notifier options (tests: short timings). */
  telegram?: Partial<TelegramChatOptions>;
  discord?: Partial<DiscordChatOptions>;
  outbox?: OutboxOptions;
  notifier?: Partial<NotifierOptions>;
  /** Longest wait for one test message [15 000 ms]. */
  testTimeoutMs?: number;
}

/** First wait before a platform that could not start is tried again; doubles up to 5 minutes. */
const RESTART_FIRST_MS = 5_000;
const RESTART_MAX_MS = 300_000;

/**
 * The running chat surface. Platforms start in the background: one that is down at start is
 * tried again with backoff, and meanwhile the service trades as if chat were off (messages
 * queue in the outbox and are dropped after its bound). Nothing here is awaited by a bot.
 */
export class ChatService {
  readonly channels: (TelegramChat | DiscordChat)[] = [];
  readonly core: ChatCore;
  readonly outbox: Outbox;
  readonly board: ConfirmationBoard;
  readonly notifier: Notifier;
  readonly #log: typeof writeLog;
  readonly #starting = new Set<Promise<void>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  private constructor(private readonly o: ChatServiceOptions, adapters: Adapters) {
    const c = o.config;
    this.#log = o.log ?? writeLog;
    const chatLog = (level: string, msg: string, fields: Record<string, unknown>) =>
      this.#log(level === "error" ? "error" : level === "warn" ? "warn" : "info", msg, fields);
    this.core = new ChatCore({
      commands: o.commands,
      access: new Access({ telegram: c.telegram?.access, discord: c.discord?.access }),
      wallNow: o.wallNow,
      pictures: {
        chart: async (commands, id) =>
          (await import("./pictures.ts")).chartPictureFor(commands, id),
        equity: async (commands, id) =>
          (await import("./pictures.ts")).equityPictureFor(commands, id),
      },
    });
    if (c.telegram) {
      this.channels.push(
        new adapters.TelegramChat!({
          token: c.telegram.token,
          apiRoot: c.telegram.apiRoot,
          chats: c.telegram.chats,
          handler: this.core,
          log: chatLog,
          ...o.telegram,
        }),
      );
    }
    if (c.discord) {
      this.channels.push(
        new adapters.DiscordChat!({
          token: c.discord.token,
          guildId: c.discord.guildId,
          channels: c.discord.channels,
          restRoot: c.discord.apiRoot,
          handler: this.core,
          log: chatLog,
          ...o.discord,
        }),
      );
    }
    const secrets = [c.telegram?.token, c.discord?.token].filter((t): t is string => !!t);
    this.outbox = new Outbox(this.channels, { log: this.#log, secrets, ...o.outbox });
    this.board = new ConfirmationBoard({
      commands: o.commands,
      sender: this.outbox,
      wallNow: o.wallNow,
      log: chatLog,
    });
    this.notifier = new Notifier({
      subscribe: (fn) => o.commands.onEvent(fn),
      outbox: this.outbox,
      off: parseNotificationKinds(c.notifyOff ?? ""),
      daily: async () => ({ text: await dailyText(o.commands, (o.wallNow ?? Date.now)()) }),
      wallNow: o.wallNow ?? Date.now,
      backtestMetrics: async (runId) => {
        const run = await o.commands.backtest(runId);
        return "metrics" in run ? run.metrics as Record<string, unknown> : undefined;
      },
      log: this.#log,
      ...o.notifier,
    });
  }

  /**
   * Starts the chat surface for the platforms `config` has a token for; undefined when it has
   * none (the service's start-up line says chat is off). Resolves once confirmations and
   * notifications follow the service; the platforms themselves connect in the background.
   */
  static async start(o: ChatServiceOptions): Promise<ChatService | undefined> {
    const log = o.log ?? writeLog;
    for (const w of o.config.warnings) log("warn", w);
    if (!o.config.telegram && !o.config.discord) return undefined; // the start-up line says so
    const chat = new ChatService(o, await loadAdapters(o.config));
    await chat.board.start();
    chat.notifier.start();
    for (const ch of chat.channels) chat.#launch(ch, RESTART_FIRST_MS);
    o.commands.setNotifications({ test: (who) => chat.test(who) });
    return chat;
  }

  /** Resolves once every platform has started (or failed its current try). */
  async started(): Promise<void> {
    while (this.#starting.size) await Promise.all([...this.#starting]);
  }

  /** Tells the notifier an exchange became unreachable or reachable again. */
  exchangeChanged(exchange: string, reachable: boolean): void {
    this.notifier.exchangeChanged(exchange, reachable);
  }

  /** Sends a test message to every configured chat, straight (not queued): what each did. */
  async test(who: Actor): Promise<NotificationTestResult[]> {
    const text = `🔔 Tidewatch test message, asked by ${who.actor} (${who.surface}). ` +
      `Notifications and confirmations come to this chat.`;
    const jobs = this.channels.flatMap((ch) =>
      ch.chats.map(async (chat) => {
        try {
          await withTimeout(ch.send(chat, { text }), this.o.testTimeoutMs ?? 15_000);
          return { platform: ch.platform, chat, ok: true };
        } catch (err) {
          return { platform: ch.platform, chat, ok: false, error: errorText(err) };
        }
      })
    );
    return await Promise.all(jobs);
  }

  /** Stops the platforms, the notifier and the board; queued messages are dropped (logged). */
  async stop(): Promise<void> {
    this.#closed = true;
    this.o.commands.setNotifications(undefined);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.notifier.stop();
    await this.board.stop();
    await this.started().catch(() => {});
    await Promise.all(this.channels.map((ch) => ch.stop().catch(() => {})));
    await this.outbox.close();
  }

  /** Starts one platform; a failure is logged and tried again after `delay` (doubling). */
  #launch(ch: ChatChannel & { start(): Promise<void> }, delay: number): void {
    const name = platformName(ch.platform);
    const run = ch.start().then(
      () => this.#log("info", `${name} chat started`, { platform: ch.platform }),
      (err) => {
        if (this.#closed) return;
        this.#log("error", `${name} chat could not start; trying again`, {
          platform: ch.platform,
          error: errorText(err),
          retry_in_ms: delay,
        });
        const t = setTimeout(() => {
          this.#timers.delete(t);
          if (!this.#closed) this.#launch(ch, Math.min(delay * 2, RESTART_MAX_MS));
        }, delay);
        Deno.unrefTimer(t);
        this.#timers.add(t);
      },
    ).finally(() => this.#starting.delete(run));
    this.#starting.add(run);
  }
}

/** The platform adapters a config needs, loaded only then (they are large libraries). */
interface Adapters {
  TelegramChat?: typeof TelegramChat;
  DiscordChat?: typeof DiscordChat;
}

async function loadAdapters(config: ChatConfig): Promise<Adapters> {
  // grammY's and discord.js's dependencies load Node's deprecated punycode module (some only
  // once they connect), and Node prints a warning for it that means nothing to a trader and that
  // they cannot act on: with chat on, Node's deprecation warnings are not printed.
  (process as { noDeprecation?: boolean }).noDeprecation = true;
  const out: Adapters = {};
  if (config.telegram) out.TelegramChat = (await import("./telegram.ts")).TelegramChat;
  if (config.discord) out.DiscordChat = (await import("./discord.ts")).DiscordChat;
  return out;
}

function platformName(p: Platform): string {
  return p === "telegram" ? "Telegram" : "Discord";
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
