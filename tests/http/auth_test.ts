// Tests for the bearer-token middleware through app.request(): missing, malformed, wrong, right.

import assert from "node:assert/strict";
import { Hono } from "hono";
import { ConfigError } from "../../src/core/errors.ts";
import { requireBearer, tokensEqual } from "../../src/http/auth.ts";

const TOKEN = "s3cret-token-0123456789abcdef";

function app(): Hono {
  const a = new Hono();
  a.use("/api/*", requireBearer(TOKEN));
  a.get("/api/bots", (c) => c.json({ bots: [] }));
  a.get("/public", (c) => c.text("open"));
  return a;
}

const CASES: [name: string, header: string | undefined, status: number, error?: RegExp][] = [
  ["no header", undefined, 401, /^Missing bearer token: send Authorization: Bearer <token> \(the/],
  ["empty header", "", 401, /^Missing bearer token/],
  ["basic scheme", "Basic dXNlcjpwYXNz", 401, /^Malformed Authorization header: send/],
  ["bearer without token", "Bearer", 401, /^Malformed Authorization header/],
  ["token with a space", `Bearer ${TOKEN} extra`, 401, /^Malformed Authorization header/],
  ["wrong token", "Bearer not-the-token-0123456789", 401, /^Wrong bearer token: send/],
  ["a prefix of the token", `Bearer ${TOKEN.slice(0, 10)}`, 401, /^Wrong bearer token/],
  ["the token plus more", `Bearer ${TOKEN}x`, 401, /^Wrong bearer token/],
  ["right token", `Bearer ${TOKEN}`, 200],
  ["scheme in lower case", `bearer ${TOKEN}`, 200],
  ["extra blanks", `Bearer   ${TOKEN}  `, 200],
];

for (const [name, header, status, error] of CASES) {
  Deno.test(`requireBearer: ${name} → ${status}`, async () => {
    const res = await app().request("/api/bots", {
      headers: header === undefined ? {} : { Authorization: header },
    });
    assert.equal(res.status, status);
    const body = await res.json();
    if (status === 200) {
      assert.deepEqual(body, { bots: [] });
      return;
    }
    assert.match(body.error, error!);
    // It says where to look (the start-up log), never where the token is kept.
    assert.ok(body.error.endsWith("(the service's start-up log says where the token is)."));
    assert.ok(
      !/api_token|\/|file/.test(body.error.replace("Authorization: Bearer", "")),
      body.error,
    );
    assert.deepEqual(Object.keys(body), ["error"]);
    // Neither the expected token nor what was sent is echoed, in the body or the headers.
    const everything = JSON.stringify(body) + JSON.stringify([...res.headers]);
    assert.ok(!everything.includes(TOKEN.slice(0, 10)));
    assert.ok(!everything.includes("not-the-token"));
    assert.ok(!everything.includes("dXNlcjpwYXNz"));
    assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer realm="tidewatch"/);
  });
}

Deno.test("requireBearer: routes outside the middleware stay open", async () => {
  const res = await app().request("/public");
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "open");
});

Deno.test("requireBearer: wrong token says invalid_token in WWW-Authenticate", async () => {
  const res = await app().request("/api/bots", { headers: { Authorization: "Bearer nope" } });
  assert.equal(
    res.headers.get("WWW-Authenticate"),
    'Bearer realm="tidewatch", error="invalid_token"',
  );
});

Deno.test("requireBearer: an empty token is refused", () => {
  assert.throws(() => requireBearer(""), ConfigError);
});

Deno.test("tokensEqual: equal only for identical strings", async () => {
  assert.equal(await tokensEqual("abc", "abc"), true);
  assert.equal(await tokensEqual("abc", "abd"), false);
  assert.equal(await tokensEqual("abc", "abcd"), false);
  assert.equal(await tokensEqual("", "a"), false);
});
