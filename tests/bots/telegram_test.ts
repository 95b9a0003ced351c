// The Telegram adapter over real grammY against the fake Bot API: commands and presses reach the
// handler and its answers come back as messages, photos and edits; rate limits, outages, stop.

import assert from "node:assert/strict";
import { CHAT_COMMANDS } from "../../src/bots/chat.ts";
import type {
  ChatHandler,
  ChatMessage,
  ChatPlace,
  ChatUser,
  PressAnswer,
  SentRef,
} from "../../src/bots/chat.ts";
import {
  type ChatLogLevel,
  TelegramChat,
  type TelegramChatOptions,
  TelegramError,
} from "../../src/bots/telegram.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake_telegram.ts";

const TOKEN = "123456:TEST-token";
/** A PNG signature, then every byte value: binary must arrive intact. */
const PNG = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  ...Array.from({ length: 256 }, (_, i) => i),
]);
const LONG = Array.from({ length: 300 }, (_, i) => `line ${i}: ${"x".repeat(25)}`).join("\n");

/** A chat core stand-in: records every call and answers by command name. */
class TestHandler implements ChatHandler {
  readonly runs: { user: ChatUser; name: string; args: readonly string[]; where: ChatPlace }[] = [];
  readonly presses: { user: ChatUser; data: string; where: SentRef }[] = [];
  /** What /backtest waits for before it answers. */
  slow: Promise<void> = Promise.resolve();

  run(
    user: ChatUser,
    name: string,
    args: readonly string[],
    where: ChatPlace,
  ): Promise<ChatMessage> {
    this.runs.push({ user, name, args, where });
    switch (name) {
      case "kill":
        return Promise.resolve({
          text: "Stop every bot?",
          buttons: [[
            { label: "Yes, kill", data: "kill:yes", style: "danger" },
            { label: "No", data: "kill:no" },
          ]],
        });
      case "chart":
        return Promise.resolve({
          text: args[0] === "long" ? LONG : "ema_01: last 100 candles",
          image: { png: PNG, name: "chart-ema_01.png" },
          buttons: [[{ label: "Refresh", data: "chart:ema_01" }]],
        });
      case "trades":
        return Promise.resolve({ text: LONG, buttons: [[{ label: "More", data: "trades:2" }]] });
      case "boom":
        return Promise.reject(new Error(`exploded near ${TOKEN}`));
      case "backtest":
        return this.slow.then(() => ({ text: "backtest done" }));
      default:
        return Promise.resolve({ text: `${name}: ${args.join(",") || "all quiet"}` });
    }
  }

  press(user: ChatUser, data: string, where: SentRef): Promise<PressAnswer> {
    this.presses.push({ user, data, where });
    switch (data) {
      case "kill:yes":
        return Promise.resolve({ notice: "Killed", edit: { text: `Killed by ${user.name}` } });
      case "kill:no":
        return Promise.resolve({
          notice: "Kept",
          edit: { text: "Kept running", buttons: [[{ label: "Ask again", data: "kill:ask" }]] },
        });
      case "same":
        return this.run(user, "kill", [], where).then((edit) => ({ notice: "", edit }));
      case "boom":
        return Promise.reject(new Error("press exploded"));
      default:
        return Promise.resolve({ notice: "?" });
    }
  }
}

interface LogLine {
  level: ChatLogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/** A fake Telegram and an adapter on it (started unless `start: false`), torn down by `end`. */
async function setup(
  { start = true, fakeNow, ...options }: Partial<TelegramChatOptions> & {
    start?: boolean;
    /** The fake's clock for message dates, in epoch seconds. */
    fakeNow?: () => number;
  } = {},
): Promise<{
  fake: FakeTelegram;
  chat: TelegramChat;
  handler: TestHandler;
  logs: LogLine[];
  end: () => Promise<void>;
}> {
  const fake = startFakeTelegram({ token: TOKEN, now: fakeNow });
  const handler = new TestHandler();
  const logs: LogLine[] = [];
  const chat = new TelegramChat({
    token: fake.token,
    apiRoot: fake.apiRoot,
    chats: ["1001", "-500"],
    handler,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    pollRetryMs: { first: 10, max: 100 },
    ...options,
  });
  if (start) await chat.start();
  let ended = false;
  return {
    fake,
    chat,
    handler,
    logs,
    end: async () => {
      if (ended) return;
      ended = true;
      await chat.stop();
      await fake.close();
      const leaked = logs.filter((l) => JSON.stringify(l).includes(TOKEN));
      assert.deepEqual(leaked, [], "the token appears in a log line");
    },
  };
}

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("start registers every command; a /command is answered in its chat as plain text", async () => {
  const { fake, handler, end } = await setup();
  try {
    assert.deepEqual(
      fake.commands(),
      CHAT_COMMANDS.map((c) => ({ command: c.name, description: c.description })),
    );
    const update = fake.userSends(1001, 1001, "/status");
    const reply = await fake.nextSent();
    assert.equal(reply.method, "sendMessage");
    assert.equal(reply.chatId, 1001);
    assert.equal(reply.text, "status: all quiet");
    assert.equal(reply.parseMode, undefined);
    assert.equal(reply.replyMarkup, undefined);
    assert.deepEqual(handler.runs, [{
      user: { platform: "telegram", id: "1001", name: "@user1001" },
      name: "status",
      args: [],
      where: { platform: "telegram", chatId: "1001" },
    }]);
    await end();
    assert.equal(fake.confirmedUpdateId, update.update_id, "stop confirms the handled update");
  } finally {
    await end();
  }
});

Deno.test("arguments are split on whitespace and buttons become an inline keyboard", async () => {
  const { fake, handler, end } = await setup();
  try {
    fake.userSends(1001, 1001, "/PNL  btc_01\n week ");
    assert.equal((await fake.nextSent()).text, "pnl: btc_01,week");
    assert.deepEqual(handler.runs[0].args, ["btc_01", "week"]);
    fake.userSends(1001, 1001, "/kill");
    const question = await fake.nextSent();
    assert.equal(question.text, "Stop every bot?");
    assert.deepEqual(question.replyMarkup, {
      inline_keyboard: [[
        { text: "Yes, kill", callback_data: "kill:yes", style: "danger" },
        { text: "No", callback_data: "kill:no" },
      ]],
    });
  } finally {
    await end();
  }
});

Deno.test("in a group only commands to this bot or to no bot are run; plain text is ignored", async () => {
  const { fake, handler, end } = await setup();
  try {
    fake.userSends(-500, 7, "/status@other_bot");
    fake.userSends(-500, 7, "hello there");
    fake.userSends(-500, 8, "/bots@Tidewatch_Test_Bot");
    fake.userSends(-500, 9, "/positions");
    const replies = [await fake.nextSent(), await fake.nextSent()];
    assert.deepEqual(replies.map((r) => r.text).sort(), [
      "bots: all quiet",
      "positions: all quiet",
    ]);
    assert.ok(replies.every((r) => r.chatId === -500));
    await end(); // waits for every update being handled
    assert.deepEqual(handler.runs.map((r) => [r.name, r.user.id, r.where.chatId]).sort(), [
      ["bots", "8", "-500"],
      ["positions", "9", "-500"],
    ]);
    assert.equal(fake.sent.length, 2);
  } finally {
    await end();
  }
});

Deno.test("a press calls press with its data and message, answers the callback and edits the message", async () => {
  const { fake, handler, end } = await setup();
  try {
    fake.userSends(2002, 2002, "/kill");
    const question = await fake.nextSent();
    const press = fake.userPresses(2002, 2002, question.messageId, "kill:no");
    const answer = await fake.nextCallbackAnswer();
    assert.deepEqual(answer, {
      callbackQueryId: press.callback_query?.id,
      text: "Kept",
      showAlert: false,
    });
    const edit = await fake.nextEdit();
    assert.deepEqual(
      [edit.method, edit.chatId, edit.messageId, edit.text, edit.parseMode],
      ["editMessageText", 2002, question.messageId, "Kept running", undefined],
    );
    assert.deepEqual(edit.replyMarkup, {
      inline_keyboard: [[{ text: "Ask again", callback_data: "kill:ask" }]],
    });
    assert.deepEqual(handler.presses, [{
      user: { platform: "telegram", id: "2002", name: "@user2002" },
      data: "kill:no",
      where: { platform: "telegram", chatId: "2002", messageId: String(question.messageId) },
    }]);

    fake.userPresses(2002, 2002, question.messageId, "kill:yes");
    assert.equal((await fake.nextCallbackAnswer()).text, "Killed");
    const killed = await fake.nextEdit();
    assert.equal(killed.text, "Killed by @user2002");
    assert.equal(killed.replyMarkup, undefined);
    assert.equal(fake.message(2002, question.messageId)?.reply_markup, undefined);
  } finally {
    await end();
  }
});

Deno.test("an edit that changes nothing is swallowed; a failing press answers a generic notice", async () => {
  const { fake, logs, end } = await setup();
  try {
    fake.userSends(2002, 2002, "/kill");
    const question = await fake.nextSent();
    fake.userPresses(2002, 2002, question.messageId, "same"); // the question as it stands
    const quiet = await fake.nextCallbackAnswer();
    assert.equal(quiet.text, undefined, "a blank notice is a bare answer");
    fake.userPresses(2002, 2002, question.messageId, "boom");
    const failed = await fake.nextCallbackAnswer();
    assert.match(failed.text ?? "", /failed on our side/);
    await end();
    assert.ok(logs.some((l) => l.level === "error" && l.msg === "Chat button failed"));
    assert.ok(fake.requests.some((r) => r.method === "editMessageText" && r.status === 400));
    assert.equal(fake.edits.length, 0);
    assert.ok(!logs.some((l) => l.msg.includes("not edited")), JSON.stringify(logs));
  } finally {
    await end();
  }
});

Deno.test("an image is sent as a photo with its bytes, the text as caption, the buttons under it", async () => {
  const { fake, end } = await setup();
  try {
    fake.userSends(1001, 1001, "/chart ema_01");
    const photo = await fake.nextSent();
    assert.equal(photo.method, "sendPhoto");
    assert.deepEqual(photo.photo, PNG);
    assert.equal(photo.text, "ema_01: last 100 candles");
    assert.deepEqual(photo.replyMarkup, {
      inline_keyboard: [[{ text: "Refresh", callback_data: "chart:ema_01" }]],
    });
  } finally {
    await end();
  }
});

Deno.test("a long caption continues in text messages; the buttons go under the last one", async () => {
  const { fake, end } = await setup();
  try {
    fake.userSends(1001, 1001, "/chart long");
    const photo = await fake.nextSent();
    assert.equal(photo.method, "sendPhoto");
    assert.ok(photo.text!.length <= 1024 && photo.text!.length > 900, `${photo.text!.length}`);
    assert.equal(photo.replyMarkup, undefined);
    const parts = [photo.text!];
    let last = photo;
    while (last.replyMarkup === undefined) {
      last = await fake.nextSent();
      assert.equal(last.method, "sendMessage");
      assert.ok(last.text!.length <= 4096);
      parts.push(last.text!);
    }
    assert.equal(parts.join("\n"), LONG, "cut at line ends, nothing lost");
    assert.equal(parts.length, 4); // 1024 + 3 x 4096 >= 10 499 chars
  } finally {
    await end();
  }
});

Deno.test("a long text is sent as several messages within 4096 characters", async () => {
  const { fake, end } = await setup();
  try {
    fake.userSends(1001, 1001, "/trades");
    const parts = [await fake.nextSent(), await fake.nextSent(), await fake.nextSent()];
    assert.ok(parts.every((p) => p.text!.length <= 4096 && p.method === "sendMessage"));
    assert.deepEqual(parts.map((p) => p.replyMarkup === undefined), [true, true, false]);
    assert.equal(parts.map((p) => p.text).join("\n"), LONG);
  } finally {
    await end();
  }
});

Deno.test("send and edit work directly, without polling; an edit without buttons removes them", async () => {
  const { fake, chat, end } = await setup({ start: false });
  try {
    const ref = await chat.send("-500", {
      text: "Entry waits: BTC long 0.1",
      buttons: [[{ label: "Confirm", data: "c:1", style: "success" }, {
        label: "Reject",
        data: "r:1",
      }]],
    });
    const sent = await fake.nextSent();
    assert.deepEqual(ref, {
      platform: "telegram",
      chatId: "-500",
      messageId: String(sent.messageId),
    });
    assert.equal(sent.replyMarkup?.inline_keyboard[0].length, 2);
    await chat.edit(ref, { text: "Confirmed by @ann on Discord" });
    const edit = await fake.nextEdit();
    assert.deepEqual([edit.chatId, edit.messageId, edit.text], [
      -500,
      sent.messageId,
      "Confirmed by @ann on Discord",
    ]);
    assert.equal(fake.message(-500, sent.messageId)?.reply_markup, undefined);
    await chat.edit(ref, { text: "Confirmed by @ann on Discord" }); // not modified: no error
    assert.equal(fake.edits.length, 1);
    await assert.rejects(
      chat.edit({ platform: "discord", chatId: "1", messageId: "2" }, { text: "x" }),
      (e: unknown) => e instanceof TelegramError && !e.retryable,
    );
    await assert.rejects(
      chat.edit({ ...ref, messageId: "999" }, { text: "gone" }),
      (e: unknown) =>
        e instanceof TelegramError && e.code === 400 && !e.retryable &&
        /message to edit not found/.test(e.message),
    );
    await assert.rejects(
      chat.send("-500", { text: "x", buttons: [[{ label: "Big", data: "d".repeat(65) }]] }),
      (e: unknown) => e instanceof TelegramError && /Button "Big".*65 bytes/.test(e.message),
    );
    assert.deepEqual(chat.chats, ["1001", "-500"]);
  } finally {
    await end();
  }
});

Deno.test("a 429 within maxDelaySeconds is waited out; a longer one throws at once with retry_after", async () => {
  const { fake, chat, end } = await setup({ start: false });
  try {
    fake.fail({ method: "sendMessage", status: 429, retryAfter: 1 });
    const ref = await chat.send("1001", { text: "filled 0.1 BTC" });
    assert.equal((await fake.nextSent()).text, "filled 0.1 BTC");
    assert.equal(ref.messageId, "1");
    assert.deepEqual(fake.requests.filter((r) => r.method === "sendMessage").map((r) => r.status), [
      429,
      200,
    ]);
    fake.fail({ method: "sendMessage", status: 429, retryAfter: 600 });
    const error = await chat.send("1001", { text: "later" }).catch((e) => e);
    assert.ok(error instanceof TelegramError, String(error));
    assert.deepEqual([error.code, error.retryable, error.retryAfterSeconds, error.method], [
      429,
      true,
      600,
      "sendMessage",
    ]);
    assert.equal(fake.sent.length, 1);
  } finally {
    await end();
  }
});

Deno.test("a 502 or a dropped connection on send throws a retryable error, and polling goes on", async () => {
  const { fake, chat, end } = await setup();
  try {
    fake.fail({ method: "sendMessage", status: 502 });
    const bad = await chat.send("1001", { text: "a" }).catch((e) => e);
    assert.ok(bad instanceof TelegramError && bad.retryable && bad.code === 502, String(bad));
    fake.fail({ method: "sendMessage", drop: true });
    const dropped = await chat.send("1001", { text: "b" }).catch((e) => e);
    assert.ok(dropped instanceof TelegramError && dropped.retryable, String(dropped));
    assert.equal(dropped.code, undefined);
    assert.ok(!dropped.message.includes(TOKEN), dropped.message);
    fake.userSends(1001, 1001, "/status");
    assert.equal((await fake.nextSent()).text, "status: all quiet");
  } finally {
    await end();
  }
});

Deno.test("polling survives a dropped getUpdates and 502s, logged once, then back to work", async () => {
  const { fake, logs, end } = await setup();
  try {
    await fake.pollWaiting();
    fake.fail({ method: "getUpdates", drop: true });
    fake.fail({ method: "getUpdates", status: 502, count: 2 });
    fake.userSends(1001, 1001, "/status"); // ends the waiting poll; the next ones fail
    assert.equal((await fake.nextSent()).text, "status: all quiet");
    fake.userSends(1001, 1001, "/bots");
    assert.equal((await fake.nextSent()).text, "bots: all quiet");
    const polls = fake.requests.filter((r) => r.method === "getUpdates").map((r) => r.status);
    assert.ok(polls.includes(0) && polls.filter((s) => s === 502).length === 2, `${polls}`);
    const failed = logs.filter((l) => l.msg.startsWith("Telegram polling failed"));
    assert.equal(failed.length, 1, JSON.stringify(logs));
    assert.equal(failed[0].level, "warn");
    const again = logs.find((l) => l.msg === "Telegram polling works again");
    assert.deepEqual(again?.fields, { failedPolls: 3 });
  } finally {
    await end();
  }
});

Deno.test("a handler that throws gets a short generic reply; the error is logged without the token", async () => {
  const { fake, logs, end } = await setup();
  try {
    fake.userSends(1001, 1001, "/boom");
    const reply = await fake.nextSent();
    assert.equal(reply.text, "Sorry, that failed on our side; the error was logged.");
    fake.userSends(1001, 1001, "/status");
    assert.equal((await fake.nextSent()).text, "status: all quiet");
    const line = logs.find((l) => l.msg === "Chat command failed");
    assert.equal(line?.level, "error");
    assert.equal(line?.fields.error, "exploded near <token>");
    assert.equal(line?.fields.command, "boom");
  } finally {
    await end(); // asserts that no log line holds the token
  }
});

Deno.test("unreachable Telegram: start and send throw retryable errors without the token", async () => {
  const logs: string[] = [];
  const chat = new TelegramChat({
    token: TOKEN,
    apiRoot: `http://127.0.0.1:${closedPort()}/`,
    chats: [],
    handler: new TestHandler(),
    log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, fields })),
  });
  const down = await chat.start().catch((e) => e);
  assert.ok(down instanceof TelegramError && down.retryable, String(down));
  assert.match(down.message, /^Telegram getMe failed: no answer/);
  assert.ok(!down.message.includes(TOKEN), down.message);
  const send = await chat.send("1001", { text: "x" }).catch((e) => e);
  assert.ok(send instanceof TelegramError && send.retryable, String(send));
  assert.ok(!send.message.includes(TOKEN), send.message);
  assert.ok(!JSON.stringify(send).includes(TOKEN));
  await chat.stop(); // never started: nothing to do
});

Deno.test("a refused token is a ConfigError naming TELEGRAM_BOT_TOKEN, never the token", async () => {
  const fake = startFakeTelegram({ token: TOKEN });
  try {
    const chat = new TelegramChat({
      token: "999:wrong-token",
      apiRoot: fake.apiRoot,
      chats: [],
      handler: new TestHandler(),
    });
    const error = await chat.start().catch((e) => e);
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, /TELEGRAM_BOT_TOKEN was refused by Telegram \(401/);
    assert.ok(!error.message.includes("wrong-token"));
  } finally {
    await fake.close();
  }
});

Deno.test("options: a malformed token or chat id is a ConfigError naming the variable", () => {
  const handler = new TestHandler();
  assert.throws(
    () => new TelegramChat({ token: "secret value", chats: [], handler }),
    (e: unknown) =>
      e instanceof ConfigError && /^TELEGRAM_BOT_TOKEN/.test(e.message) &&
      !e.message.includes("secret value"),
  );
  assert.throws(
    () => new TelegramChat({ token: TOKEN, chats: ["1001", "my group"], handler }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('TELEGRAM_CHAT_IDS: "my group"'),
  );
  assert.doesNotThrow(() =>
    new TelegramChat({ token: TOKEN, chats: ["-1001234567890", "@tidewatch_alerts"], handler })
  );
});

/** A promise settled by `run`, or rejected after `seconds` (a safety net, not a measure). */
async function within<T>(seconds: number, what: string, run: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const net = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not done in ${seconds} s`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([run, net]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("stop() during a backoff wait after failed polls ends at once, timers cleared", async () => {
  let failed!: () => void;
  const pollFailed = new Promise<void>((resolve) => failed = resolve);
  const { fake, end } = await setup({
    pollRetryMs: { first: 3_600_000, max: 3_600_000 }, // an hour: only an abort ends the wait
    log: (_level, msg) => msg.startsWith("Telegram polling failed") && failed(),
  });
  try {
    await fake.pollWaiting();
    fake.fail({ method: "getUpdates", status: 502, count: 1000 });
    fake.userSends(1001, 1001, "/status");
    await fake.nextSent();
    await pollFailed;
    await within(30, "stop", end());
  } finally {
    await end();
  }
});

Deno.test("stop() cuts a send in flight or waiting out a rate limit: it throws a retryable error", async () => {
  const { fake, chat, end } = await setup({ start: false });
  try {
    fake.fail({ method: "sendMessage", status: 429, retryAfter: 50 }); // within maxDelaySeconds
    // Cut wherever it is: in the request, or in auto-retry's 50 s wait (the usual case).
    const sending = chat.send("1001", { text: "filled" }).catch((e) => e);
    await chat.stop();
    const error = await within(30, "the cut send", sending);
    assert.ok(error instanceof TelegramError && error.retryable, String(error));
    assert.match(error.message, /the Telegram chat was stopped/);
    assert.equal(fake.sent.length, 0);
    await assert.rejects(chat.send("1001", { text: "after stop" }), TelegramError);
  } finally {
    await end();
  }
});

Deno.test("commands are answered concurrently: a slow /backtest holds up no /kill", async () => {
  const { fake, handler, end } = await setup();
  let finish!: () => void;
  handler.slow = new Promise((resolve) => finish = resolve);
  try {
    fake.userSends(1001, 1001, "/backtest ema BTC/USDT 1h");
    fake.userSends(1001, 1001, "/kill");
    assert.equal((await fake.nextSent()).text, "Stop every bot?");
    finish();
    assert.equal((await fake.nextSent()).text, "backtest done");
  } finally {
    finish();
    await end();
  }
});

Deno.test("start() twice polls once; stop() while starting leaves nothing running", async () => {
  const { fake, chat, end } = await setup({ start: false });
  try {
    await Promise.all([chat.start(), chat.start()]);
    assert.equal(fake.requests.filter((r) => r.method === "getMe").length, 1);
    await chat.stop();
    const polls = fake.requests.filter((r) => r.method === "getUpdates").length;
    const starting = chat.start();
    await chat.stop(); // cuts the getMe in flight
    const cut = await starting.catch((e) => e);
    assert.ok(cut instanceof TelegramError && cut.method === "getMe", String(cut));
    assert.equal(fake.requests.filter((r) => r.method === "getUpdates").length, polls);
  } finally {
    await end();
  }
});

Deno.test("a token revoked while polling stops polling with one error line; stop() stays clean", async () => {
  let stopped!: () => void;
  const pollingStopped = new Promise<void>((resolve) => stopped = resolve);
  const lines: string[] = [];
  const { fake, chat, end } = await setup({
    log: (level, msg, fields) => {
      lines.push(JSON.stringify({ level, msg, fields }));
      if (msg === "Telegram refused the token: polling stopped") stopped();
    },
  });
  try {
    await fake.pollWaiting();
    fake.fail({ method: "getUpdates", status: 401, description: "Unauthorized" });
    fake.userSends(1001, 1001, "/status"); // ends the waiting poll; the next one is refused
    await fake.nextSent();
    await pollingStopped;
    assert.equal(lines.filter((l) => l.includes('"level":"error"')).length, 1);
    assert.ok(lines.every((l) => !l.includes(TOKEN)));
    assert.equal((await chat.send("1001", { text: "sends still work" })).chatId, "1001");
  } finally {
    await end();
  }
});

Deno.test("a stale command that changes something is not run; a stale read-only one is", async () => {
  const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;
  const { fake, handler, end } = await setup({ fakeNow: hourAgo });
  try {
    fake.userSends(1001, 1001, "/stop ema_01");
    const refusal = await fake.nextSent();
    assert.match(refusal.text!, /^Not run: this \/stop was sent 60 min ago/);
    fake.userSends(1001, 1001, "/status");
    assert.equal((await fake.nextSent()).text, "status: all quiet");
    await end();
    assert.deepEqual(handler.runs.map((r) => r.name), ["status"]);
  } finally {
    await end();
  }
});
