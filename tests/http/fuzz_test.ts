// A seeded fuzz of the whole API on a real server: 10,000 requests over every route and method of
// /api/openapi.json (inputs from the schemas, then mutated), half without the token. No answer is
// a 5xx, a body over 64 KB is refused with 413, nothing changes without the token, and health
// answers throughout.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { createRng, type Rng } from "../../src/data/rng.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";

const TOKEN = "fuzz-token-0123456789abcdef";
const REQUESTS = 10_000;
const CONCURRENCY = 16;
const HEALTH_EVERY = 100;

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
};
interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; schema: Schema }[];
  body?: Schema;
}
interface Req {
  method: string;
  path: string;
  body?: string;
  token: boolean;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];

const STRINGS = [
  "",
  "alpha",
  "beta",
  "x",
  "ünïcødé ✓ 日本 🚀",
  "\u0000\u202e",
  "../../etc/passwd",
  "' OR 1=1 --",
  "%00",
  "null",
  "-1",
  "1e400",
  "NaN",
];
const NUMBERS = [0, -1, 1, 2 ** 53, -(2 ** 63), 1e19, 1e308, 0.5, 1700000000000];

function junk(rng: Rng, depth = 0): unknown {
  switch (rng.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return pick(rng, NUMBERS);
    case 3:
      return "x".repeat(rng.int(0, 5000));
    case 4:
      return depth < 3 ? [junk(rng, depth + 1), junk(rng, depth + 1)] : [];
    case 5:
      return depth < 3 ? { [pick(rng, STRINGS)]: junk(rng, depth + 1) } : {};
    default:
      return pick(rng, STRINGS);
  }
}

/** A value the schema accepts, mostly; the mutations come after. */
function fromSchema(rng: Rng, s: Schema | undefined, depth = 0): unknown {
  if (!s) return junk(rng);
  if (s.const !== undefined) return s.const;
  if (s.enum) return pick(rng, s.enum);
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return fromSchema(rng, pick(rng, alt), depth);
  const type = Array.isArray(s.type) ? pick(rng, s.type) : s.type;
  switch (type) {
    case "string":
      return pick(rng, STRINGS);
    case "integer":
      return rng.int(s.minimum ?? 0, Math.min(s.maximum ?? 1000, 1_000_000));
    case "number":
      return rng.next() * Math.min(s.maximum ?? 1000, 1e6);
    case "boolean":
      return rng.next() < 0.5;
    case "array":
      return depth > 4 ? [] : [fromSchema(rng, s.items, depth + 1)];
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (rng.next() < 0.8) out[k] = fromSchema(rng, v, depth + 1);
      }
      return out;
    }
    default:
      return junk(rng, depth);
  }
}

/** The body text: from the schema, or mutated (wrong types, huge, deep, empty, not JSON). */
function bodyText(rng: Rng, schema: Schema | undefined): string | undefined {
  const value = fromSchema(rng, schema);
  switch (rng.int(0, 11)) {
    case 0:
      return undefined;
    case 1:
      return "";
    case 2:
      return "[".repeat(rng.int(20, 5000)) + "]".repeat(rng.int(0, 5000));
    case 3:
      return JSON.stringify({ pad: "x".repeat(rng.int(60_000, 200_000)) });
    case 4:
      return "{" + pick(rng, STRINGS);
    case 5:
      return JSON.stringify(junk(rng));
    case 6: {
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const keys = Object.keys(value);
        if (keys.length) (value as Record<string, unknown>)[pick(rng, keys)] = junk(rng);
      }
      return JSON.stringify(value);
    }
    case 7:
      return JSON.stringify({ ...(value as object), [pick(rng, STRINGS)]: junk(rng) });
    default:
      return JSON.stringify(value);
  }
}

function queryValue(rng: Rng, s: Schema): string {
  if (rng.next() < 0.6) {
    const v = fromSchema(rng, s);
    return typeof v === "string" ? v : JSON.stringify(v);
  }
  return rng.next() < 0.2 ? "y".repeat(rng.int(1000, 9000)) : String(pick(rng, [
    ...STRINGS,
    ...NUMBERS,
  ]));
}

function request(rng: Rng, op: Operation, token: boolean): Req {
  let path = op.path.replace(/\{([A-Za-z_]+)\}/g, () => {
    const v = rng.next() < 0.5
      ? pick(rng, ["alpha", "beta", "nope"])
      : rng.next() < 0.1
      ? "z".repeat(rng.int(100, 3000))
      : pick(rng, STRINGS);
    return encodeURIComponent(v);
  });
  const params = new URLSearchParams();
  for (const p of op.parameters) {
    if (p.in === "query" && rng.next() < 0.6) params.set(p.name, queryValue(rng, p.schema));
  }
  if (rng.next() < 0.1) params.set(pick(rng, STRINGS) || "extra", pick(rng, STRINGS));
  const q = params.toString();
  if (q) path += `?${q}`;
  const withBody = op.method !== "get" && (op.body !== undefined || rng.next() < 0.1);
  const body = withBody ? bodyText(rng, op.body) : undefined;
  return { method: op.method.toUpperCase(), path, body, token };
}

/** What the API lets a caller change, read straight from the database. */
async function snapshot(db: Db): Promise<string[]> {
  const tables = [
    "SELECT bot_id, config, desired_status FROM bots ORDER BY bot_id",
    "SELECT bot_id, seq, kind, payload FROM bot_events ORDER BY bot_id, seq",
    "SELECT * FROM settings WHERE key <> 'replay.clock' ORDER BY key", // the replay's own clock
    "SELECT * FROM audit_log ORDER BY seq",
    "SELECT id, status FROM pending_confirmations ORDER BY id",
    "SELECT count(*) AS n FROM backtest_runs",
  ];
  const out = [];
  for (const sql of tables) {
    out.push(JSON.stringify(await db.all(sql), (_k, v) => typeof v === "bigint" ? String(v) : v));
  }
  return out;
}

Deno.test("fuzz: 10,000 seeded requests over every route, half anonymous: no 5xx, no anonymous change", async () => {
  await using dir = await tempDir();
  const db = await Db.open(`${dir.path}/fuzz.duckdb`);
  const service = await assemble({
    db,
    entries: [
      await entry("alpha"),
      await entry("beta", { symbol: "ETH/USDT", strategy: "ema_cross", params: {} }),
    ],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 1 }, // short histories: bots relaunched by the writes start fast
    // A webhook secret the fuzz never guesses (without one the webhook answers 503 by design).
    webhook: { secretFor: () => "fuzz-webhook-secret-never-sent-0123" },
  });
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    service.app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  try {
    const doc = await (await fetch(`${url}/api/openapi.json`)).json() as {
      paths: Record<
        string,
        Record<string, {
          parameters: Operation["parameters"];
          requestBody?: { content: { "application/json": { schema: Schema } } };
        }>
      >;
    };
    const ops: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        ops.push({
          method,
          path,
          parameters: op.parameters,
          body: op.requestBody?.content["application/json"].schema,
        });
      }
    }
    assert.ok(ops.length >= 30, `${ops.length} operations`);

    const failures: string[] = [];
    const seen = new Map<string, Set<number>>();
    let healthProbes = 0;
    const send = async (r: Req) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (r.token) headers.Authorization = `Bearer ${TOKEN}`;
      const res = await fetch(url + r.path, { method: r.method, headers, body: r.body });
      // Event streams stay open: the status and headers are the answer.
      const text = res.headers.get("content-type")?.startsWith("text/event-stream")
        ? (await res.body?.cancel(), "")
        : await res.text();
      return { status: res.status, text };
    };
    const run = async (seed: string, token: boolean) => {
      const rng = createRng(seed);
      const reqs = Array.from({ length: REQUESTS / 2 }, (_, i) => {
        const op = ops[i % ops.length]; // every route, evenly
        return request(rng, op, token && rng.next() < 0.95);
      });
      let next = 0;
      const worker = async () => {
        while (next < reqs.length) {
          const i = next++;
          const r = reqs[i];
          const { status, text } = await send(r);
          const key = `${r.method} ${r.path.split("?")[0]}`;
          if (status >= 500) failures.push(`${status} ${key}: ${text.slice(0, 300)}`);
          const size = r.body === undefined ? 0 : new TextEncoder().encode(r.body).length;
          if (size > 65_536 && status !== 413) {
            failures.push(`${status}, not 413, for ${size} bytes to ${key}`);
          }
          const route = `${r.method} ${ops[i % ops.length].path}`;
          (seen.get(route) ?? seen.set(route, new Set()).get(route)!).add(status);
          if (i % HEALTH_EVERY === 0) {
            const h = await send({ method: "GET", path: "/api/status/health", token: false });
            healthProbes++;
            if (h.status !== 200) failures.push(`health answered ${h.status}: ${h.text}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };

    // Without the token first: nothing a caller may change changes.
    const before = await snapshot(db);
    await run("fuzz-anonymous", false);
    const after = await snapshot(db);
    assert.deepEqual(failures, []);
    assert.deepEqual(after, before, "state changed without the token");
    // Then with it (a few requests without): still no 5xx.
    await run("fuzz-token", true);
    assert.deepEqual(failures, []);
    assert.equal(healthProbes, REQUESTS / HEALTH_EVERY);
    assert.equal(seen.size, ops.length, "every route was asked");
  } finally {
    ac.abort();
    await server.finished;
    await service.close();
    await db.close();
  }
});
