// Telegram wire translation: which texts are commands for this bot, users, chat ids, keyboards.

import assert from "node:assert/strict";
import type { Message } from "grammy/types";
import {
  chatIdOf,
  commandList,
  commandOf,
  keyboardOf,
  TelegramError,
  userOf,
} from "../../src/bots/telegram_wire.ts";
import { CHAT_COMMANDS } from "../../src/bots/chat.ts";

/** A text message with a bot_command entity where Telegram puts one. */
function message(text: string, commandLength?: number): Message {
  const length = commandLength ?? /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text)?.[0].length;
  return {
    message_id: 1,
    date: 0,
    chat: { id: -5, type: "group", title: "g" },
    text,
    ...(length === undefined ? {} : {
      entities: [{ type: "bot_command", offset: 0, length }],
    }),
  } as Message;
}

Deno.test("commandOf: commands to this bot or to none, lower-cased, words split", () => {
  const rows: [string, { name: string; args: string[] } | undefined][] = [
    ["/status", { name: "status", args: [] }],
    ["/status@tidewatch_bot", { name: "status", args: [] }],
    ["/status@TideWatch_Bot", { name: "status", args: [] }],
    ["/status@other_bot", undefined],
    ["/PnL  ema_01\tweek\n", { name: "pnl", args: ["ema_01", "week"] }],
    ["/backtest@tidewatch_bot ema BTC/USDT 1h 30", {
      name: "backtest",
      args: ["ema", "BTC/USDT", "1h", "30"],
    }],
    ["hello /status", undefined],
    ["plain text", undefined],
  ];
  for (const [text, expected] of rows) {
    assert.deepEqual(commandOf(message(text), "tidewatch_bot"), expected, text);
  }
  const noEntity = { ...message("/status"), entities: undefined } as Message;
  assert.equal(commandOf(noEntity, "tidewatch_bot"), undefined, "no entity: not a command");
});

Deno.test("userOf: @username, else the first name; ids as text", () => {
  assert.deepEqual(userOf({ id: 42, is_bot: false, first_name: "Ann", username: "ann_t" }), {
    platform: "telegram",
    id: "42",
    name: "@ann_t",
  });
  assert.equal(userOf({ id: 43, is_bot: false, first_name: "Bo" }).name, "Bo");
});

Deno.test("chatIdOf: numbers and @channel names, nothing else", () => {
  assert.equal(chatIdOf("-1001234567890"), -1001234567890);
  assert.equal(chatIdOf("1001"), 1001);
  assert.equal(chatIdOf("@tidewatch_alerts"), "@tidewatch_alerts");
  for (const bad of ["", "12a", "@x", "my group", "1.5"]) assert.equal(chatIdOf(bad), undefined);
});

Deno.test("keyboardOf: rows of callback buttons with styles; data must be 1-64 bytes", () => {
  assert.equal(keyboardOf(undefined), undefined);
  assert.equal(keyboardOf([[], []]), undefined);
  assert.deepEqual(
    keyboardOf([[{ label: "Confirm", data: "c:1", style: "success" }], [{
      label: "Reject",
      data: "r:1",
    }]]),
    {
      inline_keyboard: [[{ text: "Confirm", callback_data: "c:1", style: "success" }], [{
        text: "Reject",
        callback_data: "r:1",
      }]],
    },
  );
  assert.ok(keyboardOf([[{ label: "é", data: "é".repeat(32) }]])); // 64 bytes
  for (const data of ["", "é".repeat(33)]) {
    assert.throws(
      () => keyboardOf([[{ label: "Bad", data }]]),
      (e: unknown) => e instanceof TelegramError && !e.retryable && /"Bad"/.test(e.message),
    );
  }
});

Deno.test("commandList: every chat command with a description Telegram accepts", () => {
  const list = commandList();
  assert.deepEqual(list.map((c) => c.command), CHAT_COMMANDS.map((c) => c.name));
  assert.ok(list.every((c) => /^[a-z0-9_]{1,32}$/.test(c.command)));
  assert.ok(list.every((c) => c.description.length >= 1 && c.description.length <= 256));
});
