// The Telegram adapter: grammY long polling turns commands and button presses into ChatHandler
// calls and renders their answers; send/edit carry notifications. Plain text only (no parse_mode).

import { Bot, GrammyError, HttpError, InputFile } from "grammy";
import type { CallbackQuery, Message, Update, UserFromGetMe } from "grammy/types";
import { autoRetry } from "@grammyjs/auto-retry";
import { ConfigError } from "../core/errors.ts";
import {
  CHAT_COMMANDS,
  type ChatChannel,
  type ChatHandler,
  type ChatMessage,
  type ChatUser,
  type PressAnswer,
  type SentRef,
} from "./chat.ts";
import { splitHead, splitText } from "./split_text.ts";
import {
  chatIdOf,
  commandList,
  commandOf,
  isNotModified,
  keyboardOf,
  refOf,
  TelegramError,
  userOf,
} from "./telegram_wire.ts";

export { TelegramError } from "./telegram_wire.ts";

/** Telegram's longest message text, caption and callback answer (UTF-16 units). */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const NOTICE_LIMIT = 200;
/** What a person sees when a command or a press failed on our side (the cause is logged). */
const FAILED = "Sorry, that failed on our side; the error was logged.";
/** Sent instead of a blank text, which Telegram refuses. */
const BLANK = "(no text)";
const DEFAULT_API_ROOT = "https://api.telegram.org";
/** Commands that change something: not run when they arrive stale. */
const WRITE_COMMANDS = new Set(CHAT_COMMANDS.filter((c) => c.write).map((c) => c.name));

/** A log level of the chat adapters. */
export type ChatLogLevel = "info" | "warn" | "error";

/** Where the adapter reports what happens: a level, a message, fields (never the token). */
export type ChatLog = (level: ChatLogLevel, msg: string, fields: Record<string, unknown>) => void;

/** Options of {@link TelegramChat}. */
export interface TelegramChatOptions {
  /** TELEGRAM_BOT_TOKEN, from @BotFather. A secret: it never appears in logs or errors. */
  token: string;
  /** TELEGRAM_API_ROOT: a self-hosted Bot API server or a proxy (default Telegram's). */
  apiRoot?: string;
  /** TELEGRAM_CHAT_IDS: the chats notifications go to (numeric ids or @channel names). */
  chats: readonly string[];
  /** Answers commands and button presses. */
  handler: ChatHandler;
  /** Log sink (default: warnings and errors as JSON lines on stderr). */
  log?: ChatLog;
  /** Seconds one getUpdates call waits for an update (default 30). */
  pollTimeoutSeconds?: number;
  /** Waits after failed polls, in ms: `first`, doubling up to `max` (default 1000 and 60000). */
  pollRetryMs?: { first: number; max: number };
  /** Rate limits (429) waited out per call before it throws (default 3). */
  maxRetryAttempts?: number;
  /** The longest `retry_after` waited out; a longer one throws at once (default 60 s). */
  maxDelaySeconds?: number;
  /** The longest a request other than a long poll may take (default 60 s). */
  requestTimeoutSeconds?: number;
  /**
   * A command that changes something (start, stop, kill...) older than this when it arrives,
   * e.g. sent while Tidewatch was down, is not run; its sender is told so (default 300 s).
   */
  staleCommandSeconds?: number;
}

/**
 * The Telegram side of chat control: long polling for commands and presses (answered through
 * the handler), and `send`/`edit` for notifications and confirmations. Commands are answered
 * concurrently, so a slow /backtest holds up no /kill.
 *
 * @example
 * ```ts
 * const telegram = new TelegramChat({ token, chats: ["-100123"], handler });
 * await telegram.start();
 * await telegram.send("-100123", { text: "Tidewatch is up" });
 * await telegram.stop();
 * ```
 */
export class TelegramChat implements ChatChannel {
  /** Always "telegram". */
  readonly platform = "telegram" as const;
  readonly chats: readonly string[];
  readonly #bot: Bot;
  readonly #token: string;
  readonly #handler: ChatHandler;
  readonly #log: ChatLog;
  readonly #pollTimeout: number;
  readonly #pollRetry: { first: number; max: number };
  readonly #staleSeconds: number;
  #me?: UserFromGetMe;
  #polling?: { abort: AbortController; done: Promise<void> };
  #starting?: Promise<void>;
  /** Aborted by stop(): cuts retry waits and requests still running. */
  #calls = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  /** The next update id wanted, and the one Telegram was last told (confirmed up to). */
  #offset = 0;
  #confirmedOffset = 0;

  constructor(options: TelegramChatOptions) {
    if (!/^\d+:[\w-]+$/.test(options.token)) {
      throw new ConfigError(
        'TELEGRAM_BOT_TOKEN is not a bot token: expected "<digits>:<letters>" as @BotFather gives it',
      );
    }
    for (const chat of options.chats) {
      if (chatIdOf(chat) === undefined) {
        throw new ConfigError(
          `TELEGRAM_CHAT_IDS: "${chat}" is not a chat id (a number such as -1001234567890) or @channel name`,
        );
      }
    }
    this.#token = options.token;
    this.chats = [...options.chats];
    this.#handler = options.handler;
    this.#log = options.log ?? stderrLog;
    this.#pollTimeout = options.pollTimeoutSeconds ?? 30;
    this.#pollRetry = options.pollRetryMs ?? { first: 1000, max: 60_000 };
    this.#staleSeconds = options.staleCommandSeconds ?? 300;
    const apiRoot = (options.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, "");
    const timeoutSeconds = Math.max(
      options.requestTimeoutSeconds ?? 60,
      this.#pollTimeout + 15,
    );
    this.#bot = new Bot(options.token, { client: { apiRoot, timeoutSeconds } });
    this.#bot.api.config.use(autoRetry({
      maxRetryAttempts: options.maxRetryAttempts ?? 3,
      maxDelaySeconds: options.maxDelaySeconds ?? 60,
      // 5xx and network errors throw at once: the Outbox retries sends, the poll loop backs off.
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }));
    this.#bot.on("message:text", (ctx) => this.#onText(ctx.msg));
    this.#bot.on("callback_query", (ctx) => this.#onPress(ctx.callbackQuery));
  }

  /**
   * Checks the token (getMe), registers the commands, and starts long polling in the
   * background; resolves once polling runs. A refused token is a ConfigError; Telegram being
   * unreachable is a retryable TelegramError.
   */
  start(): Promise<void> {
    if (this.#polling !== undefined) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => this.#starting = undefined);
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#calls.signal.aborted) this.#calls = new AbortController();
    const calls = this.#calls.signal;
    const signal = wire(calls);
    let me: UserFromGetMe;
    try {
      me = await this.#bot.api.getMe(signal);
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 401) {
        throw new ConfigError(
          "TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): check it with @BotFather",
        );
      }
      throw this.#failure("getMe", error);
    }
    this.#me = me;
    this.#bot.botInfo = me;
    try {
      await this.#bot.api.setMyCommands(commandList(), {}, signal);
    } catch (error) {
      this.#log("warn", "Telegram commands not registered; they still work when typed", {
        error: this.#describe("setMyCommands", error),
      });
    }
    try {
      await this.#bot.api.deleteWebhook({}, signal); // getUpdates is refused while one is set
    } catch (error) {
      this.#log("warn", "Telegram webhook not removed; polling may be refused", {
        error: this.#describe("deleteWebhook", error),
      });
    }
    if (calls.aborted) return; // stop() came while starting
    const abort = new AbortController();
    this.#polling = { abort, done: this.#poll(abort.signal) };
    this.#log("info", "Telegram chat started", {
      bot: `@${me.username}`,
      chats: this.chats.length,
    });
  }

  /**
   * Stops polling, waits for the commands and presses being answered, cuts sends still running
   * or waiting out a rate limit (they throw; call it after the last send that matters), and
   * confirms the updates handled so they do not come back. Sends after it throw until start().
   */
  async stop(): Promise<void> {
    const polling = this.#polling;
    this.#polling = undefined;
    if (polling !== undefined) {
      polling.abort.abort();
      await polling.done;
    }
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.#calls.abort();
    if (polling === undefined) return;
    await this.#confirmUpdates();
    this.#log("info", "Telegram chat stopped", {});
  }

  /**
   * Sends `m` to a chat: a photo with the text as caption when there is an image, the text
   * beyond Telegram's limits as following messages, the buttons under the last one. Resolves to
   * the message carrying the buttons (the last one); throws a TelegramError.
   */
  async send(chatId: string, m: ChatMessage): Promise<SentRef> {
    const chat = chatIdOf(chatId);
    if (chat === undefined) {
      throw new TelegramError(`Telegram chat id "${chatId}" is not a number or @channel name`, {
        method: "sendMessage",
        retryable: false,
      });
    }
    const last = await this.#deliver(chat, m);
    return refOf(last);
  }

  /**
   * Replaces the text and buttons of a sent message (no buttons: removes them); the text is
   * cut to Telegram's limit, an image is ignored. An edit that changes nothing is no error.
   */
  async edit(ref: SentRef, m: ChatMessage): Promise<void> {
    const chat = chatIdOf(ref.chatId);
    if (ref.platform !== "telegram" || chat === undefined || !/^\d+$/.test(ref.messageId)) {
      throw new TelegramError(
        `Not a Telegram message: ${ref.platform} "${ref.chatId}/${ref.messageId}"`,
        { method: "editMessageText", retryable: false },
      );
    }
    const keyboard = keyboardOf(m.buttons);
    const [text] = splitHead(m.text.trim() === "" ? BLANK : m.text, TEXT_LIMIT);
    try {
      await this.#bot.api.editMessageText(
        chat,
        Number(ref.messageId),
        text,
        keyboard === undefined ? {} : { reply_markup: keyboard },
        wire(this.#calls.signal),
      );
    } catch (error) {
      if (isNotModified(error)) return;
      throw this.#failure("editMessageText", error);
    }
  }

  /** Polls until `signal` aborts; failures are logged once per outage and retried with backoff. */
  async #poll(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        const offset = this.#offset;
        updates = await this.#bot.api.getUpdates({
          offset,
          timeout: this.#pollTimeout,
          allowed_updates: ["message", "callback_query"],
        }, wire(signal));
        this.#confirmedOffset = offset;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        if (error instanceof GrammyError && error.error_code === 401) {
          this.#log("error", "Telegram refused the token: polling stopped", {
            fix: "check TELEGRAM_BOT_TOKEN with @BotFather, then restart",
          });
          break;
        }
        if (failures === 1) {
          this.#log("warn", "Telegram polling failed; retrying with backoff", {
            error: this.#describe("getUpdates", error),
          });
        }
        const wait = Math.min(this.#pollRetry.max, this.#pollRetry.first * 2 ** (failures - 1));
        const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
        await pause(Math.max(wait, (retryAfter ?? 0) * 1000), signal);
        continue;
      }
      if (failures > 0) {
        this.#log("info", "Telegram polling works again", { failedPolls: failures });
        failures = 0;
      }
      for (const update of updates) {
        this.#offset = Math.max(this.#offset, update.update_id + 1);
        this.#dispatch(update);
      }
    }
  }

  /** Handles one update without waiting for it; stop() waits for every one. */
  #dispatch(update: Update): void {
    const handled: Promise<void> = this.#bot.handleUpdate(update)
      .catch((error) => {
        this.#log("error", "Telegram update not handled", {
          update: update.update_id,
          error: this.#redact(String((error as { error?: unknown }).error ?? error)),
        });
      })
      .finally(() => this.#inFlight.delete(handled));
    this.#inFlight.add(handled);
  }

  async #onText(message: Message): Promise<void> {
    const command = commandOf(message, this.#me!.username);
    if (command === undefined || message.from === undefined || message.from.is_bot) return;
    const chatId = String(message.chat.id);
    const answer = await this.#answer(userOf(message.from), command, chatId, message.date);
    try {
      await this.#deliver(
        message.chat.id,
        answer,
        message.is_topic_message ? message.message_thread_id : undefined,
      );
    } catch (error) {
      this.#log("warn", "Telegram reply not sent", {
        command: command.name,
        chatId,
        error: errorText(error),
      });
    }
  }

  /** The handler's answer to a command, a refusal of a stale one, or a generic failure line. */
  async #answer(
    user: ChatUser,
    command: { name: string; args: string[] },
    chatId: string,
    sentAt: number,
  ): Promise<ChatMessage> {
    const age = Math.floor(Date.now() / 1000) - sentAt;
    if (age > this.#staleSeconds && WRITE_COMMANDS.has(command.name)) {
      this.#log("info", "Stale chat command not run", { command: command.name, chatId, age });
      return {
        text: `Not run: this /${command.name} was sent ${ageText(age)} ago, while Tidewatch ` +
          "was not listening. Send it again if you still want it.",
      };
    }
    try {
      return await this.#handler.run(user, command.name, command.args, {
        platform: "telegram",
        chatId,
      });
    } catch (error) {
      this.#log("error", "Chat command failed", {
        command: command.name,
        chatId,
        user: user.id,
        error: this.#redact(errorText(error)),
      });
      return { text: FAILED };
    }
  }

  async #onPress(query: CallbackQuery): Promise<void> {
    const message = query.message;
    let answer: PressAnswer = { notice: "" };
    let ref: SentRef | undefined;
    if (query.data !== undefined && message !== undefined) {
      ref = refOf(message);
      try {
        answer = await this.#handler.press(userOf(query.from), query.data, ref);
      } catch (error) {
        this.#log("error", "Chat button failed", {
          chatId: ref.chatId,
          messageId: ref.messageId,
          user: String(query.from.id),
          error: this.#redact(errorText(error)),
        });
        answer = { notice: FAILED };
      }
    }
    const notice = answer.notice.trim() === ""
      ? {}
      : { text: splitHead(answer.notice, NOTICE_LIMIT)[0] };
    try {
      await this.#bot.api.answerCallbackQuery(query.id, notice, wire(this.#calls.signal));
    } catch (error) {
      this.#log("warn", "Telegram button answer not sent", {
        error: this.#describe("answerCallbackQuery", error),
      });
    }
    if (answer.edit === undefined || ref === undefined) return;
    try {
      await this.edit(ref, answer.edit);
    } catch (error) {
      this.#log("warn", "Telegram message not edited after a press", {
        chatId: ref.chatId,
        messageId: ref.messageId,
        error: errorText(error),
      });
    }
  }

  /** Sends `m` as one or more messages (see send); resolves to the last one sent. */
  async #deliver(chat: number | string, m: ChatMessage, threadId?: number): Promise<Message> {
    const keyboard = keyboardOf(m.buttons);
    const signal = wire(this.#calls.signal);
    const thread = threadId === undefined ? {} : { message_thread_id: threadId };
    const markup = (last: boolean) =>
      last && keyboard !== undefined ? { reply_markup: keyboard } : {};
    let texts: string[];
    let sent: Message | undefined;
    if (m.image !== undefined) {
      const [head, rest] = splitHead(m.text, CAPTION_LIMIT);
      texts = splitText(rest, TEXT_LIMIT);
      const photo = new InputFile(m.image.png, m.image.name);
      const caption = head.trim() === "" ? {} : { caption: head };
      sent = await this.#call("sendPhoto", () =>
        this.#bot.api.sendPhoto(chat, photo, {
          ...thread,
          ...caption,
          ...markup(texts.length === 0),
        }, signal));
    } else {
      texts = splitText(m.text, TEXT_LIMIT);
      if (texts.length === 0) texts = [BLANK];
    }
    for (const [i, text] of texts.entries()) {
      sent = await this.#call("sendMessage", () =>
        this.#bot.api.sendMessage(chat, text, {
          ...thread,
          ...markup(i === texts.length - 1),
        }, signal));
    }
    return sent!;
  }

  /** Runs one Bot API call, turning its failure into a TelegramError. */
  async #call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#failure(method, error);
    }
  }

  /** Confirms the updates handled since the last poll, so a restart does not see them again. */
  async #confirmUpdates(): Promise<void> {
    if (this.#offset <= this.#confirmedOffset) return;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    try {
      await this.#bot.api.getUpdates(
        { offset: this.#offset, limit: 1, timeout: 0 },
        wire(abort.signal),
      );
      this.#confirmedOffset = this.#offset;
    } catch (error) {
      this.#log("warn", "Telegram updates not confirmed; they may be answered again at start", {
        error: this.#describe("getUpdates", error),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #failure(method: string, error: unknown): TelegramError {
    if (error instanceof TelegramError) return error;
    if (this.#calls.signal.aborted) {
      return new TelegramError(`Telegram ${method} cut: the Telegram chat was stopped`, {
        method,
        retryable: true,
      });
    }
    const message = this.#describe(method, error);
    if (error instanceof GrammyError) {
      const code = error.error_code;
      const retryAfter = error.parameters.retry_after;
      return new TelegramError(message, {
        method,
        code,
        retryable: code === 429 || code >= 500,
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      });
    }
    return new TelegramError(message, { method, retryable: true });
  }

  /** One line for people about a failed call, without the token. */
  #describe(method: string, error: unknown): string {
    if (error instanceof GrammyError) {
      return this.#redact(`Telegram ${method} failed (${error.error_code}: ${error.description})`);
    }
    if (error instanceof HttpError) {
      return this.#redact(
        `Telegram ${method} failed: no answer (${errorText(error.error)})`,
      );
    }
    return this.#redact(`Telegram ${method} failed: ${errorText(error)}`);
  }

  #redact(text: string): string {
    return text
      .replaceAll(this.#token, "<token>")
      .replaceAll(encodeURIComponent(this.#token), "<token>");
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "45 s", "12 min", "3 h" */
function ageText(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** The AbortSignal type of grammY's Node build (a shim's); Deno's signals work with it. */
type WireSignal = NonNullable<Parameters<Bot["api"]["getMe"]>[0]>;

function wire(signal: AbortSignal): WireSignal {
  return signal as unknown as WireSignal;
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** The default log: warnings and errors as one JSON line on stderr. */
function stderrLog(level: ChatLogLevel, msg: string, fields: Record<string, unknown>): void {
  if (level === "info") return;
  console.error(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
}
