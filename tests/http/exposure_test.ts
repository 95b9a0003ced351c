// Exposure, really served: off loopback every route (reads and SSE included) needs the token; the
// Host header must be one the service expects; no CORS; no error body names a file path.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Exposure, parseAllowedHosts } from "../../src/http/exposure.ts";
import { withoutPaths } from "../../src/service/redact_paths.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";

const TOKEN = "exposure-token-0123456789abcdef";
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** An address of this machine that is not loopback, if it has one (IPv4). */
function outwardAddress(): string | undefined {
  return Deno.networkInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."))
    ?.address;
}

/** The service with one paper bot, served on `hostname` with the exposure of that bind. */
async function serve(dir: string, hostname: string, exposure = new Exposure({ bind: hostname })) {
  const db = await Db.open(`${dir}/e.duckdb`);
  const tw = await assemble({
    db,
    entries: [await entry("alpha")],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 60 },
    exposure,
  });
  const ac = new AbortController();
  const server = Deno.serve({ port: 0, hostname, signal: ac.signal, onListen() {} }, tw.app.fetch);
  return {
    tw,
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      ac.abort();
      await server.finished;
      await tw.close();
      await db.close();
    },
  };
}

/** One HTTP/1.1 GET over a raw socket, so the Host header is exactly `host`. */
async function rawGet(
  address: string,
  port: number,
  path: string,
  host: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; head: string; body: string }> {
  const conn = await Deno.connect({ hostname: address, port });
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  await conn.write(
    new TextEncoder().encode(
      `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`,
    ),
  );
  const text = await new Response(conn.readable).text();
  const [head, body] = [
    text.slice(0, text.indexOf("\r\n\r\n")),
    text.slice(text.indexOf("\r\n\r\n") + 4),
  ];
  return { status: Number(head.split(" ")[1]), head, body };
}

Deno.test("bound to 0.0.0.0: anonymous reads, SSE and unknown paths get 401; the token opens them", async () => {
  await using dir = await tempDir();
  await using s = await serve(dir.path, "0.0.0.0");
  const url = `http://127.0.0.1:${s.port}`;
  for (
    const path of [
      "/api/status/health",
      "/api/bots",
      "/api/bots/alpha",
      "/api/audit",
      "/api/openapi.json",
      "/api/events",
      "/api/nothing",
    ]
  ) {
    const res = await fetch(url + path);
    const body = await res.json();
    assert.equal(res.status, 401, `${path} without a token`);
    assert.match(body.error, /^Missing bearer token/);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
  }
  assert.equal(
    (await fetch(`${url}/api/bots`, {
      headers: { Authorization: "Bearer wrong-token-0123456789" },
    })).status,
    401,
  );
  const bots = await fetch(`${url}/api/bots`, { headers: AUTH });
  assert.equal(bots.status, 200);
  assert.equal((await bots.json()).bots[0].bot_id, "alpha");
  // The event stream with the token says hello.
  const events = await fetch(`${url}/api/events`, { headers: AUTH });
  assert.equal(events.status, 200);
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: hello")) text += (await reader.read()).value ?? "";
  await reader.cancel();
  // A write still needs it as well, and passes with it (one check, not two).
  assert.equal((await fetch(`${url}/api/bots/alpha/pause`, { method: "POST" })).status, 401);
  const pause = await fetch(`${url}/api/bots/alpha/pause`, { method: "POST", headers: AUTH });
  assert.equal(pause.status, 200, await pause.clone().text());
  await pause.body?.cancel();
});

Deno.test("bound to loopback: reads stay open, writes need the token", async () => {
  await using dir = await tempDir();
  await using s = await serve(dir.path, "127.0.0.1");
  const url = `http://127.0.0.1:${s.port}`;
  const bots = await fetch(`${url}/api/bots`);
  assert.equal(bots.status, 200);
  await bots.body?.cancel();
  const pause = await fetch(`${url}/api/bots/alpha/pause`, { method: "POST" });
  assert.equal(pause.status, 401);
  await pause.body?.cancel();
  assert.deepEqual(
    s.tw.app.routes.length > 0 && new Exposure().openRoutes(s.tw.app).includes("GET /api/audit"),
    true,
  );
});

Deno.test("exempt paths (the webhook's) are reachable without the token off loopback; the open routes say so", async () => {
  await using dir = await tempDir();
  const exposure = new Exposure({ bind: "0.0.0.0", openPaths: ["/api/status/health"] });
  await using s = await serve(dir.path, "0.0.0.0", exposure);
  const url = `http://127.0.0.1:${s.port}`;
  const health = await fetch(`${url}/api/status/health`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
  const bots = await fetch(`${url}/api/bots`);
  assert.equal(bots.status, 401);
  await bots.body?.cancel();
  assert.deepEqual(exposure.openRoutes(s.tw.app), ["ANY /api/status/health"]);
  // The OpenAPI document says the same: every operation but the exempt one needs the token.
  const doc = await (await fetch(`${url}/api/openapi.json`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  })).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const open = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).filter(([, op]) => op.security === undefined).map(([m]) => `${m} ${path}`)
  );
  assert.deepEqual(open, ["get /api/status/health"]);
  assert.deepEqual(new Exposure({ bind: "0.0.0.0" }).openRoutes(s.tw.app), []);
  const reads = new Exposure({ bind: "127.0.0.1" }).openRoutes(s.tw.app);
  assert.ok(reads.includes("GET /api/events") && reads.includes("GET /api/bots/:id"));
  assert.ok(reads.every((r) => r.startsWith("GET ")), reads.join());
});

Deno.test("Host: a foreign name gets 421; loopback names and the bound address are answered", async () => {
  await using dir = await tempDir();
  await using s = await serve(dir.path, "127.0.0.1");
  for (
    const host of [
      `127.0.0.1:${s.port}`,
      `localhost:${s.port}`,
      "localhost",
      "[::1]:8080",
      "127.0.0.2",
    ]
  ) {
    const r = await rawGet("127.0.0.1", s.port, "/api/bots", host);
    assert.equal(r.status, 200, `Host: ${host}`);
  }
  for (
    const host of [
      "evil.example",
      `evil.example:${s.port}`,
      "127.0.0.1.nip.io",
      "localhost.evil.example",
      "192.0.2.200",
    ]
  ) {
    const r = await rawGet("127.0.0.1", s.port, "/api/bots", host);
    assert.equal(r.status, 421, `Host: ${host}`);
    assert.match(
      JSON.parse(r.body).error,
      /is not a name this service answers to: .*TIDEWATCH_ALLOWED_HOSTS/,
    );
  }
  // Refused before the token is looked at, on writes too.
  const w = await rawGet(
    "127.0.0.1",
    s.port,
    "/api/bots/alpha/pause",
    "evil.example",
    AUTH,
    "POST",
  );
  assert.equal(w.status, 421);
});

Deno.test("Host: the bound (non-loopback) address and TIDEWATCH_ALLOWED_HOSTS names are answered", async () => {
  const address = outwardAddress();
  await using dir = await tempDir();
  const bind = address ?? "0.0.0.0";
  const exposure = new Exposure({
    bind,
    allowedHosts: parseAllowedHosts(" tw.example.org, Bots.Example.net:8443 ,"),
  });
  await using s = await serve(dir.path, bind, exposure);
  const target = address ?? "127.0.0.1";
  const hosts = [
    "tw.example.org",
    `TW.example.org:${s.port}`,
    "bots.example.net",
    `localhost:${s.port}`,
  ];
  if (address) hosts.push(`${address}:${s.port}`, address);
  for (const host of hosts) {
    assert.equal(
      (await rawGet(target, s.port, "/api/bots", host, AUTH)).status,
      200,
      `Host: ${host}`,
    );
    assert.equal(
      (await rawGet(target, s.port, "/api/bots", host)).status,
      401,
      `Host: ${host}, no token`,
    );
  }
  for (const host of ["example.org", "evil.tw.example.org", "tw.example.org.evil"]) {
    assert.equal(
      (await rawGet(target, s.port, "/api/bots", host, AUTH)).status,
      421,
      `Host: ${host}`,
    );
  }
});

Deno.test("Host: bound to every interface, the machine's own addresses are answered", () => {
  const e = new Exposure({ bind: "0.0.0.0", interfaceAddresses: ["192.0.2.7", "fd00::7"] });
  assert.equal(e.loopback, false);
  assert.ok(e.acceptsHost("192.0.2.7:8080"));
  assert.ok(e.acceptsHost("[fd00::7]:8080"));
  assert.ok(e.acceptsHost("127.0.0.1"));
  assert.ok(!e.acceptsHost("0.0.0.0:8080"));
  assert.ok(!e.acceptsHost("192.0.2.8"));
  assert.ok(!e.acceptsHost(""));
});

Deno.test("Host: judgements remembered for speed answer the same, however many names are tried", () => {
  const e = new Exposure({ bind: "127.0.0.1", allowedHosts: ["tide.example"] });
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 200; i++) assert.ok(!e.acceptsHost(`evil${i}.example:8080`));
    assert.ok(e.acceptsHost("tide.example:8080"));
    assert.ok(e.acceptsHost("TIDE.example"));
    assert.ok(e.acceptsHost("localhost:8080"));
    assert.ok(!e.acceptsHost("tide.example.evil.example"));
  }
});

Deno.test("CORS is closed: no Access-Control headers, and a preflight is refused", async () => {
  await using dir = await tempDir();
  await using s = await serve(dir.path, "127.0.0.1");
  const url = `http://127.0.0.1:${s.port}`;
  const origin = { Origin: "http://evil.example" };
  const get = await fetch(`${url}/api/bots`, { headers: origin });
  await get.body?.cancel();
  const preflight = await fetch(`${url}/api/bots/alpha/pause`, {
    method: "OPTIONS",
    headers: {
      ...origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization",
    },
  });
  assert.equal(preflight.status, 403);
  assert.match((await preflight.json()).error, /Cross-origin requests are not allowed/);
  for (const res of [get, preflight]) {
    const cors = [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
    assert.deepEqual(cors, []);
  }
});

Deno.test("no 401 or error body names a file path", async () => {
  await using dir = await tempDir();
  await using s = await serve(dir.path, "0.0.0.0");
  const url = `http://127.0.0.1:${s.port}`;
  const bodies: string[] = [];
  const grab = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(url + path, init);
    assert.ok(res.status >= 400, `${path}: ${res.status}`);
    bodies.push(await res.text());
  };
  await grab("/api/bots");
  await grab("/api/bots", { headers: { Authorization: "Basic eA==" } });
  await grab("/api/bots", { headers: { Authorization: "Bearer wrong-token-0123456789" } });
  await grab("/api/nothing", { headers: AUTH });
  await grab("/api/bots/nobody", { headers: AUTH });
  await grab("/api/bots/alpha/decisions?limit=x", { headers: AUTH });
  await grab("/api/backtests", {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ strategy: "nope", symbol: "X/Y", timeframe: "1m" }),
  });
  for (const b of bodies) {
    assert.ok(!b.includes(dir.path) && !b.includes("api_token") && !b.includes("duckdb"), b);
    assert.ok(
      !/(?<![\w])\/(?!api\/)[\w.-]+\/[\w.-]+/.test(b.replace(/"[A-Z]+ \/api\/[^"]*"/g, "")),
      b,
    );
  }
  // The mapping's safety net: any path in a message becomes <path>.
  assert.equal(
    withoutPaths(
      `Cannot open ${dir.path}/e.duckdb (file:///x/strategies/a.ts); see data/api_token`,
    ),
    "Cannot open <path> (<path>); see <path>",
  );
  assert.equal(
    withoutPaths("No route GET /api/bots/x; BTC/USDT:USDT"),
    "No route GET /api/bots/x; BTC/USDT:USDT",
  );
});
