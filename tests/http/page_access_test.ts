// Who may see and steer the status page: log in with the API token for an HttpOnly SameSite
// session, a CSRF token on every write, logout, expiry, and a non-loopback bind that shows
// nothing (page or API reads) without login. The token never shows in the page or the log.

import assert from "node:assert/strict";
import { assemble } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Exposure } from "../../src/http/exposure.ts";
import { Sessions } from "../../src/http/session.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";

const TOKEN = "page-access-token-0123456789abcdef";

async function start(dir: string, bind = "127.0.0.1") {
  const db = await Db.open(`${dir}/p.duckdb`);
  const tw = await assemble({
    db,
    entries: [await entry("alpha")],
    auth: requireBearer(TOKEN),
    apiToken: TOKEN,
    version: "test",
    replay: { speed: 60, startTs: REPLAY_START },
    exposure: new Exposure({ bind, interfaceAddresses: [] }),
  });
  const req = (path: string, init: RequestInit = {}) => tw.app.request(path, init);
  return {
    tw,
    req,
    async [Symbol.asyncDispose]() {
      await tw.close();
      await db.close();
    },
  };
}

type Req = (path: string, init?: RequestInit) => Response | Promise<Response>;

/** Logs in through the form; answers the cookie header to send and the page's CSRF token. */
async function logIn(req: Req): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await req("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/");
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0];
  const page = await (await req("/", { headers: { cookie } })).text();
  const boot = JSON.parse(
    /<script type="application\/json" id="boot">(.*?)<\/script>/s.exec(page)![1],
  );
  assert.equal(boot.loggedIn, true);
  return { cookie, csrf: boot.csrf, setCookie };
}

Deno.test("page: loopback shows the page without login; login sets an HttpOnly SameSite=Strict cookie", async () => {
  await using dir = await tempDir();
  await using s = await start(dir.path);
  const anon = await s.req("/");
  assert.equal(anon.status, 200);
  assert.match(anon.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.equal(anon.headers.get("x-frame-options"), "DENY");
  const html = await anon.text();
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /"loggedIn":false/);
  assert.match(html, /"csrf":null/);

  const wrong = await s.req("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "token=nope",
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("set-cookie"), null);
  assert.match(await wrong.text(), /not the API token/);

  const { cookie, setCookie } = await logIn(s.req);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\//);
  assert.match(setCookie, /Max-Age=\d+/);
  const page = await (await s.req("/", { headers: { cookie } })).text();
  assert.ok(!page.includes(TOKEN), "the token is never in the page");
  assert.ok(!setCookie.includes(TOKEN), "the cookie is a session id, not the token");

  // JSON login (the page's dialog) answers the CSRF token.
  const json = await s.req("/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: TOKEN }),
  });
  assert.equal(json.status, 200);
  assert.match((await json.json()).csrf, /^[0-9a-f]{48}$/);
});

Deno.test("page: a write needs the session's CSRF token, from this origin; logout ends the session", async () => {
  await using dir = await tempDir();
  await using s = await start(dir.path);
  const { cookie, csrf } = await logIn(s.req);

  const none = await s.req("/api/bots/alpha/pause", { method: "POST" });
  assert.equal(none.status, 401, "no session, no token");
  const noCsrf = await s.req("/api/bots/alpha/pause", { method: "POST", headers: { cookie } });
  assert.equal(noCsrf.status, 403);
  assert.match((await noCsrf.json()).error, /CSRF/);
  const wrongCsrf = await s.req("/api/bots/alpha/pause", {
    method: "POST",
    headers: { cookie, "x-csrf-token": "0".repeat(48) },
  });
  assert.equal(wrongCsrf.status, 403);
  const foreign = await s.req("/api/bots/alpha/pause", {
    method: "POST",
    headers: { cookie, "x-csrf-token": csrf, origin: "https://evil.example" },
  });
  assert.equal(foreign.status, 403, "a foreign Origin is refused even with the CSRF token");

  const ok = await s.req("/api/bots/alpha/pause", {
    method: "POST",
    headers: { cookie, "x-csrf-token": csrf, origin: "http://localhost" },
  });
  assert.equal(ok.status, 200, await ok.clone().text());
  const audit = (await (await s.req("/api/audit?limit=5")).json()).audit;
  assert.equal(audit[0].action, "pause");
  assert.equal(audit[0].surface, "web");

  // Logout needs the CSRF token too, then the cookie is worthless.
  const badLogout = await s.req("/logout", { method: "POST", headers: { cookie } });
  assert.equal(badLogout.status, 403);
  const out = await s.req("/logout", {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf }).toString(),
  });
  assert.equal(out.status, 303);
  assert.match(out.headers.get("set-cookie") ?? "", /tw_session=;.*Max-Age=0/);
  const after = await s.req("/api/bots/alpha/resume", {
    method: "POST",
    headers: { cookie, "x-csrf-token": csrf },
  });
  assert.equal(after.status, 401);
});

Deno.test("page: off loopback nothing shows without login, reads of the API included", async () => {
  await using dir = await tempDir();
  await using s = await start(dir.path, "10.11.12.13");
  const page = await s.req("/");
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), "/login");
  const login = await s.req("/login");
  assert.equal(login.status, 200);
  assert.match(await login.text(), /name="token"/);
  assert.equal((await s.req("/api/bots")).status, 401);
  assert.equal((await s.req("/api/events")).status, 401);
  assert.equal((await s.req("/api/audit")).status, 401);
  // Static files hold no data: the login page needs its style sheet.
  assert.equal((await s.req("/assets/page.css")).status, 200);

  const { cookie } = await logIn(s.req);
  const bots = await s.req("/api/bots", { headers: { cookie } });
  assert.equal(bots.status, 200);
  assert.equal((await bots.json()).bots[0].bot_id, "alpha");
  const shell = await s.req("/", { headers: { cookie } });
  assert.equal(shell.status, 200);
  assert.match(await shell.text(), /"openReads":false/);
});

Deno.test("page: logging in, a wrong token and a page write leave the token out of the log", async () => {
  await using dir = await tempDir();
  await using s = await start(dir.path);
  const lines: string[] = [];
  const { log, error, warn } = console;
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  console.log = console.error = console.warn = keep;
  try {
    await s.req("/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: `${TOKEN}x` }),
    });
    const { cookie, csrf } = await logIn(s.req);
    await s.req("/api/bots/alpha/pause", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
    });
    await s.req("/api/bots/nobody/pause", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
    });
  } finally {
    Object.assign(console, { log, error, warn });
  }
  assert.ok(lines.some((l) => l.includes("status page login refused")), lines.join("\n"));
  assert.ok(lines.some((l) => /"msg":"status page login"/.test(l)), lines.join("\n"));
  assert.ok(lines.every((l) => !l.includes(TOKEN)), lines.join("\n"));
});

Deno.test("sessions: a wrong token makes none; they expire and are bounded", async () => {
  let now = 0;
  const sessions = new Sessions(TOKEN, { ttlMs: 1000, max: 2, now: () => now });
  assert.equal(await sessions.login("wrong"), undefined);
  const a = (await sessions.login(TOKEN))!;
  const b = (await sessions.login(TOKEN))!;
  assert.notEqual(a.id, b.id);
  assert.equal(sessions.size, 2);
  await sessions.login(TOKEN); // a third pushes out the oldest
  assert.equal(sessions.size, 2);
  now = 1001;
  assert.equal(sessions.size, 0, "expired after the TTL");
});

Deno.test("page assets: hashed addresses cached a year, brotli and gzip, 304 on ETag, small first load", async () => {
  await using dir = await tempDir();
  await using s = await start(dir.path);
  const html = await (await s.req("/")).text();
  const app = /src="(\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(html)![1];
  const br = await s.req(app, { headers: { "accept-encoding": "gzip, br" } });
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.match(br.headers.get("cache-control") ?? "", /immutable/);
  const gz = await s.req(app, { headers: { "accept-encoding": "gzip" } });
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  const etag = gz.headers.get("etag")!;
  await br.body?.cancel();
  await gz.body?.cancel();
  const again = await s.req("/assets/app.js", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal((await s.req("/assets/nothing.js")).status, 404);
  const manifest = await (await s.req("/manifest.webmanifest")).json();
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.some((i: { sizes: string }) => i.sizes === "512x512"));

  // Every file the page may load (charts included), compressed, stays within 300 KB.
  let total = new TextEncoder().encode(html).length;
  const names: string[] = [];
  for await (const e of walk(new URL("../../src/http/page/client/", import.meta.url))) {
    names.push(e);
  }
  names.push("lightweight-charts.mjs");
  for (const n of names) {
    const res = await s.req(`/assets/${n}`, { headers: { "accept-encoding": "br" } });
    assert.equal(res.status, 200, n);
    total += (await res.arrayBuffer()).byteLength;
  }
  assert.ok(total <= 300 * 1024, `first load ${Math.round(total / 1024)} KB compressed`);
});

async function* walk(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
    else yield prefix + e.name;
  }
}
