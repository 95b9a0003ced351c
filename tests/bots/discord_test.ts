// Tests for the Discord adapter: real discord.js against the loopback fake, with a small handler.

import assert from "node:assert/strict";
import {
  DISCORD_FAILED_TEXT,
  DISCORD_MAX_CONTENT,
  DiscordChat,
  type DiscordChatOptions,
  splitContent,
} from "../../src/bots/discord.ts";
import {
  CHAT_COMMANDS,
  type ChatHandler,
  type ChatMessage,
  type ChatPlace,
  type ChatUser,
  type PressAnswer,
  type SentRef,
} from "../../src/bots/chat.ts";
import { type FakeDiscord, type Json, startFakeDiscord } from "../fakes/fake_discord.ts";
import { Waitable } from "../fakes/fake_discord_state.ts";

const TOKEN = "secret-bot-token-do-not-print";
const TRADER = { id: "300000000000000001", username: "trader", roles: ["400000000000000007"] };
/** The smallest PNG header is enough: the adapter only carries bytes. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

type Call =
  | { kind: "run"; user: ChatUser; name: string; args: readonly string[]; where: ChatPlace }
  | { kind: "press"; user: ChatUser; data: string; where: SentRef };

/** A handler answering from tables the test fills; every call is recorded. */
class TestHandler implements ChatHandler {
  readonly calls = new Waitable<Call>();
  answers = new Map<string, () => Promise<ChatMessage> | ChatMessage>();
  presses = new Map<string, () => Promise<PressAnswer> | PressAnswer>();

  async run(
    user: ChatUser,
    name: string,
    args: readonly string[],
    where: ChatPlace,
  ): Promise<ChatMessage> {
    this.calls.push({ kind: "run", user, name, args, where });
    const answer = this.answers.get(name);
    return answer ? await answer() : { text: `${name} ${args.join("|")}` };
  }

  async press(user: ChatUser, data: string, where: SentRef): Promise<PressAnswer> {
    this.calls.push({ kind: "press", user, data, where });
    const answer = this.presses.get(data);
    if (!answer) throw new Error(`No answer for "${data}"`);
    return await answer();
  }

  async nextRun(): Promise<Extract<Call, { kind: "run" }>> {
    const call = await this.calls.next();
    assert.equal(call.kind, "run");
    return call as Extract<Call, { kind: "run" }>;
  }
}

interface Ctx {
  fake: FakeDiscord;
  chat: DiscordChat;
  handler: TestHandler;
  logs: { level: string; msg: string; fields: Record<string, unknown> }[];
}

/** A started DiscordChat on a fresh fake; stopped and the fake closed afterwards. */
async function withChat(
  fn: (ctx: Ctx) => void | Promise<void>,
  options: Partial<DiscordChatOptions> = {},
): Promise<void> {
  const fake = await startFakeDiscord({ token: TOKEN });
  const handler = new TestHandler();
  const logs: Ctx["logs"] = [];
  const chat = new DiscordChat({
    token: fake.token,
    guildId: fake.guildId,
    channels: [fake.channelId],
    handler,
    restRoot: fake.rest,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    ...options,
  });
  try {
    await chat.start();
    await fn({ fake, chat, handler, logs });
  } finally {
    await chat.stop();
    await fake.close();
    assert.ok(!JSON.stringify(logs).includes(TOKEN), "the token never reaches the log");
  }
}

type Row = { type: number; components: { custom_id: string; label: string; style: number }[] };

Deno.test("start registers every chat command for the guild, options typed, required first", async () => {
  await withChat(({ fake }) => {
    const stored = fake.state.commands.get(fake.guildId)!;
    assert.deepEqual(stored.map((c) => c.name), CHAT_COMMANDS.map((c) => c.name));
    const options = (name: string) =>
      stored.find((c) => c.name === name)!.options as {
        type: number;
        name: string;
        required: boolean;
        choices?: { name: string; value: string }[];
      }[];
    assert.deepEqual(options("status"), []);
    assert.deepEqual(options("bot").map((o) => [o.name, o.type, o.required]), [["bot", 3, true]]);
    const pnl = options("pnl");
    assert.deepEqual(pnl.map((o) => [o.name, o.type, o.required]), [
      ["bot", 3, false],
      ["period", 3, false],
    ]);
    assert.deepEqual(pnl[1].choices!.map((c) => c.value), ["day", "week", "month", "all"]);
    assert.deepEqual(options("trades").map((o) => [o.name, o.type]), [["bot", 3], ["n", 4]]);
    assert.deepEqual(options("backtest").map((o) => [o.name, o.required]), [
      ["strategy", true],
      ["symbol", true],
      ["timeframe", true],
      ["days", false],
    ]);
    const put = fake.state.requests.find((r) => r.method === "PUT");
    assert.equal(put?.path, `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`);
  });
});

Deno.test("a slash command is deferred, run with its words and roles, and answered with buttons", async () => {
  await withChat(async ({ fake, handler }) => {
    handler.answers.set("pnl", () => ({
      text: "alpha: +12.5 USDT this week",
      buttons: [[
        { label: "Day", data: "pnl:day", style: "primary" },
        { label: "Stop", data: "stop:alpha", style: "danger" },
        { label: "More", data: "more" },
      ]],
    }));
    fake.interaction({ kind: "command", name: "pnl", options: { period: "week" }, user: TRADER });
    const call = await handler.nextRun();
    assert.equal(call.name, "pnl");
    assert.deepEqual(call.args, ["", "week"], "a missing middle option is an empty word");
    assert.deepEqual(call.user, {
      platform: "discord",
      id: TRADER.id,
      name: "trader",
      roles: TRADER.roles,
    });
    assert.deepEqual(call.where, { platform: "discord", chatId: fake.channelId });
    const deferred = await fake.nextCallback();
    assert.equal(deferred.kind, "callback");
    assert.equal(deferred.type, 5);
    const edit = await fake.nextCallback();
    assert.equal(edit.kind, "editOriginal");
    assert.equal(edit.message?.content, "alpha: +12.5 USDT this week");
    const rows = edit.message?.components as Row[];
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].components.map((b) => [b.custom_id, b.label, b.style]), [
      ["pnl:day", "Day", 1],
      ["stop:alpha", "Stop", 4],
      ["more", "More", 2],
    ]);

    fake.interaction({ kind: "command", name: "trades", options: { bot: "alpha" }, user: TRADER });
    assert.deepEqual((await handler.nextRun()).args, ["alpha"], "absent options at the end go");
    fake.interaction({ kind: "command", name: "trades", options: { n: 5 }, user: TRADER });
    assert.deepEqual((await handler.nextRun()).args, ["", "5"], "integers become words");
    fake.interaction({ kind: "command", name: "status", user: { id: "300000000000000002" } });
    const plain = await handler.nextRun();
    assert.deepEqual(plain.args, []);
    assert.deepEqual(plain.user.roles, []);
  });
});

Deno.test("a long answer with a picture: parts of ≤2000 characters, picture and buttons on the last", async () => {
  await withChat(async ({ fake, handler }) => {
    const lines = Array.from({ length: 120 }, (_, i) => `line ${i}: ${"x".repeat(30)}`);
    const text = lines.join("\n");
    handler.answers.set("backtest", () => ({
      text,
      buttons: [[{ label: "Again", data: "again", style: "success" }]],
      image: { png: PNG, name: "equity-ema.png" },
    }));
    fake.interaction({
      kind: "command",
      name: "backtest",
      options: { strategy: "ema", symbol: "BTC/USDT", timeframe: "1h", days: 7 },
      user: TRADER,
    });
    assert.deepEqual((await handler.nextRun()).args, ["ema", "BTC/USDT", "1h", "7"]);
    assert.equal((await fake.nextCallback()).type, 5);
    // About 4,700 characters: three parts.
    const parts = [await fake.nextCallback(), await fake.nextCallback(), await fake.nextCallback()];
    assert.deepEqual(parts.map((p) => p.kind), ["editOriginal", "followUp", "followUp"]);
    const contents = parts.map((p) => p.message!.content as string);
    assert.ok(contents.every((c) => c.length <= DISCORD_MAX_CONTENT));
    assert.equal(contents.join("\n"), text, "cut at line breaks, nothing lost");
    assert.deepEqual(parts.slice(0, 2).map((p) => p.message!.components), [[], []]);
    const last = parts[2].message!;
    assert.equal((last.components as Row[])[0].components[0].custom_id, "again");
    const attachments = last.attachments as Json[];
    assert.equal(attachments.length, 1);
    assert.equal(attachments[0].filename, "equity-ema.png");
    assert.equal(attachments[0].size, PNG.byteLength);
    const upload = fake.state.requests.find((r) => r.files.length > 0)!;
    assert.equal(upload.files[0].contentType, "image/png");
    assert.deepEqual(upload.files[0].bytes, PNG);
  });
});

Deno.test("a pressed button calls press; its edit updates the message and the notice is ephemeral", async () => {
  await withChat(async ({ fake, chat, handler }) => {
    const ref = await chat.send(fake.channelId, {
      text: "alpha wants to buy 0.01 BTC/USDT",
      buttons: [[
        { label: "Confirm", data: "confirm:42", style: "success" },
        { label: "Reject", data: "reject:42", style: "danger" },
      ]],
    });
    await fake.nextMessage();
    handler.presses.set("confirm:42", () => ({
      notice: "Confirmed: the order is sent",
      edit: { text: "Confirmed by trader on Discord" },
    }));
    fake.interaction({
      kind: "button",
      customId: "confirm:42",
      messageId: ref.messageId,
      user: TRADER,
    });
    const call = await handler.calls.next();
    assert.equal(call.kind, "press");
    if (call.kind !== "press") return;
    assert.equal(call.data, "confirm:42");
    assert.deepEqual(call.where, ref);
    assert.deepEqual(call.user.roles, TRADER.roles);
    const update = await fake.nextCallback();
    assert.equal(update.type, 7);
    const message = fake.state.messages.get(ref.messageId)!;
    assert.equal(message.content, "Confirmed by trader on Discord");
    assert.deepEqual(message.components, [], "an edit without buttons removes them");
    const notice = await fake.nextCallback();
    assert.equal(notice.kind, "followUp");
    assert.equal(notice.data.content, "Confirmed: the order is sent");
    assert.equal((notice.data.flags as number) & 64, 64, "ephemeral");

    handler.presses.set("reject:42", () => ({ notice: "Already decided by trader" }));
    fake.interaction({
      kind: "button",
      customId: "reject:42",
      messageId: ref.messageId,
      user: TRADER,
    });
    await handler.calls.next();
    const reply = await fake.nextCallback();
    assert.equal(reply.type, 4);
    assert.equal(reply.data.content, "Already decided by trader");
    assert.equal((reply.data.flags as number) & 64, 64);
    assert.equal(fake.state.messages.get(ref.messageId)!.content, "Confirmed by trader on Discord");
  });
});

Deno.test("a slow press is acknowledged with a deferred update, then edited and noticed", async () => {
  await withChat(async ({ fake, chat, handler }) => {
    const ref = await chat.send(fake.channelId, {
      text: "Confirm?",
      buttons: [[{ label: "Confirm", data: "confirm:7" }]],
    });
    await fake.nextMessage();
    const gate = Promise.withResolvers<void>();
    handler.presses.set("confirm:7", async () => {
      await gate.promise;
      return { notice: "Sent", edit: { text: "Confirmed" } };
    });
    fake.interaction({
      kind: "button",
      customId: "confirm:7",
      messageId: ref.messageId,
      user: TRADER,
    });
    const deferred = await fake.nextCallback();
    assert.equal(deferred.type, 6, "deferred update before the handler answered");
    gate.resolve();
    const edit = await fake.nextCallback();
    assert.equal(edit.kind, "editOriginal");
    assert.equal(fake.state.messages.get(ref.messageId)!.content, "Confirmed");
    const notice = await fake.nextCallback();
    assert.equal(notice.kind, "followUp");
    assert.equal((notice.data.flags as number) & 64, 64);
  }, { pressAckMs: 0 });
});

Deno.test("a handler that throws gets a short generic answer, is logged, and the client goes on", async () => {
  await withChat(async ({ fake, chat, handler, logs }) => {
    handler.answers.set("status", () => {
      throw new Error("database is locked");
    });
    fake.interaction({ kind: "command", name: "status", user: TRADER });
    assert.equal((await fake.nextCallback()).type, 5);
    const edit = await fake.nextCallback();
    assert.equal(edit.message?.content, DISCORD_FAILED_TEXT);
    const logged = logs.find((l) => l.msg === "Chat command failed");
    assert.equal(logged?.level, "error");
    assert.match(String(logged?.fields.error), /database is locked/);
    assert.equal(logged?.fields.command, "status");

    const ref = await chat.send(fake.channelId, {
      text: "x",
      buttons: [[{ label: "?", data: "nope" }]],
    });
    await fake.nextMessage();
    fake.interaction({ kind: "button", customId: "nope", messageId: ref.messageId, user: TRADER });
    const reply = await fake.nextCallback();
    assert.equal(reply.type, 4);
    assert.equal(reply.data.content, DISCORD_FAILED_TEXT);
    assert.equal((reply.data.flags as number) & 64, 64);

    handler.answers.delete("status");
    fake.interaction({ kind: "command", name: "status", user: TRADER });
    await fake.nextCallback();
    assert.equal((await fake.nextCallback()).message?.content, "status ");
  });
});

Deno.test("send and edit go to a channel through REST, with buttons and a picture", async () => {
  await withChat(async ({ fake, chat }) => {
    const ref = await chat.send(fake.channelId, {
      text: "Daily summary",
      image: { png: PNG, name: "daily.png" },
      buttons: [[{ label: "Details", data: "daily" }]],
    });
    assert.equal(ref.platform, "discord");
    assert.equal(ref.chatId, fake.channelId);
    const created = await fake.nextMessage();
    assert.equal(created.kind, "create");
    assert.equal(created.message.id, ref.messageId);
    assert.equal(created.message.content, "Daily summary");
    assert.equal((created.message.attachments as Json[])[0].filename, "daily.png");
    assert.equal((created.message.components as Row[])[0].components[0].custom_id, "daily");
    const post = fake.state.requests.find((r) =>
      r.method === "POST" && r.path.endsWith("/messages")
    );
    assert.deepEqual((post?.body as Json).allowed_mentions, { parse: [] }, "nobody is pinged");

    await chat.edit(ref, { text: "Daily summary (corrected)" });
    const edited = await fake.nextMessage();
    assert.equal(edited.kind, "edit");
    assert.equal(edited.message.content, "Daily summary (corrected)");
    assert.deepEqual(edited.message.components, []);
    assert.equal((edited.message.attachments as Json[]).length, 1, "the picture stays");

    const long = "y".repeat(DISCORD_MAX_CONTENT + 10);
    const last = await chat.send(fake.channelId, {
      text: long,
      buttons: [[{ label: "Ok", data: "ok" }]],
    });
    const first = await fake.nextMessage();
    const second = await fake.nextMessage();
    assert.equal((first.message.content as string).length, DISCORD_MAX_CONTENT);
    assert.deepEqual(first.message.components, []);
    assert.equal(second.message.id, last.messageId, "the ref is the part with the buttons");
    assert.equal(second.message.content, "y".repeat(10));

    await chat.send(fake.channelId, { text: "" });
    assert.equal((await fake.nextMessage()).message.content, "(no text)", "never an empty message");
  });
});

Deno.test("a REST fault makes send throw (bounded retries) and the client keeps answering", async () => {
  await withChat(async ({ fake, chat, handler }) => {
    fake.fault({ status: 502, method: "POST", path: /\/channels\/\d+\/messages$/, times: 100 });
    const error = await chat.send(fake.channelId, { text: "fill" }).then(
      () => assert.fail("send should fail"),
      (e: Error) => e,
    );
    assert.equal(error.message, `Discord send to channel "${fake.channelId}" failed: Bad Gateway`);
    assert.ok(!error.message.includes(TOKEN));
    const posts = fake.state.requests.filter((r) => r.method === "POST" && r.status === 502);
    assert.equal(posts.length, 3, "one try and two retries");
    fake.state.faults = [];

    fake.interaction({ kind: "command", name: "status", user: TRADER });
    await handler.nextRun();
    await fake.nextCallback();
    assert.equal((await fake.nextCallback()).message?.content, "status ");
    await chat.send(fake.channelId, { text: "fill" });
    assert.equal((await fake.nextMessage()).message.content, "fill");
  });
});

Deno.test("a long rate limit makes send throw at once instead of waiting it out", async () => {
  await withChat(async ({ fake, chat }) => {
    fake.fault({
      status: 429,
      method: "POST",
      path: /\/channels\/\d+\/messages$/,
      retryAfterS: 600,
    });
    await assert.rejects(
      chat.send(fake.channelId, { text: "fill" }),
      /Discord send to channel "\d+" failed: rate limited for 600 s/,
    );
  });
});

Deno.test("after a gateway drop the session resumes and commands are still answered", async () => {
  await withChat(async ({ fake, handler }) => {
    await fake.nextIdentify();
    const resume = await fake.dropGateway();
    assert.equal(typeof resume.session_id, "string");
    fake.interaction({ kind: "command", name: "bots", user: TRADER });
    assert.equal((await handler.nextRun()).name, "bots");
    assert.equal((await fake.nextCallback()).type, 5);
    assert.equal((await fake.nextCallback()).message?.content, "bots ");
    assert.deepEqual(fake.gatewayServer.connections, ["/gateway", "/gateway-resume"]);
  });
});

Deno.test("stop closes the gateway; send before start or after stop is refused", async () => {
  const fake = await startFakeDiscord({ token: TOKEN });
  try {
    const chat = new DiscordChat({
      token: fake.token,
      guildId: fake.guildId,
      channels: [fake.channelId],
      handler: new TestHandler(),
      restRoot: fake.rest,
    });
    assert.equal(chat.platform, "discord");
    assert.deepEqual(chat.chats, [fake.channelId]);
    await assert.rejects(chat.send(fake.channelId, { text: "x" }), /not started/);
    await chat.start();
    assert.equal(fake.gatewayServer.openSockets, 1);
    await chat.stop();
    await fake.gatewayServer.allClosed();
    assert.equal(fake.gatewayServer.openSockets, 0);
    await assert.rejects(chat.send(fake.channelId, { text: "x" }), /stopped/);
    await chat.stop();
  } finally {
    await fake.close();
  }
});

Deno.test("a refused token fails start with an error that does not contain it", async () => {
  const fake = await startFakeDiscord({ token: TOKEN });
  try {
    const wrong = "wrong-token-also-secret";
    const chat = new DiscordChat({
      token: wrong,
      guildId: fake.guildId,
      channels: [],
      handler: new TestHandler(),
      restRoot: fake.rest,
    });
    const error = await chat.start().then(() => assert.fail("start should fail"), (e: Error) => e);
    assert.match(error.message, /Discord chat could not start/);
    assert.ok(!error.message.includes(wrong));
  } finally {
    await fake.close();
  }
});

Deno.test("splitContent cuts at line breaks and never inside a surrogate pair", () => {
  assert.deepEqual(splitContent(""), [""]);
  assert.deepEqual(splitContent("ab\ncd", 3), ["ab", "cd"]);
  assert.deepEqual(splitContent("abcdef", 4), ["abcd", "ef"]);
  assert.deepEqual(splitContent("abc😀d", 4), ["abc", "😀d"]);
});
