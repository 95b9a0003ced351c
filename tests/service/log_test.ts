// The service console: the text formatter, the log sink switch, and feed notices told once.

import assert from "node:assert/strict";
import ccxt from "ccxt";
import type { FeedError } from "../../src/feed/ccxt_feed.ts";
import { FeedNotices } from "../../src/service/feed_notices.ts";
import { configureLog, formatJson, formatText, log, type LogEntry } from "../../src/service/log.ts";

const TS = Date.UTC(2026, 11, 7, 2, 13, 5);

Deno.test("formatText: time of day, warning/error tags, text or msg with key=value fields", () => {
  const e = (over: Partial<LogEntry>): LogEntry => ({
    ts: TS,
    level: "info",
    msg: "bot started",
    fields: {},
    ...over,
  });
  assert.equal(formatText(e({})), "02:13:05 bot started");
  assert.equal(
    formatText(e({ level: "warn", text: "okx unreachable; 5 bots wait for data" })),
    "02:13:05 warning: okx unreachable; 5 bots wait for data",
  );
  assert.equal(
    formatText(e({
      level: "error",
      fields: { bot_id: "a1", error: "boom it broke", bots: ["a", "b"], n: 3, skip: undefined },
    })),
    '02:13:05 error: bot started  bot_id=a1 error="boom it broke" bots=a,b n=3',
  );
  assert.equal(
    formatText(e({ fields: { replay: { speed: 60 }, empty: "" } })),
    '02:13:05 bot started  replay={"speed":60} empty=""',
  );
  assert.deepEqual(JSON.parse(formatJson(e({ fields: { a: 1 }, text: "ignored" }))), {
    ts: "2026-12-07T02:13:05.000Z",
    level: "info",
    msg: "bot started",
    a: 1,
  });
});

Deno.test("log: JSON lines or text lines; warn and error to the error stream", () => {
  const out: string[] = [];
  const err: string[] = [];
  const restore = configureLog({
    format: "json",
    sink: { out: (l) => out.push(l), err: (l) => err.push(l) },
    now: () => TS,
  });
  try {
    log("info", "hello", { a: 1 }, { text: "Hello" });
    log("warn", "careful");
    configureLog({ format: "text" });
    log("info", "hello", { a: 1 }, { text: "Hello" });
    log("error", "failed", { why: "x" });
  } finally {
    restore();
  }
  assert.deepEqual(out, [
    '{"ts":"2026-12-07T02:13:05.000Z","level":"info","msg":"hello","a":1}',
    "02:13:05 Hello",
  ]);
  assert.deepEqual(err, [
    '{"ts":"2026-12-07T02:13:05.000Z","level":"warn","msg":"careful"}',
    "02:13:05 error: failed  why=x",
  ]);
});

/** Notices written as text lines. */
function collect() {
  const lines: string[] = [];
  const notices = new FeedNotices({
    botsOn: (ex) => (ex === "okx" ? 5 : 1),
    log: (level, msg, fields, o) =>
      lines.push(formatText({ ts: TS, level, msg, fields: fields ?? {}, text: o?.text })),
  });
  return { lines, notices };
}

const down = (context: string): FeedError => ({
  context,
  message: "NetworkError: fetch failed",
  error: new ccxt.NetworkError("fetch failed"),
});

Deno.test("FeedNotices: unreachable once per exchange, reachable again once, other errors each", () => {
  const { lines, notices } = collect();
  for (let i = 0; i < 20; i++) {
    notices.error(down("okx BTC/USDT 1m back-fill"));
    notices.error(down("okx ETH/USDT 1h websocket"));
  }
  notices.error(down("binanceusdm BTC/USDT:USDT 1m websocket"));
  assert.deepEqual(lines, [
    "02:13:05 warning: okx unreachable; 5 bots wait for data (use --replay to run offline)",
    "02:13:05 warning: binanceusdm unreachable; 1 bot waits for data (use --replay to run offline)",
  ]);
  assert.deepEqual(notices.unreachable, ["okx", "binanceusdm"]);
  const health = (exchange: string, reachable: boolean) => ({
    exchange,
    reachable,
    series: 1,
    lastMessageAt: null,
    reconnects: 0,
  });
  notices.check([health("okx", false), health("binanceusdm", true)]);
  notices.check([health("okx", true), health("binanceusdm", true)]);
  notices.check([health("okx", true)]);
  assert.deepEqual(lines.slice(2), [
    "02:13:05 binanceusdm reachable again",
    "02:13:05 okx reachable again",
  ]);
  // Down again: told again, once.
  notices.error(down("okx BTC/USDT 1m back-fill"));
  notices.error(down("okx BTC/USDT 1m back-fill"));
  assert.equal(lines.length, 5);
  // An answer the feed could not use is not "unreachable": logged each time.
  const bad = { context: "okx BTC/USDT 1m listener", message: "bad row", error: new Error("x") };
  notices.error(bad);
  notices.error(bad);
  assert.deepEqual(lines.slice(5), [
    '02:13:05 warning: market feed  context="okx BTC/USDT 1m listener" error="bad row"',
    '02:13:05 warning: market feed  context="okx BTC/USDT 1m listener" error="bad row"',
  ]);
});
