// .env files: the parser's forms and errors, loading with real variables winning, and a CLI
// started in a folder with a .env using it.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { loadDotenv, parseDotenv } from "../../src/core/dotenv.ts";
import { tempDir } from "../support.ts";

Deno.test("parseDotenv: bare, quoted, export, comments, escapes, multi-line", () => {
  const text = [
    "\uFEFF# a comment",
    "",
    "PLAIN=value",
    "  SPACED =  two words   ",
    "export EXPORTED=yes",
    "INLINE=abc # a note",
    "HASHED=abc#def",
    "EMPTY=",
    `DOUBLE="a \\"b\\"\\n\\tc # not a comment"`,
    "SINGLE='raw \\n $HOME # kept'",
    `MULTI="line one`,
    `line two" # after`,
    "URL=http://127.0.0.1:9000/path?x=1&y=2",
    "EQUALS=a=b=c",
    "CRLF=x\r",
  ].join("\n");
  assert.deepEqual(parseDotenv(text, ".env"), {
    PLAIN: "value",
    SPACED: "two words",
    EXPORTED: "yes",
    INLINE: "abc",
    HASHED: "abc#def",
    EMPTY: "",
    DOUBLE: 'a "b"\n\tc # not a comment',
    SINGLE: "raw \\n $HOME # kept",
    MULTI: "line one\nline two",
    URL: "http://127.0.0.1:9000/path?x=1&y=2",
    EQUALS: "a=b=c",
    CRLF: "x",
  });
});

Deno.test("parseDotenv: a bad line names the file and line, never the value", () => {
  const cases: [string, RegExp][] = [
    ["OK=1\nno equals sign here", /^my\.env:2: expected KEY=VALUE/],
    ["1BAD=x", /^my\.env:1: expected KEY=VALUE/],
    ['A=1\nSECRET="s3cr3t-value', /^my\.env:2: the value of SECRET opens a " quote/],
    ["SECRET='s3cr3t-value' trailing", /^my\.env:1: text after the quoted value of SECRET/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => parseDotenv(text, "my.env"), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, expected);
      assert.doesNotMatch(err.message, /s3cr3t/);
      return true;
    });
  }
});

Deno.test("loadDotenv: sets what is unset, real variables win, no file is fine", async () => {
  await using dir = await tempDir();
  const vars = new Map<string, string>([["TIDEWATCH_PORT", "9999"]]);
  const env = { get: (k: string) => vars.get(k), set: (k: string, v: string) => vars.set(k, v) };
  const path = `${dir.path}/.env`;
  await Deno.writeTextFile(path, "TIDEWATCH_PORT=8081\nTIDEWATCH_DATA_DIR=./elsewhere\n");
  const res = await loadDotenv({ path, env });
  assert.deepEqual(res, { path, loaded: ["TIDEWATCH_DATA_DIR"], kept: ["TIDEWATCH_PORT"] });
  assert.equal(vars.get("TIDEWATCH_PORT"), "9999");
  assert.equal(vars.get("TIDEWATCH_DATA_DIR"), "./elsewhere");
  assert.deepEqual(await loadDotenv({ path: `${dir.path}/none.env`, env }), {
    loaded: [],
    kept: [],
  });
});

Deno.test("a command started in a folder with a .env uses it; the environment wins", async () => {
  await using dir = await tempDir();
  const root = new URL("../../", import.meta.url).pathname;
  await Deno.writeTextFile(`${dir.path}/.env`, "export TIDEWATCH_DATA_DIR=./from_dotenv\n");
  const run = async (env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${root}deno.json`, `${root}src/cli/data.ts`, "list"],
      cwd: dir.path,
      env: { NO_COLOR: "1", TZ: "UTC", ...passed, ...env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  };
  // Only what a Deno needs to run, so this machine's variables cannot decide the test.
  const passed = Object.fromEntries(
    ["DENO_DIR", "XDG_CACHE_HOME"].flatMap((k) => Deno.env.get(k) ? [[k, Deno.env.get(k)!]] : []),
  );
  const path = Deno.env.get("PATH") ?? "";
  const home = Deno.env.get("HOME") ?? dir.path;
  const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
  await run({ PATH: path, HOME: home });
  assert.ok(await exists(`${dir.path}/from_dotenv/tidewatch.duckdb`), "the .env's data dir");
  await run({ PATH: path, HOME: home, TIDEWATCH_DATA_DIR: `${dir.path}/from_env` });
  assert.ok(await exists(`${dir.path}/from_env/tidewatch.duckdb`), "the real variable's");
});
