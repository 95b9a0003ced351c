// The chat outbox: per-platform queues, retries with backoff, drops with one log line, overflow,
// edits that wait for their send. Timers are hand-moved: nothing here waits for real time.

import assert from "node:assert/strict";
import { Outbox, type OutboxOptions } from "../../src/bots/outbox.ts";
import { FakeTimers, recordingLog, TestChannel, within } from "./notify_support.ts";

const TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ra";

function setup(o: OutboxOptions = {}) {
  const telegram = new TestChannel("telegram", ["1", "2"]);
  const discord = new TestChannel("discord", ["d1"]);
  const timers = new FakeTimers(1_000_000);
  const rec = recordingLog();
  const outbox = new Outbox([telegram, discord], {
    timers,
    now: () => timers.now,
    log: rec.log,
    ...o,
  });
  return { telegram, discord, timers, outbox, lines: rec.lines };
}

Deno.test("outbox: broadcast reaches every chat of every platform, in order; idle then", async () => {
  const { telegram, discord, outbox, lines } = setup();
  const refs: string[] = [];
  outbox.broadcast({ text: "one" }, (r) => refs.push(`${r.platform}/${r.chatId}/${r.messageId}`));
  outbox.broadcast({ text: "two" });
  await within(outbox.idle(), "idle");
  assert.deepEqual(telegram.sent.all.map((s) => [s.chatId, s.m.text]), [
    ["1", "one"],
    ["2", "one"],
    ["1", "two"],
    ["2", "two"],
  ]);
  assert.deepEqual(discord.texts(), ["one", "two"]);
  assert.deepEqual(refs.sort(), ["discord/d1/100", "telegram/1/100", "telegram/2/101"]);
  assert.deepEqual(lines, []);
  await outbox.close();
});

Deno.test("outbox: a hanging platform never delays the other one", async () => {
  const { telegram, discord, outbox, lines } = setup();
  telegram.hang = true;
  outbox.broadcast({ text: "fill 1" });
  outbox.broadcast({ text: "fill 2" });
  assert.equal((await discord.sent.next("discord fill 1")).m.text, "fill 1");
  assert.equal((await discord.sent.next("discord fill 2")).m.text, "fill 2");
  // Telegram: one call in flight, the rest waiting behind it (sequential within a platform).
  assert.equal(telegram.calls.all.length, 1);
  assert.deepEqual(outbox.pending(), { telegram: 4, discord: 0 });
  telegram.release();
  await within(outbox.idle(), "idle");
  assert.deepEqual(telegram.texts(), ["fill 1", "fill 1", "fill 2", "fill 2"]);
  assert.deepEqual(lines, []);
  await outbox.close();
});

Deno.test("outbox: a failed send is retried with exponential backoff, then succeeds", async () => {
  const { telegram, discord, timers, outbox, lines } = setup();
  telegram.failNext = 2;
  outbox.send("telegram", "1", { text: "hello" });
  outbox.send("discord", "d1", { text: "meanwhile" });
  assert.equal((await discord.sent.next("discord")).m.text, "meanwhile");
  assert.equal(await timers.waitForSet((ms) => ms === 1000, "first retry wait"), 1000);
  timers.advance(1000);
  assert.equal(await timers.waitForSet((ms) => ms === 2000, "second retry wait"), 2000);
  timers.advance(2000);
  assert.equal((await telegram.sent.next("telegram")).m.text, "hello");
  await within(outbox.idle(), "idle");
  assert.equal(telegram.calls.all.length, 3);
  assert.deepEqual(lines, []);
  await outbox.close();
});

Deno.test("outbox: retry waits take jitter from the injected source (half to all the delay)", async () => {
  const { telegram, timers, outbox } = setup({ random: () => 0.5 });
  telegram.failNext = 1;
  outbox.send("telegram", "1", { text: "hi" });
  assert.equal(await timers.waitForSet((ms) => ms < 30_000, "retry wait"), 750);
  timers.advance(750);
  await telegram.sent.next("retried send");
  await outbox.close();
});

Deno.test("outbox: dropped after maxAttempts with one log line, without the token", async () => {
  const { telegram, timers, outbox, lines } = setup({ maxAttempts: 3 });
  telegram.failNext = 99;
  telegram.error = `request to https://api.telegram.org/bot${TOKEN}/sendMessage failed`;
  const long = "ema_01 BUY 0.0123 BTC/USDT @ 43,210.5 (entry) " + "x".repeat(200);
  outbox.send("telegram", "1", { text: long });
  outbox.send("telegram", "2", { text: "second" });
  await timers.waitForSet((ms) => ms === 1000, "retry 1");
  timers.advance(1000);
  await timers.waitForSet((ms) => ms === 2000, "retry 2");
  timers.advance(2000);
  // Third failure: dropped; the next message is tried at once (and fails in turn).
  await telegram.calls.next("call 1");
  await telegram.calls.next("call 2");
  await telegram.calls.next("call 3");
  assert.deepEqual((await telegram.calls.next("second message")).chatId, "2");
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line.msg, "chat message dropped");
  assert.equal(line.fields.platform, "telegram");
  assert.equal(line.fields.chat, "1");
  assert.equal(line.fields.kind, "send");
  assert.match(
    String(line.fields.reason),
    /^gave up after 3 tries: request to .*bot<token>\/sendMessage/,
  );
  assert.ok(String(line.fields.message).length <= 60);
  assert.ok(String(line.fields.message).startsWith("ema_01 BUY 0.0123 BTC/USDT"));
  assert.ok(!JSON.stringify(lines).includes(TOKEN));
  assert.ok(!JSON.stringify(lines).includes("x".repeat(40)));
  await outbox.close();
});

Deno.test("outbox: a message older than maxAgeMs is dropped instead of retried", async () => {
  const { telegram, timers, outbox, lines } = setup({ maxAgeMs: 5000, baseDelayMs: 4000 });
  telegram.failNext = 99;
  outbox.send("telegram", "1", { text: "late" });
  await timers.waitForSet((ms) => ms === 4000, "first wait");
  timers.advance(4000);
  // The second wait (8 s) would pass the 5 s bound: dropped now, with one line.
  await telegram.calls.next("call 1");
  await telegram.calls.next("call 2");
  await within(outbox.idle(), "idle");
  assert.equal(lines.length, 1);
  assert.match(String(lines[0].fields.reason), /^not sent within 5 s: 502 Bad Gateway/);
  await outbox.close();
});

Deno.test("outbox: a try with no answer times out and is retried", async () => {
  const { telegram, timers, outbox, lines } = setup({ attemptTimeoutMs: 10_000 });
  telegram.hang = true;
  outbox.send("telegram", "1", { text: "slow" });
  await timers.waitForSet((ms) => ms === 10_000, "try timeout");
  telegram.hang = false;
  timers.advance(10_000);
  await timers.waitForSet((ms) => ms === 1000, "retry wait");
  timers.advance(1000);
  assert.equal((await telegram.sent.next("retried")).m.text, "slow");
  await within(outbox.idle(), "idle");
  assert.deepEqual(lines, []);
  await outbox.close();
});

Deno.test("outbox: a full queue drops its oldest waiting message with a log line", async () => {
  const { telegram, outbox, lines } = setup({ maxQueue: 3 });
  telegram.hang = true;
  for (let i = 1; i <= 5; i++) outbox.send("telegram", "1", { text: `m${i}` });
  // m1 in flight; m2, m3, m4 waiting; m5 pushed m2 out.
  assert.equal(lines.length, 1);
  assert.equal(lines[0].fields.message, "m2");
  assert.match(String(lines[0].fields.reason), /^queue full \(3 waiting\)/);
  telegram.release();
  await within(outbox.idle(), "idle");
  assert.deepEqual(telegram.texts(), ["m1", "m3", "m4", "m5"]);
  await outbox.close();
});

Deno.test("outbox: edits wait for their send; a send still queued takes the new face", async () => {
  const { telegram, outbox, lines } = setup();
  telegram.hang = true;
  const [first] = outbox.broadcast({ text: "confirm?" }).filter((o) => o.chatId === "1");
  const queued = outbox.send("telegram", "1", { text: "pending 2" });
  outbox.edit(first, { text: "confirmed by @ana" }); // first is in flight: an edit queues
  outbox.edit(queued, { text: "pending 2: expired" }); // not started: the send takes it
  telegram.release();
  await within(outbox.idle(), "idle");
  assert.deepEqual(telegram.texts(), ["confirm?", "confirm?", "pending 2: expired"]);
  assert.deepEqual(telegram.edits.all.map((e) => [e.ref.chatId, e.ref.messageId, e.m.text]), [
    ["1", first.ref!.messageId, "confirmed by @ana"],
  ]);
  // With a ref from onSent, a newer edit replaces a queued older one.
  telegram.hang = true;
  outbox.send("telegram", "2", { text: "blocker" });
  outbox.edit(first.ref!, { text: "v2" });
  outbox.edit(first.ref!, { text: "v3" });
  telegram.release();
  await within(outbox.idle(), "idle");
  assert.deepEqual(telegram.edits.all.map((e) => e.m.text), ["confirmed by @ana", "v3"]);
  assert.deepEqual(lines, []);
  await outbox.close();
});

Deno.test("outbox: the edit of a message dropped unsent is dropped too", async () => {
  const { telegram, timers, outbox, lines } = setup({ maxAttempts: 1 });
  telegram.hang = true;
  const m = outbox.send("telegram", "1", { text: "doomed" });
  outbox.edit(m, { text: "doomed, edited" });
  await timers.waitForSet((ms) => ms === 30_000, "try timeout");
  timers.advance(30_000);
  await within(outbox.idle(), "idle");
  assert.equal(m.state, "dropped");
  assert.deepEqual(lines.map((l) => [l.fields.kind, l.fields.reason]), [
    ["send", "gave up after 1 try: no answer within 30 s"],
    ["edit", "the message it edits was never sent"],
  ]);
  assert.deepEqual(telegram.edits.all, []);
  await outbox.close();
});

Deno.test("outbox: close stops the timers and tells how many messages were not sent", async () => {
  const { telegram, timers, outbox, lines } = setup();
  telegram.failNext = 99;
  outbox.send("telegram", "1", { text: "a" });
  outbox.send("telegram", "2", { text: "b" });
  await timers.waitForSet((ms) => ms === 1000, "retry wait");
  await outbox.close();
  assert.deepEqual(timers.pending(), []);
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0].fields, { dropped: 2 });
  outbox.broadcast({ text: "after close" });
  await within(outbox.idle(), "idle after close");
  assert.equal(telegram.sent.all.length, 0);
});

Deno.test("outbox: a refusal that will not change (not retryable, or a 4xx) is dropped at once", async () => {
  for (const fields of [{ retryable: false }, { status: 403 }]) {
    const { telegram, outbox, lines } = setup();
    telegram.failNext = 1;
    telegram.error = "Forbidden: bot was blocked by the user";
    telegram.errorFields = fields;
    outbox.send("telegram", "1", { text: "one" });
    outbox.send("telegram", "2", { text: "two" });
    await within(outbox.idle(), "idle");
    assert.deepEqual(telegram.sent.all.map((s) => s.chatId), ["2"], "no retry of the refused one");
    assert.equal(lines.length, 1);
    assert.match(String(lines[0].fields.reason), /^refused: Forbidden/);
    await outbox.close();
  }
});

Deno.test("outbox: a 429's retry_after lengthens the wait", async () => {
  const { telegram, timers, outbox } = setup();
  telegram.failNext = 1;
  telegram.error = "Too Many Requests: retry after 7";
  telegram.errorFields = { retryAfterMs: 7000, status: 429 };
  outbox.send("telegram", "1", { text: "one" });
  await timers.waitForSet((ms) => ms === 7000, "the 7 s wait");
  timers.advance(7000);
  await within(outbox.idle(), "idle");
  assert.deepEqual(telegram.texts(), ["one"]);
  await outbox.close();
});
