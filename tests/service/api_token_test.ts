// Tests for resolving the API token: the environment variable, and the private token file.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import {
  API_TOKEN_ENV,
  apiTokenLocation,
  newToken,
  resolveApiToken,
  storedApiToken,
} from "../../src/service/api_token.ts";
import { tempDir } from "../support.ts";

const isPosix = Deno.build.os !== "windows";

Deno.test("api token: the environment variable wins, and no file is written", async () => {
  await using dir = await tempDir();
  const token = "env-token-0123456789";
  const t = await resolveApiToken({ env: { [API_TOKEN_ENV]: token }, dataDir: dir.path });
  assert.deepEqual(t, { token, source: "env", created: false });
  assert.equal([...Deno.readDirSync(dir.path)].length, 0);
  assert.match(apiTokenLocation(t), /TIDEWATCH_API_TOKEN environment variable/);
});

const BAD_ENV: [value: string, message: RegExp][] = [
  ["", /TIDEWATCH_API_TOKEN is empty: set a longer one, or unset it/],
  ["   ", /TIDEWATCH_API_TOKEN is empty/],
  ["short-token", /holds a token of 11 characters; at least 16 are needed/],
  ["has a space in it 0123456789", /characters a bearer token cannot carry/],
];

for (const [value, message] of BAD_ENV) {
  Deno.test(`api token: TIDEWATCH_API_TOKEN=${JSON.stringify(value)} is refused`, async () => {
    await using dir = await tempDir();
    const err = await resolveApiToken({ env: { [API_TOKEN_ENV]: value }, dataDir: dir.path })
      .then(() => undefined, (e) => e);
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, message);
    if (value.trim()) assert.ok(!err.message.includes(value), "the token is not echoed");
  });
}

Deno.test("api token: created on first start with mode 0600, then read back", async () => {
  await using dir = await tempDir();
  const dataDir = `${dir.path}/data`; // missing: created
  const first = await resolveApiToken({ env: {}, dataDir });
  assert.equal(first.source, "file");
  assert.equal(first.path, `${dataDir}/api_token`);
  assert.equal(first.created, true);
  assert.equal(first.warning, undefined);
  assert.match(first.token, /^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url, no padding
  assert.equal(await Deno.readTextFile(first.path!), `${first.token}\n`);
  if (isPosix) assert.equal((await Deno.stat(first.path!)).mode! & 0o777, 0o600);

  const again = await resolveApiToken({ env: {}, dataDir });
  assert.deepEqual(again, { ...first, created: false });
  assert.match(apiTokenLocation(again), /the file .*data\/api_token on the service's machine/);
});

Deno.test("api token: a group/world-readable file is made private, with a warning", {
  ignore: !isPosix,
}, async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/api_token`;
  const token = "handwritten-token-0123456789";
  await Deno.writeTextFile(path, `  ${token}\n\n`);
  await Deno.chmod(path, 0o644);
  const t = await resolveApiToken({ env: {}, dataDir: dir.path });
  assert.equal(t.token, token);
  assert.equal(t.created, false);
  assert.match(t.warning!, /was readable by other users \(mode 644\); it is now 600/);
  assert.ok(!t.warning!.includes(token));
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
});

Deno.test("api token: an empty or short token file is a ConfigError", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/api_token`;
  await Deno.writeTextFile(path, "\n", { mode: 0o600 });
  await assert.rejects(
    resolveApiToken({ env: {}, dataDir: dir.path }),
    /The token file .*api_token is empty: delete the file to get a new token/,
  );
  await Deno.writeTextFile(path, "abc\n");
  await assert.rejects(
    resolveApiToken({ env: {}, dataDir: dir.path }),
    (e) => e instanceof ConfigError && /3 characters; at least 16/.test(e.message),
  );
});

Deno.test("api token: new tokens differ", () => {
  const seen = new Set(Array.from({ length: 50 }, newToken));
  assert.equal(seen.size, 50);
});

Deno.test("storedApiToken: the variable, else the file, else nothing; it never creates a file", async () => {
  await using dir = await tempDir();
  assert.equal(await storedApiToken({ env: {}, dataDir: dir.path }), undefined);
  await assert.rejects(() => Deno.stat(`${dir.path}/api_token`), Deno.errors.NotFound);
  const made = await resolveApiToken({ env: {}, dataDir: dir.path });
  assert.equal(await storedApiToken({ env: {}, dataDir: dir.path }), made.token);
  const env = { TIDEWATCH_API_TOKEN: "from-the-environment-0123" };
  assert.equal(await storedApiToken({ env, dataDir: dir.path }), env.TIDEWATCH_API_TOKEN);
});
