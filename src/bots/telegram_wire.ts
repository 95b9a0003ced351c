// How Tidewatch's chat types look on the Telegram Bot API wire: commands read from messages,
// users, message refs, chat ids and inline keyboards, and the error a failed call becomes.

import { GrammyError } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message, User } from "grammy/types";
import { TidewatchError } from "../core/errors.ts";
import { CHAT_COMMANDS, type ChatButton, type ChatUser, type SentRef } from "./chat.ts";
import { splitHead } from "./split_text.ts";

/**
 * A Telegram call that failed, its message free of the token. `retryable` says whether the same
 * call may succeed later (rate limit, server error, network), as opposed to a refusal (bad chat
 * id, bot blocked, message not found).
 */
export class TelegramError extends TidewatchError {
  /** The Bot API method, e.g. "sendMessage". */
  readonly method: string;
  /** Telegram's error code (429, 502...); undefined when no answer came (network). */
  readonly code?: number;
  readonly retryable: boolean;
  /** Telegram's `retry_after` of a 429, in seconds. */
  readonly retryAfterSeconds?: number;

  constructor(
    message: string,
    o: { method: string; code?: number; retryable: boolean; retryAfterSeconds?: number },
  ) {
    super(message);
    this.method = o.method;
    this.code = o.code;
    this.retryable = o.retryable;
    this.retryAfterSeconds = o.retryAfterSeconds;
  }

  /** How long Telegram asked to wait, in ms (what the Outbox reads), or undefined. */
  get retryAfterMs(): number | undefined {
    return this.retryAfterSeconds === undefined ? undefined : this.retryAfterSeconds * 1000;
  }
}

/** The commands as setMyCommands takes them (descriptions cut to Telegram's 256). */
export function commandList(): { command: string; description: string }[] {
  return CHAT_COMMANDS.map((c) => ({
    command: c.name,
    description: splitHead(c.description, 256)[0],
  }));
}

/**
 * The command a message starts with, when it is addressed to this bot or to no bot:
 * "/Pnl@tidewatch_bot btc week" gives { name: "pnl", args: ["btc", "week"] }.
 */
export function commandOf(
  message: Message,
  username: string,
): { name: string; args: string[] } | undefined {
  const text = message.text ?? "";
  const entity = message.entities?.find((e) => e.type === "bot_command" && e.offset === 0);
  if (entity === undefined) return undefined;
  const [name, target] = text.slice(1, entity.length).split("@");
  if (target !== undefined && target.toLowerCase() !== username.toLowerCase()) return undefined;
  const args = text.slice(entity.length).trim().split(/\s+/).filter((w) => w !== "");
  return { name: name.toLowerCase(), args };
}

/** The person behind a message or press: "@username", else the first name. */
export function userOf(from: User): ChatUser {
  return {
    platform: "telegram",
    id: String(from.id),
    name: from.username ? `@${from.username}` : from.first_name || String(from.id),
  };
}

/** Where a Bot API message lives, as a SentRef. */
export function refOf(message: { chat: { id: number }; message_id: number }): SentRef {
  return {
    platform: "telegram",
    chatId: String(message.chat.id),
    messageId: String(message.message_id),
  };
}

/** A chat id as the Bot API takes it (a number, or "@channel"), or undefined. */
export function chatIdOf(chatId: string): number | string | undefined {
  if (/^-?\d{1,20}$/.test(chatId)) return Number(chatId);
  if (/^@[A-Za-z]\w{3,}$/.test(chatId)) return chatId;
  return undefined;
}

/** Rows of buttons as an inline keyboard (undefined when there is none); checks the data sizes. */
export function keyboardOf(rows: ChatButton[][] | undefined): InlineKeyboardMarkup | undefined {
  const keyboard = (rows ?? []).filter((row) => row.length > 0).map((row) => row.map(buttonOf));
  return keyboard.length === 0 ? undefined : { inline_keyboard: keyboard };
}

/** One button; its data must be 1-64 bytes, as Telegram requires. */
function buttonOf(b: ChatButton): InlineKeyboardButton.CallbackButton {
  const bytes = new TextEncoder().encode(b.data).length;
  if (bytes < 1 || bytes > 64) {
    throw new TelegramError(
      `Button "${b.label}" carries ${bytes} bytes of data; Telegram takes 1-64`,
      { method: "sendMessage", retryable: false },
    );
  }
  return { text: b.label, callback_data: b.data, ...(b.style ? { style: b.style } : {}) };
}

/** Whether an edit failed only because it changed nothing (harmless). */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 &&
    error.description.includes("message is not modified");
}
