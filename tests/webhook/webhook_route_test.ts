// The TradingView webhook through the real app: secrets, answers, de-duplication, bounds,
// exposure off loopback, and no secret in any answer, log line, journal or table.

import assert from "node:assert/strict";
import { assemble, type Assembled } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Exposure } from "../../src/http/exposure.ts";
import type { LimitOptions } from "../../src/http/limits.ts";
import {
  TRADINGVIEW_ADDRESSES,
  WEBHOOK_OPEN_PATHS,
  type WebhookOptions,
  webhookOptionsFromEnv,
} from "../../src/http/webhook.ts";
import type { AlertRecord } from "../../src/store/alert_journal.ts";
import { configureLog } from "../../src/service/log.ts";
import { Db } from "../../src/store/db.ts";
import { WebhookSecret } from "../../src/service/webhook_secret.ts";
import { alertBot, alphaAndBeta } from "../service/service_support.ts";
import { REPLAY_START, tempDir } from "../support.ts";

const TOKEN = "webhook-test-token-0123456789abcdef";
const SECRET = "tv-secret-Zq81xK2m";
const URL_SECRET = "url-secret-Pp0971vA";

interface Opts {
  webhook?: WebhookOptions;
  limits?: LimitOptions;
  exposure?: Exposure;
}

/** A service with two paper bots and the webhook, on a temp database; logs are captured. */
async function service(dir: string, o: Opts = {}) {
  const logs: string[] = [];
  const origError = console.error, origLog = console.log;
  console.error = (...a: unknown[]) => logs.push(a.map(String).join(" "));
  console.log = (...a: unknown[]) => logs.push(a.map(String).join(" "));
  const restoreLog = configureLog({
    sink: { out: (l) => logs.push(l), err: (l) => logs.push(l) },
  });
  const db = await Db.open(`${dir}/w.duckdb`);
  const tw: Assembled = await assemble({
    db,
    entries: await alphaAndBeta(),
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 60, startTs: REPLAY_START },
    webhook: o.webhook ?? webhookOptionsFromEnv({ TIDEWATCH_WEBHOOK_SECRET: SECRET }),
    limits: o.limits,
    exposure: o.exposure,
  });
  const answers: string[] = [];
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await tw.app.request(path, { method: "POST", body, headers });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, json: JSON.parse(text), headers: res.headers };
  };
  return {
    tw,
    db,
    logs,
    answers,
    post,
    journal: `${dir}/w.duckdb.alerts.jsonl`,
    async journaled(): Promise<AlertRecord[]> {
      const text = await Deno.readTextFile(`${dir}/w.duckdb.alerts.jsonl`).catch(() => "");
      return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    },
    async [Symbol.asyncDispose]() {
      await tw.close();
      await db.close();
      console.error = origError;
      console.log = origLog;
      restoreLog();
    },
  };
}

const msg = (o: Record<string, unknown>) => JSON.stringify(o);
/** A valid alert for alpha (BTC/USDT on OKX) with the secret, and `extra` fields. */
const alphaAlert = (extra: Record<string, unknown> = {}) =>
  msg({ passphrase: SECRET, action: "buy", symbol: "OKX:BTCUSDT", ...extra });

Deno.test("webhook: no secret configured refuses every alert, never open", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path, { webhook: webhookOptionsFromEnv({}) });
  const r = await s.post("/webhooks/tradingview/alpha", msg({ passphrase: "x", action: "buy" }));
  assert.equal(r.status, 503);
  assert.match(r.json.error, /TIDEWATCH_WEBHOOK_SECRET/);
  assert.equal((await s.journaled()).length, 0);
});

Deno.test("webhook: a missing or wrong secret journals nothing", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path);
  const none = await s.post("/webhooks/tradingview/alpha", msg({ action: "buy" }));
  assert.equal(none.status, 401);
  assert.match(none.json.error, /passphrase/);
  const wrong = await s.post("/webhooks/tradingview/alpha", msg({ passphrase: "nope" }));
  assert.equal(wrong.status, 403);
  const wrongPath = await s.post("/webhooks/tradingview/alpha/nope", "buy BTCUSDT");
  assert.equal(wrongPath.status, 403);
  const text = await s.post("/webhooks/tradingview/alpha", "buy BTCUSDT");
  assert.equal(text.status, 401);
  assert.equal((await s.journaled()).length, 0);
  assert.equal((await s.tw.commands.alerts({})).total, 0);
});

Deno.test("webhook: retries and repeated ids make one received alert and N duplicates", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path);
  const seen: number[] = [];
  s.tw.alerts.onAlert((a) => void seen.push(a.seq));
  const events: string[] = [];
  s.tw.bus.subscribe((e) => e.type.startsWith("alert.") && events.push(e.type));
  const body = msg({ passphrase: SECRET, bot: "alpha", action: "buy", symbol: "OKX:BTCUSDT" });
  const first = await s.post("/webhooks/tradingview", body);
  assert.equal(first.status, 200);
  assert.deepEqual(first.json, { ok: true, seq: 1, duplicate: false });
  for (let i = 0; i < 3; i++) {
    const again = await s.post("/webhooks/tradingview", body); // TradingView retrying
    assert.equal(again.status, 200);
    assert.equal(again.json.duplicate, true);
  }
  // Same alert id, different bodies (a new {{timenow}}): one alert.
  const ids = await Promise.all(
    [1, 2, 3].map((i) =>
      s.post(
        "/webhooks/tradingview/beta",
        msg({ passphrase: SECRET, alert_id: "a-7", t: i, action: "buy", symbol: "ETHUSDT" }),
      )
    ),
  );
  assert.deepEqual(ids.map((r) => r.json.duplicate).sort(), [false, true, true]);
  // Plain text with the secret in the path.
  const text = await s.post(
    `/webhooks/tradingview/beta/${URL_SECRET.slice(0, 0)}${SECRET}`,
    "buy ETHUSDT",
  );
  assert.equal(text.status, 200);
  const all = await s.tw.commands.alerts({});
  assert.equal(all.total, 8);
  // Not duplicates: received, then routed to their bot (the states after "received").
  const received = { alerts: all.alerts.filter((a) => a.state !== "duplicate") };
  assert.deepEqual(received.alerts.map((a) => a.seq), [
    8,
    ...ids.filter((r) => !r.json.duplicate).map((r) => r.json.seq),
    1,
  ]);
  const dups = await s.tw.commands.alerts({ state: "duplicate", bot: "alpha" });
  assert.equal(dups.total, 3);
  assert.ok(dups.alerts.every((a) => a.duplicate_of === 1));
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    received.alerts.map((a) => a.seq).sort((a, b) => a - b),
  );
  assert.equal(events.filter((t) => t === "alert.received").length, 3);
  assert.equal(events.filter((t) => t === "alert.duplicate").length, 5);
  // The stored body has no passphrase; unknown fields are kept.
  const stored = received.alerts.find((a) => a.seq === 1)!;
  assert.deepEqual(JSON.parse(stored.body), { bot: "alpha", action: "buy", symbol: "OKX:BTCUSDT" });
  // Through HTTP, paged, with the token off loopback not needed on loopback.
  const page = await s.tw.app.request("/api/alerts?bot=alpha&limit=2&offset=1");
  assert.equal(page.status, 200);
  const p = await page.json();
  assert.equal(p.total, 4);
  assert.deepEqual(p.alerts.map((a: { seq: number }) => a.seq), [3, 2]);
  const bad = await s.tw.app.request("/api/alerts?state=lost");
  assert.equal(bad.status, 400);
  const unknown = await s.tw.app.request("/api/alerts?bot=gamma"); // e.g. a removed bot
  assert.equal(unknown.status, 200);
  assert.equal((await unknown.json()).total, 0);
});

Deno.test("webhook: 404, 413, 422 and 429 say what is wrong", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path, {
    limits: { trustProxy: true, rate: { perSecond: 1, burst: 3 } },
  });
  const ok = { passphrase: SECRET };
  const cases: [string, string, number, RegExp][] = [
    ["/webhooks/tradingview/gamma", msg(ok), 404, /No bot "gamma"/],
    ["/webhooks/tradingview", msg({ ...ok, bot: "gamma" }), 404, /No bot "gamma"/],
    ["/webhooks/tradingview", msg(ok), 422, /"bot": missing/],
    ["/webhooks/tradingview/alpha", msg({ ...ok, bot: "beta" }), 422, /differs/],
    ["/webhooks/tradingview/alpha", msg({ passphrase: 42 }), 401, /No secret/],
    ["/webhooks/tradingview/alpha", alphaAlert({ alert_id: [1] }), 422, /"alert_id"/],
    ["/webhooks/tradingview/alpha", '{"passphrase": "x", ', 401, /No secret/],
    ["/webhooks/tradingview/alpha", "[".repeat(40) + "{", 401, /No secret/],
    [`/webhooks/tradingview/alpha/${SECRET}`, "{" + '"a":['.repeat(40), 422, /nested deeper/],
    [
      "/webhooks/tradingview/alpha",
      msg(ok),
      422,
      /"action"[\s\S]*"symbol"|"symbol"[\s\S]*"action"/,
    ],
    ["/webhooks/tradingview/alpha", alphaAlert({ symbol: "OKX:ETHUSDT" }), 422, /"symbol"/],
    ["/webhooks/tradingview/gamma/x", "buy", 403, /Wrong secret/],
  ];
  for (const [path, body, status, error] of cases) {
    const r = await s.post(path, body);
    assert.equal(r.status, status, `${path} ${body.slice(0, 40)}: ${JSON.stringify(r.json)}`);
    assert.match(r.json.error, error);
    if (status === 422) assert.ok(r.json.field);
  }
  const big = msg({ ...ok, comment: "x".repeat(17_000) });
  const r413 = await s.post("/webhooks/tradingview/alpha", big);
  assert.equal(r413.status, 413);
  assert.match(r413.json.error, /16384 bytes/);
  // Chunked (no length): cut off at the limit while reading.
  const chunked = await s.tw.app.request(`/webhooks/tradingview/alpha/${SECRET}`, {
    method: "POST",
    body: new Blob([big]).stream(),
  });
  assert.equal(chunked.status, 413);
  const chunkedText = await chunked.text();
  assert.ok(!chunkedText.includes(SECRET), chunkedText);
  s.answers.push(chunkedText);
  // The rate limit, per sender address (behind a trusted proxy here).
  const from = { "x-forwarded-for": "203.0.113.9" };
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    statuses.push((await s.post("/webhooks/tradingview/alpha", alphaAlert({ i }), from)).status);
  }
  assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
  assert.ok(statuses.slice(3).includes(429), String(statuses));
  assert.equal((await s.journaled()).length, 3);
  for (const a of s.answers) assert.ok(!a.includes(SECRET), a);
});

Deno.test("webhook: the sender allow-list (TradingView's addresses) behind a trusted proxy", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path, {
    webhook: webhookOptionsFromEnv({
      TIDEWATCH_WEBHOOK_SECRET: SECRET,
      TIDEWATCH_WEBHOOK_ALLOW: "tradingview, 198.51.100.4",
    }),
    limits: { trustProxy: true },
  });
  const body = alphaAlert({ n: 1 });
  const other = await s.post("/webhooks/tradingview/alpha", body, {
    "x-forwarded-for": "203.0.113.9",
  });
  assert.equal(other.status, 403);
  assert.match(other.json.error, /203\.0\.113\.9 is not allowed/);
  const none = await s.post("/webhooks/tradingview/alpha", body);
  assert.equal(none.status, 403);
  for (const [i, addr] of [...TRADINGVIEW_ADDRESSES, "198.51.100.4"].entries()) {
    const r = await s.post("/webhooks/tradingview/alpha", alphaAlert({ i }), {
      "x-forwarded-for": `203.0.113.9, ${addr}`,
    });
    assert.equal(r.status, 200, addr);
  }
  assert.equal((await s.journaled()).length, 5);
});

Deno.test("webhook: off loopback the webhook needs no API token, /api/alerts does", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path, {
    exposure: new Exposure({
      bind: "0.0.0.0",
      interfaceAddresses: ["192.0.2.10"],
      openPaths: WEBHOOK_OPEN_PATHS,
    }),
  });
  const host = { host: "192.0.2.10:8080" };
  for (const path of ["/webhooks/tradingview/alpha", `/webhooks/tradingview/alpha/${SECRET}`]) {
    const r = await s.post(path, alphaAlert({ path }), host);
    assert.equal(r.status, 200, path);
  }
  const denied = await s.tw.app.request("/api/alerts", { headers: host });
  assert.equal(denied.status, 401);
  const allowed = await s.tw.app.request("/api/alerts", {
    headers: { ...host, authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(allowed.status, 200);
  assert.equal((await allowed.json()).total, 2);
  const doc = await (await s.tw.app.request("/api/openapi.json", {
    headers: { ...host, authorization: `Bearer ${TOKEN}` },
  })).json();
  assert.ok(doc.paths["/webhooks/tradingview/{bot}/{secret}"].post);
  assert.equal(doc.paths["/webhooks/tradingview/{bot}"].post.security, undefined);
  assert.deepEqual(doc.paths["/api/alerts"].get.security, [{ bearer: [] }]);
});

Deno.test("webhook: secrets never reach answers, logs, the journal or the database", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path);
  await s.post("/webhooks/tradingview/alpha", alphaAlert({ note: "a" }));
  // The secret quoted in the message itself is masked before it is kept.
  const quoted = await s.post(
    `/webhooks/tradingview/alpha/${SECRET}`,
    msg({ action: "sell", symbol: "BTCUSDT", comment: `oops ${SECRET}` }),
  );
  assert.equal(quoted.status, 200);
  // Routed to its bot (its signal, comment included, recorded among the bot's events).
  const routed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { // a safety net, not a wait
      stop();
      reject(new Error(`alert ${quoted.json.seq} was never routed`));
    }, 60_000);
    const stop = s.tw.bus.subscribe((e) => {
      if (e.type !== "alert.state" || (e.data as { seq: number }).seq !== quoted.json.seq) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
  await s.post(`/webhooks/tradingview/alpha/${SECRET}/more`, "x"); // no such route
  await s.post(`/webhooks/tradingview/alpha/${SECRET}`, "y".repeat(20_000)); // 413
  await s.post(`/webhooks/tradingview/alpha/${SECRET}`, '{"bot": 1}'); // 422
  await s.post("/webhooks/tradingview/alpha/wrong-secret", "z"); // 403
  await s.post(`/webhooks/tradingview/${SECRET}`, msg({ passphrase: SECRET })); // 404, not echoed
  await s.tw.alerts.flush();
  await routed;
  const rows = await s.db.all("SELECT * FROM alerts");
  assert.equal(rows.length, 2);
  const events = await s.db.all("SELECT * FROM bot_events WHERE kind = 'alert'");
  assert.equal(events.length, 2);
  const dump = JSON.stringify([rows, events], (_k, v) => typeof v === "bigint" ? Number(v) : v);
  const journal = await Deno.readTextFile(s.journal);
  for (
    const [what, text] of [
      ["answers", s.answers.join("\n")],
      ["logs", s.logs.join("\n")],
      ["journal", journal],
      ["database", dump],
    ]
  ) {
    assert.ok(!text.includes(SECRET), `${what}: ${text.slice(0, 400)}`);
  }
  assert.match(journal, /<secret>|\[redacted\]/); // the message quoted it
  // A lone surrogate (a JSON escape) is stored, not a reason for the copy to fail.
  const odd = await s.post(
    "/webhooks/tradingview/beta",
    `{"passphrase":"${SECRET}","action":"buy","symbol":"ETHUSDT","c":"\\ud800"}`,
  );
  assert.equal(odd.status, 200);
  assert.equal((await s.tw.commands.alerts({ bot: "beta" })).total, 1);
  assert.ok(s.answers.some((a) => a.includes("/webhooks/tradingview/alpha/<secret>")));
});

Deno.test("webhook: an alert trades through its bot at its own size (sent, filled); one the gate refuses says which rule", async () => {
  await using dir = await tempDir();
  await using s = await service(dir.path);
  const stateOf = (seq: number, state: string) => (e: { type: string; data: unknown }) =>
    e.type === "alert.state" &&
    (e.data as { seq: number; state: string }).seq === seq &&
    (e.data as { state: string }).state === state;
  const waitState = (seq: number, state: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`alert ${seq} never became ${state}`));
      }, 60_000);
      const stop = s.tw.bus.subscribe((e) => {
        if (!stateOf(seq, state)(e)) return;
        clearTimeout(timer);
        stop();
        resolve(e.data as Record<string, unknown>);
      });
    });
  // An exit while flat: the gate refuses it, naming the rule.
  const exit = await s.post("/webhooks/tradingview/alpha", alphaAlert({ action: "exit" }));
  assert.equal(exit.status, 200);
  const refused = await waitState(exit.json.seq, "refused");
  assert.equal(refused.rule, "no_position");
  // A buy with a 1 % stop: sent at the next candle, then filled.
  const buy = await s.post(
    "/webhooks/tradingview/alpha",
    alphaAlert({ sl: "1%", size: "0.05", alert_id: "b1" }),
  );
  assert.equal(buy.status, 200);
  const sent = waitState(buy.json.seq, "sent");
  const filled = waitState(buy.json.seq, "filled");
  await sent;
  await filled;
  await s.tw.alerts.flush();
  // The states are written in batches: wait for the filled one to be stored.
  for (;;) {
    const [row] = (await s.tw.commands.alerts({ bot: "alpha", limit: 1 })).alerts;
    if (row.state === "filled") break;
    await new Promise<void>((resolve) => {
      const stop = s.tw.bus.subscribe(() => {
        stop();
        resolve();
      });
    });
  }
  const rows = (await s.tw.commands.alerts({ bot: "alpha" })).alerts;
  assert.equal(rows.find((a) => a.seq === exit.json.seq)?.state, "refused");
  assert.equal(rows.find((a) => a.seq === exit.json.seq)?.rule, "no_position");
  const fills = (await s.tw.commands.records("alpha", "fills", { limit: 10, offset: 0 }))
    .fills as { side: string; qty: number }[];
  const buys = fills.filter((f) => f.side === "buy");
  assert.equal(buys.length, 1);
  // The alert's size (a quantity here) sized the entry, not the bot's risk settings.
  assert.equal(Number(buys[0].qty), 0.05);
});

Deno.test("webhook: a bot's own secret (webhook_secret) works without the global one, for that bot only", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/o.duckdb`);
  const own = "own-secret-of-gamma-0001";
  const tw = await assemble({
    db,
    entries: [
      await alertBot("gamma", { alerts: { secret: new WebhookSecret(own) } }),
      await alertBot("delta"),
    ],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 60, startTs: REPLAY_START },
    webhook: webhookOptionsFromEnv({}),
  });
  try {
    const post = async (path: string, o: Record<string, unknown>) => {
      const res = await tw.app.request(path, { method: "POST", body: JSON.stringify(o) });
      return { status: res.status, text: await res.text() };
    };
    const alert = { action: "buy", symbol: "BTCUSDT" };
    assert.equal(
      (await post("/webhooks/tradingview/gamma", { ...alert, passphrase: own })).status,
      200,
    );
    assert.equal(
      (await post("/webhooks/tradingview/gamma", { ...alert, passphrase: "x" })).status,
      403,
    );
    // delta has no secret of its own and there is no global one: alerts are off for it.
    const off = await post("/webhooks/tradingview/delta", { ...alert, passphrase: own });
    assert.equal(off.status, 503);
    assert.ok(!off.text.includes(own));
    // The bot list never shows a secret.
    const bots = await (await tw.app.request("/api/bots")).text();
    assert.ok(!bots.includes(own));
  } finally {
    await tw.close();
    await db.close();
  }
});
