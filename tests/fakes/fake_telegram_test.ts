// The fake Telegram Bot API driven by real grammY: commands, buttons and edits over long polling,
// setMyCommands, a 429 absorbed by @grammyjs/auto-retry, photo uploads, faults and the raw wire.

import assert from "node:assert/strict";
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { type FakeTelegram, startFakeTelegram } from "./fake_telegram.ts";

/** A bot on the fake, its handlers added by `setup`, polling until the returned stop. */
async function polling(
  fake: FakeTelegram,
  setup: (bot: Bot) => void,
): Promise<{ bot: Bot; stop: () => Promise<void> }> {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  setup(bot);
  const errors: unknown[] = [];
  bot.catch((err) => errors.push(err.error));
  let started!: () => void;
  const onStart = new Promise<void>((resolve) => started = resolve);
  const done = bot.start({ onStart: () => started() });
  await onStart;
  return {
    bot,
    stop: async () => {
      await bot.stop();
      await done;
      assert.deepEqual(errors, []);
    },
  };
}

Deno.test("a command gets its reply over long polling, and stopping confirms the update", async () => {
  const fake = startFakeTelegram();
  const { stop } = await polling(fake, (bot) => {
    bot.command("status", (ctx) => ctx.reply(`all quiet, ${ctx.from?.first_name}`));
  });
  const update = fake.userSends(1001, 1001, "/status");
  assert.deepEqual(update.message?.entities, [{ type: "bot_command", offset: 0, length: 7 }]);
  const reply = await fake.nextSent();
  assert.equal(reply.method, "sendMessage");
  assert.equal(reply.chatId, 1001);
  assert.equal(reply.text, "all quiet, User 1001");
  assert.equal(reply.messageId, 2); // the user's /status was message 1 of this chat
  assert.equal(reply.message.from?.id, fake.botUser.id);
  await stop();
  assert.equal(fake.confirmedUpdateId, update.update_id);
  assert.ok(fake.requests.some((r) => r.method === "getUpdates" && r.status === 200));
  await fake.close();
});

Deno.test("a group command addressed to the bot by name, and plain text, reach the handlers", async () => {
  const fake = startFakeTelegram();
  const { bot, stop } = await polling(fake, (bot) => {
    bot.command("bots", (ctx) => ctx.reply("bots: 5"));
    bot.on("message:text", (ctx) => ctx.reply(`echo ${ctx.message.text}`));
  });
  assert.equal(bot.botInfo.username, "tidewatch_test_bot"); // getMe, by bot.start()
  fake.userSends(-500, 7, `/bots@${fake.botUser.username}`);
  fake.userSends(-500, 8, "hello");
  const first = await fake.nextSent();
  const second = await fake.nextSent();
  assert.deepEqual([first.text, second.text], ["bots: 5", "echo hello"]);
  assert.equal(first.message.chat.type, "group");
  await stop();
  await fake.close();
});

Deno.test("an inline keyboard: the press is answered and the message edited", async () => {
  const fake = startFakeTelegram();
  const { stop } = await polling(fake, (bot) => {
    bot.command("kill", (ctx) =>
      ctx.reply("Stop every bot?", {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text("Yes, kill", "kill:yes").text("No", "kill:no"),
      }));
    bot.callbackQuery(/^kill:/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Done" });
      await ctx.editMessageText(`Killed by ${ctx.from.id}`);
    });
  });
  fake.userSends(2002, 2002, "/kill");
  const question = await fake.nextSent();
  assert.equal(question.parseMode, "HTML");
  assert.deepEqual(question.replyMarkup, {
    inline_keyboard: [[
      { text: "Yes, kill", callback_data: "kill:yes" },
      { text: "No", callback_data: "kill:no" },
    ]],
  });
  const press = fake.userPresses(2002, 2002, question.messageId, "kill:yes");
  const answer = await fake.nextCallbackAnswer();
  assert.deepEqual(answer, {
    callbackQueryId: press.callback_query?.id,
    text: "Done",
    showAlert: false,
  });
  const edit = await fake.nextEdit();
  assert.equal(edit.method, "editMessageText");
  assert.equal(edit.messageId, question.messageId);
  assert.equal(edit.text, "Killed by 2002");
  const now = fake.message(2002, question.messageId);
  assert.equal(now?.text, "Killed by 2002");
  assert.equal(now?.reply_markup, undefined); // an edit without reply_markup removes the keyboard
  assert.equal(typeof now?.edit_date, "number");
  await stop();
  await fake.close();
});

Deno.test("editMessageReplyMarkup, and Telegram's refusals of edits and stale callback answers", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  const keyboard = new InlineKeyboard().text("Confirm", "c:1");
  const msg = await bot.api.sendMessage(3003, "Entry waits", { reply_markup: keyboard });
  await bot.api.editMessageReplyMarkup(3003, msg.message_id, {
    reply_markup: new InlineKeyboard().text("Expired", "noop"),
  });
  assert.deepEqual(fake.edits[0].replyMarkup, {
    inline_keyboard: [[{ text: "Expired", callback_data: "noop" }]],
  });
  await assert.rejects(
    bot.api.editMessageText(3003, msg.message_id, "Entry waits", {
      reply_markup: new InlineKeyboard().text("Expired", "noop"),
    }),
    (e: unknown) =>
      e instanceof GrammyError && e.error_code === 400 &&
      e.description.startsWith("Bad Request: message is not modified"),
  );
  await assert.rejects(
    bot.api.editMessageText(3003, 999, "x"),
    (e: unknown) =>
      e instanceof GrammyError && e.description === "Bad Request: message to edit not found",
  );
  await assert.rejects(
    bot.api.answerCallbackQuery("nope"),
    (e: unknown) => e instanceof GrammyError && e.error_code === 400,
  );
  await fake.close();
});

Deno.test("setMyCommands is read back by getMyCommands, per scope", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  const commands = [
    { command: "status", description: "Status of every bot" },
    { command: "kill", description: "Stop every bot" },
  ];
  assert.equal(await bot.api.setMyCommands(commands), true);
  await bot.api.setMyCommands([{ command: "help", description: "Help" }], {
    scope: { type: "all_group_chats" },
  });
  assert.deepEqual(await bot.api.getMyCommands(), commands);
  assert.deepEqual(fake.commands(), commands);
  assert.deepEqual(await bot.api.getMyCommands({ scope: { type: "all_group_chats" } }), [
    { command: "help", description: "Help" },
  ]);
  await assert.rejects(
    bot.api.setMyCommands([{ command: "Bad Command", description: "x" }]),
    (e: unknown) =>
      e instanceof GrammyError && e.description === "Bad Request: BOT_COMMAND_INVALID",
  );
  await fake.close();
});

Deno.test("a 429 with retry_after is waited out by auto-retry and the call succeeds", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.api.config.use(autoRetry());
  fake.fail({ method: "sendMessage", status: 429, retryAfter: 1 });
  const msg = await bot.api.sendMessage(4004, "filled 0.1 BTC");
  assert.equal(msg.text, "filled 0.1 BTC");
  assert.deepEqual(fake.requests.map((r) => [r.method, r.status]), [
    ["sendMessage", 429],
    ["sendMessage", 200],
  ]);
  assert.equal(fake.sent.length, 1);
  await fake.close();
});

Deno.test("without auto-retry, a 429 carries retry_after as Telegram sends it", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  fake.fail({ status: 429, retryAfter: 7 });
  const error = await bot.api.sendMessage(4004, "x").catch((e) => e);
  assert.ok(error instanceof GrammyError);
  assert.equal(error.error_code, 429);
  assert.equal(error.description, "Too Many Requests: retry after 7");
  assert.deepEqual(error.parameters, { retry_after: 7 });
  await fake.close();
});

Deno.test("a 502 and a dropped connection reach grammY as its errors; the next call works", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  fake.fail({ method: "sendMessage", status: 502 });
  fake.fail({ method: "sendMessage", drop: true });
  const bad = await bot.api.sendMessage(5005, "a").catch((e) => e);
  assert.ok(bad instanceof GrammyError);
  assert.equal(bad.error_code, 502);
  assert.equal(bad.description, "Bad Gateway");
  const dropped = await bot.api.sendMessage(5005, "b").catch((e) => e);
  assert.ok(dropped instanceof HttpError, String(dropped));
  assert.equal((await bot.api.sendMessage(5005, "c")).text, "c");
  assert.deepEqual(fake.sent.map((s) => s.text), ["c"]);
  await fake.close();
});

Deno.test("sendPhoto uploads a PNG's bytes intact", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  // A PNG signature, then every byte value, CRLFs and a fake boundary line: binary must survive.
  const png = new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...Array.from({ length: 256 }, (_, i) => i),
    ...new TextEncoder().encode("\r\n--boundary\r\n\r\n"),
  ]);
  const msg = await bot.api.sendPhoto(6006, new InputFile(png, "chart.png"), {
    caption: "BTC bot, last 100 candles",
  });
  assert.equal(msg.caption, "BTC bot, last 100 candles");
  assert.equal(msg.photo?.[0].file_size, png.length);
  const sent = await fake.nextSent();
  assert.equal(sent.method, "sendPhoto");
  assert.equal(sent.text, "BTC bot, last 100 candles");
  assert.deepEqual(sent.photo, png);
  // Sent again by file_id: no bytes travel.
  await bot.api.sendPhoto(6006, msg.photo![0].file_id);
  assert.equal((await fake.nextSent()).photo, undefined);
  await fake.close();
});

Deno.test("the raw wire: wrong token 401, unknown method 404, form and query parameters", async () => {
  const fake = startFakeTelegram();
  const wrong = await fetch(`${fake.apiRoot}/bot999:nope/getMe`);
  assert.equal(wrong.status, 401);
  assert.deepEqual(await wrong.json(), {
    ok: false,
    error_code: 401,
    description: "Unauthorized",
  });
  const unknown = await fetch(`${fake.apiRoot}/bot${fake.token}/sendDice`, { method: "POST" });
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { ok: false, error_code: 404, description: "Not Found" });
  const form = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
    method: "POST",
    body: new URLSearchParams({
      chat_id: "77",
      text: "from a form",
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] }),
    }),
  });
  const body = await form.json();
  assert.equal(body.ok, true);
  assert.equal(body.result.chat.id, 77);
  assert.deepEqual(body.result.reply_markup.inline_keyboard[0][0], {
    text: "A",
    callback_data: "a",
  });
  const me = await (await fetch(`${fake.apiRoot}/bot${fake.token}/getMe`)).json();
  assert.equal(me.result.username, "tidewatch_test_bot");
  fake.userSends(77, 77, "hi");
  const got = await (await fetch(`${fake.apiRoot}/bot${fake.token}/getUpdates?offset=0`)).json();
  assert.equal(got.result.length, 1);
  assert.equal(got.result[0].message.text, "hi");
  assert.equal((await fake.nextSent()).text, "from a form");
  await fake.close();
});

Deno.test("getUpdates: answers when an update is queued, filters allowed_updates, and a second poll ends the first with 409", async () => {
  const fake = startFakeTelegram();
  const url = `${fake.apiRoot}/bot${fake.token}/getUpdates`;
  const post = (params: unknown) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    }).then((r) => r.json());
  const waiting = post({ offset: 0, timeout: 30, allowed_updates: ["callback_query"] });
  const sent = await (await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_id: 9, text: "press" }),
  })).json();
  fake.userSends(9, 9, "ignored: not an allowed update");
  const press = fake.userPresses(9, 9, sent.result.message_id, "go");
  const first = await waiting;
  assert.deepEqual(first.result.map((u: { update_id: number }) => u.update_id), [press.update_id]);
  const older = post({ offset: press.update_id + 1, timeout: 30 });
  await fake.pollWaiting();
  const newer = post({ offset: press.update_id + 1, timeout: 0 });
  assert.deepEqual(await older, {
    ok: false,
    error_code: 409,
    description:
      "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  });
  assert.deepEqual((await newer).result, []);
  assert.equal(fake.confirmedUpdateId, press.update_id);
  await fake.close();
});

Deno.test("getUpdates without an update answers [] when its timeout ends", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  assert.deepEqual(await bot.api.getUpdates({ offset: 0, timeout: 1 }), []);
  await fake.close();
});

Deno.test("fault count and method: only the named method fails, as many times as asked", async () => {
  const fake = startFakeTelegram();
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  fake.fail({ method: "editMessageText", status: 500, count: 2 });
  const msg = await bot.api.sendMessage(8008, "v1");
  for (let i = 0; i < 2; i++) {
    const e = await bot.api.editMessageText(8008, msg.message_id, "v2").catch((e) => e);
    assert.ok(e instanceof GrammyError && e.error_code === 500);
  }
  await bot.api.editMessageText(8008, msg.message_id, "v2");
  assert.equal(fake.message(8008, msg.message_id)?.text, "v2");
  await fake.close();
});
