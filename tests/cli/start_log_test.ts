// The service's console as a child process: JSON lines when stdout is not a terminal, readable
// lines with --log-format text; a bad --log-format is refused.

import assert from "node:assert/strict";
import { runCli, tempDir } from "../support.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Starts the service (replaying, one bot), returns its stdout up to the first line; stops it. */
async function firstLine(dir: string, extra: string[]): Promise<string> {
  await Deno.mkdir(`${dir}/bots`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/bots/one.json`,
    JSON.stringify({ bot_id: "one", strategy: "EMA_Crossover", symbol: "BTC/USDT" }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "src/main.ts",
      "--port",
      "0",
      "--replay",
      "--configs",
      `${dir}/bots`,
      ...extra,
    ],
    cwd: ROOT,
    env: { TIDEWATCH_DATA_DIR: dir, NO_COLOR: "1", TZ: "UTC" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  try {
    while (!seen.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`service exited early: ${seen}`);
      seen += value;
    }
  } finally {
    child.kill("SIGTERM");
    await reader.cancel().catch(() => {});
    const status = await child.status;
    await child.stderr.cancel().catch(() => {});
    assert.equal(status.code, 0);
  }
  return seen.split("\n")[0];
}

Deno.test("start: stdout not a terminal gives JSON lines", async () => {
  await using dir = await tempDir();
  const line = await firstLine(dir.path, []);
  const started = JSON.parse(line);
  assert.equal(started.level, "info");
  assert.equal(started.msg, "tidewatch listening");
  assert.deepEqual(started.bots, ["one"]);
  assert.deepEqual(started.replay, { speed: 60 });
  assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

Deno.test("start --log-format text: one short readable line, the token's place, never its value", async () => {
  await using dir = await tempDir();
  const line = await firstLine(dir.path, ["--log-format", "text"]);
  assert.match(
    line,
    /^\d\d:\d\d:\d\d Tidewatch [\d.]+ on http:\/\/127\.0\.0\.1:\d+: 1 paper bot, replaying at 60x; database .*tidewatch\.duckdb; API token created in the file .*api_token; chat off \(set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN\)$/,
  );
  const token = (await Deno.readTextFile(`${dir.path}/api_token`)).trim();
  assert.ok(!line.includes(token));
});

Deno.test("start --log-format xml is refused with the choices", async () => {
  const r = await runCli("src/main.ts", ["--log-format", "xml"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--log-format "xml" is unknown: use text or json\./);
});
