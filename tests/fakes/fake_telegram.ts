// A loopback fake of the Telegram Bot API: `POST|GET /bot<token>/<method>` on 127.0.0.1, the
// real wire format (fake_telegram_wire.ts), users who send messages and press buttons, and
// recorded messages, edits and callback answers for tests to await.
//
// Point real grammY at it: `new Bot(fake.token, { client: { apiRoot: fake.apiRoot } })`.
// Methods: getMe, getUpdates (long polling; a newer call ends a pending one with 409 Conflict as
// Telegram does), deleteWebhook, getWebhookInfo, sendMessage, sendPhoto (JSON file_id/URL or a
// multipart upload whose bytes are kept), editMessageText, editMessageReplyMarkup,
// answerCallbackQuery, setMyCommands, getMyCommands, deleteMyCommands. Anything else: 404.
// Updates stay queued until a getUpdates `offset` confirms them, so an update answered to a poll
// whose client went away is delivered again, as Telegram does.
// Faults (`fail`) hit the next matching call: a status with Telegram's body (429 carries
// `parameters.retry_after`), or a dropped connection (the answer's body fails after its headers;
// Deno.serve logs one line per drop).

import type {
  BotCommand,
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import {
  badRequest,
  BotApiError,
  errorResponse,
  intParam,
  jsonParam,
  okResponse,
  readParams,
  requireInt,
  strParam,
  type WireParams,
} from "./fake_telegram_wire.ts";

/** One message the bot sent (sendMessage or sendPhoto), as the fake stored it. */
export interface SentMessage {
  method: "sendMessage" | "sendPhoto";
  chatId: number;
  messageId: number;
  /** The text of a sendMessage, the caption of a sendPhoto. */
  text?: string;
  parseMode?: string;
  replyMarkup?: InlineKeyboardMarkup;
  /** The uploaded bytes of a sendPhoto (undefined when sent by file_id or URL). */
  photo?: Uint8Array;
  /** The Message the fake answered with. */
  message: Message;
}

/** One edit of a message (editMessageText or editMessageReplyMarkup). */
export interface MessageEdit {
  method: "editMessageText" | "editMessageReplyMarkup";
  chatId: number;
  messageId: number;
  /** The new text (editMessageText only). */
  text?: string;
  parseMode?: string;
  /** The new keyboard; undefined removes it. */
  replyMarkup?: InlineKeyboardMarkup;
}

/** One answerCallbackQuery. */
export interface CallbackAnswer {
  callbackQueryId: string;
  text?: string;
  showAlert: boolean;
}

/** A call the fake received: the method, and the status it answered (0: dropped). */
export interface TelegramRequest {
  method: string;
  status: number;
}

/** A fault for the next call(s) matching `method` (default: any method but getUpdates). */
export type TelegramFault =
  | { method?: string; status: 429; retryAfter: number; count?: number }
  | { method?: string; status: number; description?: string; count?: number }
  | { method?: string; drop: true; count?: number };

/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  /** The bot's token (default "123456:TEST-token"); the bot's id is the part before ':'. */
  token?: string;
  /** The bot's username (default "tidewatch_test_bot"). */
  username?: string;
  /** Seconds since the epoch for message dates (default: the wall clock). */
  now?: () => number;
}

/** A running fake Telegram; see the file header. */
export interface FakeTelegram {
  /** The `client.apiRoot` for grammY ("http://127.0.0.1:<port>", no trailing slash). */
  readonly apiRoot: string;
  readonly token: string;
  /** The bot's own User (what getMe answers). */
  readonly botUser: User;
  /** Every message the bot sent, in order. */
  readonly sent: readonly SentMessage[];
  /** Every edit, in order. */
  readonly edits: readonly MessageEdit[];
  readonly callbackAnswers: readonly CallbackAnswer[];
  /** Every call received, in order (wrong-token calls included, as method "?"). */
  readonly requests: readonly TelegramRequest[];
  /** The highest update_id the bot confirmed (by a getUpdates offset), or 0. */
  readonly confirmedUpdateId: number;
  /** Queues a text message from a user; /commands carry a bot_command entity. */
  userSends(chatId: number, userId: number, text: string): Update;
  /** Queues a callback_query for a button of the bot's message `messageId` in `chatId`. */
  userPresses(chatId: number, userId: number, messageId: number, data: string): Update;
  /** The next sent message not yet taken by an earlier call, once the bot sends it. */
  nextSent(): Promise<SentMessage>;
  /** The next edit not yet taken by an earlier call, once the bot makes it. */
  nextEdit(): Promise<MessageEdit>;
  /** The next callback answer not yet taken by an earlier call. */
  nextCallbackAnswer(): Promise<CallbackAnswer>;
  /** A message as it is now (after edits), or undefined. */
  message(chatId: number, messageId: number): Message | undefined;
  /** The commands set for a scope type ("default" unless given) and language (""). */
  commands(scope?: string, languageCode?: string): BotCommand[] | undefined;
  /** Resolves once a getUpdates call is waiting (long polling) for an update. */
  pollWaiting(): Promise<void>;
  /** Makes the next matching call(s) fail; see {@link TelegramFault}. */
  fail(fault: TelegramFault): void;
  /** Stops the server; a pending long poll answers [] first. */
  close(): Promise<void>;
}

type Updatekind = Exclude<keyof Update, "update_id">;

/** A queue of recorded items with a take-cursor: `next()` hands each item out once, in order. */
class Recorded<T> {
  readonly items: T[] = [];
  #taken = 0;
  #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    this.items.push(item);
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#taken++;
      waiter(item);
    }
  }

  next(): Promise<T> {
    if (this.#taken < this.items.length) return Promise.resolve(this.items[this.#taken++]);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

interface Poll {
  offset: number;
  limit: number;
  resolve: (result: Update[] | BotApiError) => void;
}

const METHODS = new Set([
  "getMe",
  "getUpdates",
  "deleteWebhook",
  "getWebhookInfo",
  "sendMessage",
  "sendPhoto",
  "editMessageText",
  "editMessageReplyMarkup",
  "answerCallbackQuery",
  "setMyCommands",
  "getMyCommands",
  "deleteMyCommands",
]);

/**
 * Starts the fake on 127.0.0.1 (a free port).
 *
 * @example
 * ```ts
 * const fake = startFakeTelegram();
 * const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
 * bot.command("status", (ctx) => ctx.reply("all quiet"));
 * bot.start();
 * fake.userSends(42, 42, "/status");
 * assertEquals((await fake.nextSent()).text, "all quiet");
 * await bot.stop();
 * await fake.close();
 * ```
 */
export function startFakeTelegram(options: FakeTelegramOptions = {}): FakeTelegram {
  const token = options.token ?? "123456:TEST-token";
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const botUser: User = {
    id: Number(token.split(":")[0]),
    is_bot: true,
    first_name: "Tidewatch test",
    username: options.username ?? "tidewatch_test_bot",
  };

  const getMe: UserFromGetMe = {
    ...botUser,
    is_bot: true,
    username: botUser.username!,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  const queue: Update[] = [];
  let nextUpdateId = 1;
  let confirmedUpdateId = 0;
  let allowedUpdates: string[] = [];
  let poll: Poll | undefined;
  let pollWaiters: (() => void)[] = [];
  const messageIds = new Map<number, number>();
  const messages = new Map<string, Message>();
  const openQueries = new Set<string>();
  let nextQueryId = 1;
  const commandSets = new Map<string, BotCommand[]>();
  const sent = new Recorded<SentMessage>();
  const edits = new Recorded<MessageEdit>();
  const answers = new Recorded<CallbackAnswer>();
  const requests: TelegramRequest[] = [];
  const faults: (TelegramFault & { left: number })[] = [];

  const key = (chatId: number, messageId: number) => `${chatId}/${messageId}`;
  const chatOf = (chatId: number): Chat =>
    chatId > 0
      ? { id: chatId, type: "private", first_name: `User ${chatId}` }
      : { id: chatId, type: "group", title: `Group ${-chatId}` };
  const userOf = (userId: number): User => ({
    id: userId,
    is_bot: false,
    first_name: `User ${userId}`,
    username: `user${userId}`,
  });
  const newMessageId = (chatId: number) => {
    const id = (messageIds.get(chatId) ?? 0) + 1;
    messageIds.set(chatId, id);
    return id;
  };
  const kindOf = (u: Update) => Object.keys(u).find((k) => k !== "update_id") as Updatekind;

  function pending(offset: number, limit: number): Update[] {
    const allowed = allowedUpdates.length === 0 ? undefined : new Set(allowedUpdates);
    return queue
      .filter((u) => u.update_id >= offset && (allowed?.has(kindOf(u)) ?? true))
      .slice(0, limit);
  }

  function enqueue(update: Omit<Update, "update_id">): Update {
    const full = { update_id: nextUpdateId++, ...update } as Update;
    queue.push(full);
    if (poll) {
      const ready = pending(poll.offset, poll.limit);
      if (ready.length > 0) {
        poll.resolve(ready);
        poll = undefined;
      }
    }
    return full;
  }

  function confirm(offset: number): void {
    if (offset <= 0) return;
    while (queue.length > 0 && queue[0].update_id < offset) queue.shift();
    confirmedUpdateId = Math.max(confirmedUpdateId, offset - 1);
  }

  function getUpdates(params: WireParams): Promise<Update[] | BotApiError> {
    const offset = intParam(params, "offset") ?? 0;
    const limit = Math.min(100, Math.max(1, intParam(params, "limit") ?? 100));
    const timeout = Math.max(0, intParam(params, "timeout") ?? 0);
    const allowed = jsonParam<string[]>(params, "allowed_updates");
    if (allowed !== undefined) allowedUpdates = allowed;
    if (offset < 0) return Promise.resolve(queue.slice(offset).slice(0, limit));
    confirm(offset);
    if (poll) {
      poll.resolve(
        new BotApiError(
          409,
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        ),
      );
      poll = undefined;
    }
    const ready = pending(offset, limit);
    if (ready.length > 0 || timeout === 0) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const mine: Poll = {
        offset,
        limit,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        if (poll === mine) poll = undefined;
        mine.resolve([]);
      }, timeout * 1000);
      poll = mine;
      for (const wake of pollWaiters) wake();
      pollWaiters = [];
    });
  }

  function botMessage(
    chatId: number,
    fields: Partial<Message> & { reply_markup?: InlineKeyboardMarkup },
  ): Message {
    const message = {
      message_id: newMessageId(chatId),
      from: botUser,
      chat: chatOf(chatId),
      date: now(),
      ...fields,
    } as Message;
    if (fields.reply_markup === undefined) {
      delete (message as { reply_markup?: unknown }).reply_markup;
    }
    messages.set(key(chatId, message.message_id), message);
    return message;
  }

  function keyboard(params: WireParams): InlineKeyboardMarkup | undefined {
    const markup = jsonParam<Record<string, unknown>>(params, "reply_markup");
    if (markup === undefined) return undefined;
    if (!Array.isArray(markup.inline_keyboard)) return undefined; // reply keyboards: not shown
    return markup as unknown as InlineKeyboardMarkup;
  }

  function sendMessage(params: WireParams): Message {
    const chatId = requireInt(params, "chat_id");
    const text = strParam(params, "text") ?? "";
    if (text.trim() === "") throw badRequest("message text is empty");
    if (text.length > 4096) throw badRequest("message is too long");
    const parseMode = strParam(params, "parse_mode");
    const replyMarkup = keyboard(params);
    const message = botMessage(chatId, { text, reply_markup: replyMarkup });
    sent.push({
      method: "sendMessage",
      chatId,
      messageId: message.message_id,
      text,
      parseMode,
      replyMarkup,
      message,
    });
    return message;
  }

  function sendPhoto(params: WireParams): Message {
    const chatId = requireInt(params, "chat_id");
    const ref = strParam(params, "photo");
    if (ref === undefined || ref === "") throw badRequest("there is no photo in the request");
    let bytes: Uint8Array | undefined;
    if (ref.startsWith("attach://")) {
      bytes = params.files.get(ref.slice("attach://".length))?.bytes;
      if (bytes === undefined) throw badRequest("wrong HTTP URL specified");
    } else if (params.files.has("photo")) {
      bytes = params.files.get("photo")!.bytes;
    }
    const caption = strParam(params, "caption");
    const parseMode = strParam(params, "parse_mode");
    const replyMarkup = keyboard(params);
    const id = `photo-${chatId}-${(messageIds.get(chatId) ?? 0) + 1}`;
    const message = botMessage(chatId, {
      photo: [{
        file_id: id,
        file_unique_id: id,
        width: 800,
        height: 600,
        file_size: bytes?.length,
      }],
      ...(caption === undefined ? {} : { caption }),
      reply_markup: replyMarkup,
    });
    sent.push({
      method: "sendPhoto",
      chatId,
      messageId: message.message_id,
      text: caption,
      parseMode,
      replyMarkup,
      photo: bytes,
      message,
    });
    return message;
  }

  function editTarget(params: WireParams): Message & { text?: string } {
    if (params.values.inline_message_id !== undefined) {
      throw badRequest("inline messages are not supported by the fake");
    }
    const chatId = requireInt(params, "chat_id");
    const messageId = requireInt(params, "message_id");
    const message = messages.get(key(chatId, messageId));
    if (message === undefined) throw badRequest("message to edit not found");
    return message as Message & { text?: string };
  }

  function edit(method: MessageEdit["method"], params: WireParams): Message {
    const message = editTarget(params);
    const replyMarkup = keyboard(params);
    const text = method === "editMessageText" ? strParam(params, "text") ?? "" : undefined;
    if (text !== undefined && text.trim() === "") throw badRequest("message text is empty");
    if (method === "editMessageText" && message.text === undefined) {
      throw badRequest("there is no text in the message to edit");
    }
    const sameText = text === undefined || text === message.text;
    const sameMarkup = JSON.stringify(replyMarkup) === JSON.stringify(message.reply_markup);
    if (sameText && sameMarkup) {
      throw badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    const edited = { ...message, edit_date: now() } as Message & { text?: string };
    if (text !== undefined) edited.text = text;
    if (replyMarkup === undefined) delete edited.reply_markup;
    else edited.reply_markup = replyMarkup;
    messages.set(key(message.chat.id, message.message_id), edited);
    edits.push({
      method,
      chatId: message.chat.id,
      messageId: message.message_id,
      text,
      parseMode: strParam(params, "parse_mode"),
      replyMarkup,
    });
    return edited;
  }

  function answerCallbackQuery(params: WireParams): true {
    const id = strParam(params, "callback_query_id") ?? "";
    if (!openQueries.delete(id)) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    answers.push({
      callbackQueryId: id,
      text: strParam(params, "text"),
      showAlert: params.values.show_alert === true || params.values.show_alert === "true",
    });
    return true;
  }

  function commandKey(params: WireParams): string {
    const scope = jsonParam<{ type?: string }>(params, "scope")?.type ?? "default";
    return `${scope}/${strParam(params, "language_code") ?? ""}`;
  }

  function setMyCommands(params: WireParams): true {
    const commands = jsonParam<BotCommand[]>(params, "commands");
    if (!Array.isArray(commands)) throw badRequest("commands must be an array");
    for (const c of commands) {
      if (!/^[a-z0-9_]{1,32}$/.test(c.command ?? "")) throw badRequest("BOT_COMMAND_INVALID");
      if (!c.description || c.description.length > 256) {
        throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
      }
    }
    commandSets.set(commandKey(params), commands.map((c) => ({ ...c })));
    return true;
  }

  async function call(method: string, params: WireParams): Promise<unknown> {
    switch (method) {
      case "getMe":
        return getMe;
      case "getUpdates": {
        const result = await getUpdates(params);
        if (result instanceof BotApiError) throw result;
        return result;
      }
      case "deleteWebhook":
        if (params.values.drop_pending_updates === true) queue.length = 0;
        return true;
      case "getWebhookInfo":
        return { url: "", has_custom_certificate: false, pending_update_count: queue.length };
      case "sendMessage":
        return sendMessage(params);
      case "sendPhoto":
        return sendPhoto(params);
      case "editMessageText":
      case "editMessageReplyMarkup":
        return edit(method, params);
      case "answerCallbackQuery":
        return answerCallbackQuery(params);
      case "setMyCommands":
        return setMyCommands(params);
      case "getMyCommands":
        return commandSets.get(commandKey(params)) ?? [];
      case "deleteMyCommands":
        commandSets.delete(commandKey(params));
        return true;
    }
    throw new BotApiError(404, "Not Found");
  }

  function takeFault(method: string): TelegramFault | undefined {
    const i = faults.findIndex((f) =>
      f.method === undefined ? method !== "getUpdates" : f.method === method
    );
    if (i < 0) return undefined;
    const fault = faults[i];
    if (--fault.left <= 0) faults.splice(i, 1);
    return fault;
  }

  async function handle(req: Request): Promise<Response> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url).pathname);
    if (match === null || match[1] !== token) {
      requests.push({ method: match?.[2] ?? "?", status: match === null ? 404 : 401 });
      return errorResponse(
        match === null ? new BotApiError(404, "Not Found") : new BotApiError(401, "Unauthorized"),
      );
    }
    const method = METHODS.has(match[2])
      ? match[2]
      : [...METHODS].find((m) => m.toLowerCase() === match[2].toLowerCase()) ?? match[2];
    const record: TelegramRequest = { method, status: 0 };
    requests.push(record);
    let params: WireParams;
    try {
      params = await readParams(req);
    } catch (error) {
      const e = error instanceof BotApiError ? error : badRequest("can't parse request");
      record.status = e.status;
      return errorResponse(e);
    }
    const fault = takeFault(method);
    if (fault !== undefined) {
      if ("drop" in fault) return droppedResponse();
      record.status = fault.status;
      if ("retryAfter" in fault) {
        return errorResponse(
          new BotApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, {
            retry_after: fault.retryAfter,
          }),
        );
      }
      const words = fault.description ?? STATUS_WORDS[fault.status] ?? "Error";
      return errorResponse(new BotApiError(fault.status, words));
    }
    try {
      const result = await call(method, params);
      record.status = 200;
      return okResponse(result);
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      record.status = error.status;
      return errorResponse(error);
    }
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    handle,
  );
  const apiRoot = `http://127.0.0.1:${server.addr.port}`;

  return {
    apiRoot,
    token,
    botUser,
    sent: sent.items,
    edits: edits.items,
    callbackAnswers: answers.items,
    requests,
    get confirmedUpdateId() {
      return confirmedUpdateId;
    },
    userSends(chatId, userId, text) {
      const entities: MessageEntity[] = [];
      const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
      if (command) entities.push({ type: "bot_command", offset: 0, length: command[0].length });
      const message = {
        message_id: newMessageId(chatId),
        from: userOf(userId),
        chat: chatOf(chatId),
        date: now(),
        text,
        ...(entities.length > 0 ? { entities } : {}),
      } as Message;
      messages.set(key(chatId, message.message_id), message);
      return enqueue({ message: message as Update["message"] });
    },
    userPresses(chatId, userId, messageId, data) {
      const message = messages.get(key(chatId, messageId));
      if (message === undefined) {
        throw new Error(`No message ${messageId} in chat ${chatId}: press a button the bot sent`);
      }
      const id = `${botUser.id}${String(nextQueryId++).padStart(6, "0")}`;
      openQueries.add(id);
      return enqueue({
        callback_query: {
          id,
          from: userOf(userId),
          message,
          chat_instance: `instance-${chatId}`,
          data,
        },
      });
    },
    nextSent: () => sent.next(),
    nextEdit: () => edits.next(),
    nextCallbackAnswer: () => answers.next(),
    message: (chatId, messageId) => messages.get(key(chatId, messageId)),
    commands: (scope = "default", languageCode = "") => commandSets.get(`${scope}/${languageCode}`),
    pollWaiting: () =>
      poll === undefined ? new Promise((resolve) => pollWaiters.push(resolve)) : Promise.resolve(),
    fail(fault) {
      faults.push({ ...fault, left: fault.count ?? 1 });
    },
    async close() {
      if (poll) {
        poll.resolve([]);
        poll = undefined;
      }
      await server.shutdown();
    },
  };
}

const STATUS_WORDS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden: bot was blocked by the user",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** An answer whose body fails after the headers, so the connection ends mid-response. */
function droppedResponse(): Response {
  const body = new ReadableStream({
    start(controller) {
      // A string, not an Error: Deno.serve logs it as one line instead of a stack.
      controller.error("fake_telegram: connection dropped on purpose (an injected fault)");
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}
