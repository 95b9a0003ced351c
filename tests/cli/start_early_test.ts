// Starting fails early and clearly: a port in use is named with its holder before the database
// exists; a missing or empty configs folder is named; the routes open without a token are said.

import assert from "node:assert/strict";
import { runDeno, spawnDeno } from "../child_process_support.ts";
import { tempDir } from "../support.ts";
import { spawnService } from "../service/service_process_support.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TOKEN = "start-early-token-0123456789abcdef";

async function oneBot(dir: string): Promise<string> {
  await Deno.mkdir(`${dir}/bots`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/bots/one.json`,
    JSON.stringify({ bot_id: "one", strategy: "EMA_Crossover", symbol: "BTC/USDT" }),
  );
  return `${dir}/bots`;
}

/** A safety net for a stuck child (generous for a loaded machine); never a timed assertion. */
const SAFETY_MS = 120_000;

/**
 * Lines of a child's stream, read until `done(line)` is true for one of them; returns all read.
 * The child is killed after {@link SAFETY_MS} if the line never comes, so the test fails.
 */
async function linesUntil(
  child: { kill(signal?: Deno.Signal): void },
  stream: ReadableStream<Uint8Array>,
  done: (line: string) => boolean,
): Promise<string[]> {
  const timer = setTimeout(() => child.kill("SIGKILL"), SAFETY_MS);
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (true) {
      const lines = text.split("\n");
      if (lines.slice(0, -1).some(done)) return lines.slice(0, -1);
      const { value, done: end } = await reader.read();
      if (end) throw new Error(`the stream ended before the line awaited:\n${text}`);
      text += value;
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}

Deno.test("start: a port in use fails before the database is created, naming the port and its holder", async () => {
  await using a = await tempDir();
  await using b = await tempDir();
  const first = await spawnService(
    ["--replay", "--configs", await oneBot(a.path)],
    { TIDEWATCH_DATA_DIR: a.path, TIDEWATCH_API_TOKEN: TOKEN },
    TOKEN,
  );
  try {
    const port = Number(new URL(first.url).port);
    const r = await runDeno([
      "run",
      "-A",
      "src/main.ts",
      "--port",
      String(port),
      "--db",
      `${b.path}/second.duckdb`,
      "--replay",
      "--configs",
      await oneBot(b.path),
    ], { env: { TIDEWATCH_DATA_DIR: b.path }, signal: AbortSignal.timeout(SAFETY_MS) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: Port ${port} on 127\\.0\\.0\\.1 is already in use by process ` +
          `${first.child.pid} \\(deno\\): stop that process, or pick another port with --port`,
      ),
    );
    assert.ok(!r.stderr.includes("unexpected failure"));
    // Nothing was created: no database, no token file.
    const left = [...Deno.readDirSync(b.path)].map((e) => e.name);
    assert.deepEqual(left, ["bots"]);
  } finally {
    await first.stop();
  }
});

Deno.test("start: --configs naming a missing or empty folder is an error naming it", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/empty`);
  await Deno.writeTextFile(`${dir.path}/empty/notes.txt`, "not a bot");
  for (
    const [folder, why] of [
      [`${dir.path}/missing`, "does not exist"],
      [`${dir.path}/empty`, "holds no bot file \\(\\*\\.yaml, \\*\\.yml or \\*\\.json\\)"],
    ]
  ) {
    const r = await runDeno(["run", "-A", "src/main.ts", "--port", "0", "--configs", folder], {
      env: { TIDEWATCH_DATA_DIR: dir.path },
      signal: AbortSignal.timeout(SAFETY_MS),
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^error: The configs folder ${folder} ${why}: give --configs a folder`),
    );
  }
  assert.ok(!(await Deno.stat(`${dir.path}/tidewatch.duckdb`).catch(() => null)));
});

Deno.test("start: no configs/bots where it starts is a warning naming the folder; it runs", async () => {
  await using dir = await tempDir();
  await using child = spawnDeno([
    "run",
    "-A",
    `--config=${ROOT}deno.json`,
    `${ROOT}src/main.ts`,
    "--port",
    "0",
    "--replay",
  ], { cwd: dir.path, env: { TIDEWATCH_DATA_DIR: `${dir.path}/data` } });
  const err = await linesUntil(child, child.stderr, (l) => l.includes("configs"));
  const warning = JSON.parse(err.find((l) => l.includes("configs"))!);
  assert.equal(warning.level, "warn");
  assert.equal(
    warning.msg,
    "The configs folder configs/bots does not exist: the service starts with no bots.",
  );
  const out = await linesUntil(child, child.stdout, (l) => l.includes("tidewatch listening"));
  assert.deepEqual(JSON.parse(out[0]).bots, []);
});

Deno.test("start: the routes reachable without a token are said at start, loudly", async () => {
  await using dir = await tempDir();
  const bots = await oneBot(dir.path);
  {
    await using child = spawnDeno(
      ["run", "-A", "src/main.ts", "--port", "0", "--replay", "--configs", bots],
      { env: { TIDEWATCH_DATA_DIR: dir.path } },
    );
    const err = await linesUntil(child, child.stderr, (l) => l.includes("open_routes"));
    const line = JSON.parse(err.find((l) => l.includes("open_routes"))!);
    assert.equal(line.level, "warn");
    assert.match(line.msg, /^on loopback \(127\.0\.0\.1\) reads need no token; \d+ routes are/);
    assert.ok(line.open_routes.includes("GET /api/audit"), line.open_routes.join());
    assert.ok(line.open_routes.includes("GET /api/events"));
    assert.ok(line.open_routes.every((r: string) => r.startsWith("GET ")));
  }
  {
    await using child = spawnDeno(
      [
        "run",
        "-A",
        "src/main.ts",
        "--port",
        "0",
        "--replay",
        "--configs",
        bots,
        "--host",
        "0.0.0.0",
      ],
      { env: { TIDEWATCH_DATA_DIR: dir.path } },
    );
    const out = await linesUntil(child, child.stdout, (l) => l.includes("open_routes"));
    const line = JSON.parse(out.find((l) => l.includes("open_routes"))!);
    assert.equal(line.level, "info");
    assert.equal(
      line.msg,
      "bound to 0.0.0.0, not loopback: every route needs the API token; no route is reachable " +
        "without it",
    );
    assert.deepEqual(line.open_routes, []);
  }
});

Deno.test("start: the status page is served at / and the start says how it logs in", async () => {
  await using dir = await tempDir();
  const bots = await oneBot(dir.path);
  await using child = spawnDeno(
    ["run", "-A", "src/main.ts", "--port", "0", "--replay", "--configs", bots],
    { env: { TIDEWATCH_DATA_DIR: dir.path } },
  );
  const out = await linesUntil(child, child.stdout, (l) => l.includes('"status page"'));
  const url = JSON.parse(out.find((l) => l.includes("tidewatch listening"))!).url;
  const line = JSON.parse(out.find((l) => l.includes('"status page"'))!);
  assert.equal(line.page, `${url}/`);
  assert.match(line.login, /without login; its controls ask for the API token/);
  const page = await fetch(`${url}/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<title>Tidewatch<\/title>/);
  const css = /href="(\/assets\/page\.css\?v=[0-9a-f]+)"/.exec(html)![1];
  const sheet = await fetch(`${url}${css}`);
  assert.equal(sheet.status, 200);
  assert.match(await sheet.text(), /--bg/);
});
