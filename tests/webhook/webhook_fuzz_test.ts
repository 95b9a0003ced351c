// A seeded fuzz of the TradingView webhook: 10,000 malformed, oversized, wrongly typed and
// mutated bodies, paths and headers. No 5xx, every refusal says what is wrong, an alert is
// journaled only with the right secret, and the secret is never in an answer.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { createRng, type Rng } from "../../src/data/rng.ts";
import { Db } from "../../src/store/db.ts";
import { alphaAndBeta } from "../service/service_support.ts";
import { REPLAY_START, tempDir } from "../support.ts";

const TOKEN = "webhook-fuzz-token-0123456789abcdef";
const SECRET = "fuzz-Secret-4f9XkQ";
const REQUESTS = 10_000;
const CONCURRENCY = 16;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];

/** The secret, or something close to it that must not pass. */
function secretLike(rng: Rng): string {
  const i = rng.int(0, SECRET.length - 1);
  return pick(rng, [
    SECRET,
    SECRET,
    SECRET.slice(0, -1),
    SECRET + "x",
    SECRET.toUpperCase(),
    SECRET.slice(0, i) + String.fromCharCode(SECRET.charCodeAt(i) ^ 1) + SECRET.slice(i + 1),
    ` ${SECRET}`,
    "",
    "null",
    "%00",
  ]);
}

const BOTS = [
  "alpha",
  "beta",
  "gamma",
  "",
  "ALPHA",
  "../alpha",
  "alpha%2Fbeta",
  "ünï",
  "a".repeat(300),
];
const STRINGS = [
  "",
  "buy",
  "sell",
  "BINANCE:BTCUSDT.P",
  "{{close}}",
  "\u0000\u202e",
  "' OR 1=1 --",
];

function junk(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, 8)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1e308, 0.5, 2 ** 53, NaN]);
    case 3:
      return "x".repeat(rng.int(0, 3000));
    case 4:
      return depth < 3 ? [junk(rng, depth + 1)] : [];
    case 5:
      return depth < 3 ? { [pick(rng, STRINGS)]: junk(rng, depth + 1) } : {};
    default:
      return pick(rng, STRINGS);
  }
}

/** A JSON alert whose known fields are right, wrong or missing, with junk beside them. */
function jsonAlert(rng: Rng): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (rng.next() < 0.8) o.passphrase = rng.next() < 0.8 ? secretLike(rng) : junk(rng);
  if (rng.next() < 0.5) o.bot = rng.next() < 0.8 ? pick(rng, BOTS) : junk(rng);
  if (rng.next() < 0.5) {
    o.alert_id = rng.next() < 0.7 ? `id-${rng.int(0, 50)}` : junk(rng);
  }
  o.action = pick(rng, ["buy", "sell", "exit", junk(rng)]);
  if (rng.next() < 0.8) o.symbol = pick(rng, ["OKX:BTCUSDT", "BTCUSDT", "ETHUSDT", junk(rng)]);
  for (let i = rng.int(0, 3); i > 0; i--) o[pick(rng, STRINGS) || "k"] = junk(rng);
  return o;
}

function mutate(rng: Rng, text: string): string {
  const chars = [...text];
  for (let i = rng.int(1, 4); i > 0 && chars.length; i--) {
    const at = rng.int(0, chars.length - 1);
    switch (rng.int(0, 3)) {
      case 0:
        chars.splice(at, 1);
        break;
      case 1:
        chars.splice(at, 0, pick(rng, ["{", "}", '"', ",", ":", "\\", "\u0000", "[", "é"]));
        break;
      case 2:
        chars.length = at; // truncated
        break;
      default:
        chars[at] = String.fromCharCode(rng.int(0, 0xffff));
    }
  }
  return chars.join("");
}

interface Req {
  path: string;
  method: string;
  body?: BodyInit;
  headers: Record<string, string>;
  /** True when the request carries exactly the right secret (it may still be refused). */
  authentic: boolean;
}

function request(rng: Rng): Req {
  const form = rng.int(0, 2);
  const bot = pick(rng, BOTS);
  const pathSecret = form === 2 ? secretLike(rng) : undefined;
  const path = form === 0
    ? "/webhooks/tradingview"
    : form === 1
    ? `/webhooks/tradingview/${encodeURIComponent(bot)}`
    : `/webhooks/tradingview/${encodeURIComponent(bot)}/${encodeURIComponent(pathSecret!)}`;
  let body: BodyInit | undefined;
  let passphrase: unknown;
  switch (rng.int(0, 7)) {
    case 0:
    case 1:
    case 2: {
      const o = jsonAlert(rng);
      passphrase = o.passphrase;
      body = JSON.stringify(o);
      break;
    }
    case 3: {
      const text = mutate(rng, JSON.stringify(jsonAlert(rng)));
      body = text;
      try {
        const parsed = JSON.parse(text);
        passphrase = parsed?.passphrase;
      } catch {
        passphrase = undefined;
      }
      break;
    }
    case 4:
      body = pick(rng, ["buy BTCUSDT", "", " ", "{{strategy.order.action}}", `pass ${SECRET}`]);
      break;
    case 5: // oversized
      body = JSON.stringify({ passphrase: SECRET, pad: "y".repeat(rng.int(16_300, 70_000)) });
      break;
    case 6: // deep or odd JSON
      body = pick(rng, [
        "{" + '"a":['.repeat(rng.int(20, 200)),
        "{}",
        "{" + '"x":1,'.repeat(rng.int(1, 2000)) + '"passphrase":"' + SECRET + '"}',
        "[1,2]",
        '{"passphrase":"' + SECRET + '","bot":"alpha","alert_id":' + "9".repeat(400) + "}",
      ]);
      break;
    default: // bytes that are not UTF-8
      body = new Uint8Array(Array.from({ length: rng.int(0, 200) }, () => rng.int(0, 255)));
  }
  const headers: Record<string, string> = {};
  if (rng.next() < 0.5) {
    headers["content-type"] = pick(rng, [
      "application/json",
      "text/plain; charset=utf-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "garbage/\u00ff",
    ]);
  }
  if (rng.next() < 0.2) headers["x-forwarded-for"] = pick(rng, ["1.2.3.4", "junk, ,", "::1"]);
  const method = rng.next() < 0.95 ? "POST" : pick(rng, ["GET", "PUT", "DELETE", "PATCH"]);
  if (typeof body === "string" && body.trimStart().startsWith("{")) {
    try {
      passphrase = JSON.parse(body)?.passphrase; // what the body really carries
    } catch {
      passphrase = undefined;
    }
  }
  const given = pathSecret ?? (typeof passphrase === "string" ? passphrase : undefined);
  return {
    path,
    method,
    body: method === "GET" ? undefined : body,
    headers,
    authentic: given === SECRET,
  };
}

Deno.test("webhook fuzz: 10,000 seeded bad requests: no 5xx, nothing journaled without the secret", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/f.duckdb`);
  const tw = await assemble({
    db,
    entries: await alphaAndBeta(),
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 60, startTs: REPLAY_START },
    webhook: { secretFor: () => SECRET },
  });
  const rng = createRng("webhook-fuzz-1");
  const reqs = Array.from({ length: REQUESTS }, () => request(rng));
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let accepted = 0;
  try {
    let next = 0;
    const worker = async () => {
      while (next < reqs.length) {
        const r = reqs[next++];
        const res = await tw.app.request(r.path, {
          method: r.method,
          body: r.body,
          headers: r.headers,
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${res.status} ${r.method} ${r.path.slice(0, 80)}`;
        if (res.status >= 500) failures.push(`${what}: ${text.slice(0, 200)}`);
        if (text.includes(SECRET)) failures.push(`${what}: the secret is in the answer`);
        if (res.status === 200) {
          accepted++;
          if (!r.authentic) failures.push(`${what}: accepted without the right secret`);
        } else if (!/"error":"[^"]+/.test(text)) {
          failures.push(`${what}: no error said: ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.deepEqual(failures.slice(0, 20), []);
    // Each kind of answer was reached.
    for (const s of [200, 401, 403, 404, 413, 422]) assert.ok(statuses.get(s), `no ${s}`);
    await tw.alerts.flush();
    const journal = (await Deno.readTextFile(`${dir.path}/f.duckdb.alerts.jsonl`))
      .split("\n").filter(Boolean);
    assert.equal(journal.length, accepted);
    assert.ok(!journal.join("\n").includes(SECRET));
    assert.equal((await tw.commands.alerts({})).total, accepted);
  } finally {
    await tw.close();
    await db.close();
  }
});
