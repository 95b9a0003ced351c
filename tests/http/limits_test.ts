// The edge's bounds on a real server (Deno.serve on loopback over the assembled service): body
// size before reading, JSON depth, per-address rate limit, event-stream caps and slow readers.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Hono } from "hono";
import {
  clientAddressMiddleware,
  forwardedAddress,
  isLoopback,
} from "../../src/http/client_address.ts";
import { jsonDepth } from "../../src/http/body_limits.ts";
import type { LimitOptions } from "../../src/http/limits.ts";
import { rateLimit } from "../../src/http/rate_limit.ts";
import { SseGate } from "../../src/http/sse_limits.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";

const TOKEN = "limits-token-0123456789abcdef";
const auth = { Authorization: `Bearer ${TOKEN}` };

/** The service with one idle bot, served on a loopback port with `limits`. */
async function serve(limits: LimitOptions = {}) {
  const dir = await tempDir();
  const db = await Db.open(`${dir.path}/l.duckdb`);
  const service = await assemble({
    db,
    entries: [await entry("alpha")],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 1 },
    limits,
  });
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    service.app.fetch,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    service,
    async [Symbol.asyncDispose]() {
      ac.abort();
      await server.finished;
      await service.close();
      await db.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Sends raw bytes on a new connection and returns the first chunk of the answer. */
async function rawRequest(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // A safety net for a server that waits for the body forever (the bug this guards against).
  const net = setTimeout(() => conn.close(), 60_000);
  try {
    await conn.write(new TextEncoder().encode(head));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    return n === null ? "" : new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    clearTimeout(net);
    try {
      conn.close();
    } catch { /* closed by the net */ }
  }
}

Deno.test("X-Forwarded-For: the right-most non-loopback entry; loopback recognised", () => {
  assert.equal(forwardedAddress("6.6.6.6, 203.0.113.7"), "203.0.113.7");
  assert.equal(forwardedAddress("203.0.113.7, 127.0.0.1"), "203.0.113.7");
  assert.equal(forwardedAddress("::1, 127.0.0.1"), undefined);
  assert.equal(forwardedAddress(""), undefined);
  assert.equal(forwardedAddress(undefined), undefined);
  for (const a of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"]) {
    assert.ok(isLoopback(a), a);
  }
  for (const a of ["10.0.0.1", "203.0.113.7", "::ffff:10.0.0.1"]) assert.ok(!isLoopback(a), a);
});

Deno.test("JSON depth: counted in one pass, strings skipped, stops past the limit", () => {
  assert.equal(jsonDepth('{"a":[1,{"b":"[[[["}]}', 32), 3);
  assert.equal(jsonDepth('"\\"[[["', 32), 0);
  assert.equal(jsonDepth("[".repeat(1_000_000), 32), 33);
});

Deno.test("body limit: 413 from Content-Length before reading, and for a long chunked body", async () => {
  await using s = await serve();
  // 10 MB announced, none sent: the answer comes without the server waiting for the body.
  const head = `PATCH /api/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}` +
    `\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n[[[[`;
  const answer = await rawRequest(s.port, head);
  assert.match(answer, /^HTTP\/1\.1 413/);
  assert.match(answer, /the limit is 65536 bytes/);

  // Chunked (no length): counted while reading, refused once past the limit.
  const chunk = new TextEncoder().encode(" ".repeat(16_384));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ < 64) c.enqueue(chunk);
      else c.close();
    },
  });
  const res = await fetch(`${s.url}/api/settings`, {
    method: "PATCH",
    headers: { ...auth, "content-type": "application/json" },
    body,
  });
  assert.equal(res.status, 413);
  assert.match((await res.json()).error, /PATCH \/api\/settings: the limit is 65536 bytes/);

  // Without the token too (the limit is on every route), and a small body still works.
  const anon = await fetch(`${s.url}/api/kill`, { method: "POST", body: "x".repeat(70_000) });
  assert.equal(anon.status, 413);
  await anon.body?.cancel();
  const ok = await fetch(`${s.url}/api/settings`, {
    method: "PATCH",
    headers: { ...auth, "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(ok.status, 200, await ok.text());
});

Deno.test("JSON depth limit: a deeply nested body is refused before parsing, naming it", async () => {
  await using s = await serve();
  for (const text of ["[".repeat(30_000) + "]".repeat(30_000), '{"a":'.repeat(5000) + "1"]) {
    const res = await fetch(`${s.url}/api/settings`, {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body: text,
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /PATCH \/api\/settings: nested deeper than 32 levels/);
  }
  // 32 levels are fine as far as depth goes (the settings schema then names the problem).
  const res = await fetch(`${s.url}/api/settings`, {
    method: "PATCH",
    headers: { ...auth, "content-type": "application/json" },
    body: "[".repeat(32) + "]".repeat(32),
  });
  assert.equal(res.status, 400);
  assert.doesNotMatch((await res.json()).error, /nested/);
});

Deno.test("rate limit: per client address without a token; a valid token is not limited", async () => {
  let now = 1_000_000;
  await using s = await serve({
    trustProxy: true,
    rate: { perSecond: 2, burst: 3, now: () => now },
  });
  const get = async (from: string | undefined, headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.url}/api/bots`, {
      headers: { ...(from ? { "x-forwarded-for": from } : {}), ...headers },
    });
    const body = await res.json();
    return { status: res.status, retry: res.headers.get("retry-after"), body };
  };
  for (let i = 0; i < 3; i++) assert.equal((await get("198.51.100.1")).status, 200);
  const refused = await get("198.51.100.1");
  assert.equal(refused.status, 429);
  assert.equal(refused.retry, "1");
  assert.match(refused.body.error, /Too many requests from 198\.51\.100\.1 without a token/);
  // The left entry is whatever the client claims: not a way around the limit.
  assert.equal((await get("1.2.3.4, 198.51.100.1")).status, 429);
  // A wrong token is no token; the right one passes, as does another address or loopback.
  const wrong = await get("198.51.100.1", { Authorization: "Bearer nope" });
  assert.equal(wrong.status, 429);
  assert.equal((await get("198.51.100.1", auth)).status, 200);
  assert.equal((await get("198.51.100.2")).status, 200);
  for (let i = 0; i < 10; i++) assert.equal((await get(undefined)).status, 200);
  // Half a second later the bucket holds one request again.
  now += 500;
  assert.equal((await get("198.51.100.1")).status, 200);
  assert.equal((await get("198.51.100.1")).status, 429);
});

Deno.test("rate limit: addresses idle until their bucket is full again are forgotten", async () => {
  let now = 1_000_000;
  const limiter = rateLimit(() => Promise.resolve(false), {
    perSecond: 2,
    burst: 4,
    now: () => now,
  });
  const app = new Hono();
  app.use("*", clientAddressMiddleware(true));
  app.use("*", limiter);
  app.get("/", (c) => c.text("ok"));
  const env = { remoteAddr: { hostname: "127.0.0.1" } };
  const get = async (from?: string) => {
    const res = await app.request("/", {
      headers: from ? { "x-forwarded-for": from } : {},
    }, env);
    await res.body?.cancel();
    return res.status;
  };
  // A storm of addresses, each once.
  for (let i = 0; i < 500; i++) assert.equal(await get(`10.0.${i >> 8}.${i & 255}`), 200);
  assert.equal(limiter.remembered(), 500);
  // One keeps asking past its budget; the others go quiet.
  for (let i = 0; i < 3; i++) assert.equal(await get("10.0.0.7"), 200);
  assert.equal(await get("10.0.0.7"), 429);
  now += 1_999;
  assert.equal(await get(), 200, "loopback is not limited");
  assert.equal(limiter.remembered(), 500, "not yet full again: all kept");
  now += 1;
  // 2 s idle (burst / rate): full again, so forgotten, even on a loopback request's turn.
  assert.equal(await get(), 200);
  assert.equal(limiter.remembered(), 0);
  // Forgetting changes no answer: a forgotten address starts with a full bucket.
  for (let i = 0; i < 4; i++) assert.equal(await get("10.0.0.7"), 200);
  assert.equal(await get("10.0.0.7"), 429);
  assert.equal(limiter.remembered(), 1);
});

Deno.test("without --trust-proxy X-Forwarded-For is ignored", async () => {
  await using s = await serve({ rate: { perSecond: 0.001, burst: 1, loopback: true } });
  const get = (from: string) =>
    fetch(`${s.url}/api/bots`, { headers: { "x-forwarded-for": from } });
  const first = await get("198.51.100.1");
  await first.body?.cancel();
  assert.equal(first.status, 200);
  const second = await get("198.51.100.2"); // the same peer, 127.0.0.1
  await second.body?.cancel();
  assert.equal(second.status, 429);
});

/** Opens an event stream from `from` (X-Forwarded-For); returns the response. */
function openEvents(url: string, from: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/api/events`, { headers: { "x-forwarded-for": from }, signal });
}

Deno.test("event streams: capped per address and in total (429, Retry-After), slots released", async () => {
  const gate = new SseGate({ total: 4, perAddress: 2 });
  await using s = await serve({ trustProxy: true, sse: gate });
  const a1 = await openEvents(s.url, "192.0.2.1");
  const a2 = await openEvents(s.url, "192.0.2.1");
  assert.equal(a1.status, 200);
  assert.equal(a2.status, 200);
  const a3 = await openEvents(s.url, "192.0.2.1");
  assert.equal(a3.status, 429);
  assert.equal(a3.headers.get("retry-after"), "5");
  assert.match((await a3.json()).error, /from 192\.0\.2\.1 \(2\)/);
  const b1 = await openEvents(s.url, "192.0.2.2");
  const b2 = await openEvents(s.url, "192.0.2.2");
  assert.equal(b2.status, 200);
  const c1 = await openEvents(s.url, "192.0.2.3");
  assert.equal(c1.status, 429);
  assert.match((await c1.json()).error, /Too many event streams open \(4\)/);
  assert.equal(gate.open, 4);

  await a1.body!.cancel();
  await gate.settled(3); // the server saw the client go
  const a4 = await openEvents(s.url, "192.0.2.1");
  assert.equal(a4.status, 200);
  for (const r of [a2, b1, b2, a4]) await r.body!.cancel();
  await gate.settled(0);
});

Deno.test("event streams: a reader that stops reading is dropped once its backlog passes the bound", async () => {
  const gate = new SseGate({ perAddress: 1, maxBufferedBytes: 65_536 });
  await using s = await serve({ trustProxy: true, sse: gate });
  const slow = await openEvents(s.url, "192.0.2.9");
  assert.equal(slow.status, 200);
  assert.equal(gate.open, 1);
  // Events of 16 KB, published one a turn of the event loop, until the stream is dropped (the
  // socket buffers fill first, then the backlog grows). Without the bound it never is.
  const payload = "x".repeat(16_384);
  let published = 0;
  while (gate.open > 0 && published < 20_000) {
    s.service.bus.publish({ type: "test.bulk", data: payload });
    published++;
    await new Promise((r) => setTimeout(r, 0));
  }
  assert.equal(gate.open, 0, `still open after ${published} events of 16 KB`);
  // The client gets what was sent before the drop, then the end of the stream.
  let bytes = 0;
  for await (const chunk of slow.body!) bytes += chunk.length;
  assert.ok(bytes < published * 16_500, `${bytes} bytes for ${published} events`);
  // Its slot is free again: the same address may open a stream.
  const again = await openEvents(s.url, "192.0.2.9");
  assert.equal(again.status, 200);
  await again.body!.cancel();
  await gate.settled(0);
});
