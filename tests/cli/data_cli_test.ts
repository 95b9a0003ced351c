// The data CLI end to end as a user runs it: synth, list, check, resample, export, import, errors.

import assert from "node:assert/strict";
import { runCli, tempDir } from "../support.ts";

const CLI = "src/cli/data.ts";

Deno.test("synth -> list -> check -> resample -> export -> import, on --db", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/cli.duckdb`;
  const run = (...args: string[]) => runCli(CLI, [...args, "--db", db]);

  let r = await run(
    "synth",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--bars",
    "2880",
    "--seed",
    "42",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /Stored 2880 synthetic candles as synthetic SYN\/USDT 1m: 2024-01-01T00:00:00\.000Z/,
  );

  r = await run(
    "check",
    "--exchange",
    "synthetic",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--json",
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.candles, 2880);

  r = await run(
    "resample",
    "--exchange",
    "synthetic",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1m",
    "--to",
    "1h,1d",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1m -> 1h: 48 candles/);
  assert.match(r.stdout, /1m -> 1d: 2 candles/);

  r = await run("list", "--json");
  const listed = JSON.parse(r.stdout).map((s: { timeframe: string; count: number }) =>
    `${s.timeframe}:${s.count}`
  );
  assert.deepEqual(listed.sort(), ["1d:2", "1h:48", "1m:2880"]);

  const csv = `${dir.path}/h.csv`;
  r = await run(
    "export",
    "--exchange",
    "synthetic",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1h",
    "--file",
    csv,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await Deno.readTextFile(csv)).trim().split("\n").length, 49);

  r = await run(
    "import",
    "--file",
    csv,
    "--exchange",
    "okx",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1h",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Imported 48 candles into okx SYN\/USDT 1h \(0 replaced/);

  r = await run("list");
  assert.match(r.stdout, /exchange\s+symbol\s+timeframe\s+first\s+last\s+count/);
  assert.match(
    r.stdout,
    /okx\s+SYN\/USDT\s+1h\s+2024-01-01T00:00:00\.000Z\s+2024-01-02T23:00:00\.000Z\s+48/,
  );
});

Deno.test("check on a bad file exits 1 and lists each problem with its time", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/bad.csv`;
  await Deno.writeTextFile(
    file,
    [
      "timestamp,open,high,low,close,volume",
      "2024-01-01T00:00:00Z,10,11,9,10,1",
      "2024-01-01T00:01:00Z,10,9.5,9,10,1",
      "2024-01-01T00:04:00Z,10,11,9,10,1",
      "2024-01-01T00:04:00Z,10,11,9,10,1",
    ].join("\n"),
  );
  const r = await runCli(CLI, ["check", "--file", file, "--timeframe", "1m", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  const kinds = report.problems.map((p: { kind: string; time: string }) => `${p.kind}@${p.time}`);
  assert.deepEqual(kinds.sort(), [
    "duplicate@2024-01-01T00:04:00.000Z",
    "gap@2024-01-01T00:02:00.000Z",
    "high_below_open_close@2024-01-01T00:01:00.000Z",
  ]);
  const plain = await runCli(CLI, ["check", "--file", file, "--timeframe", "1m"]);
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /3 problem\(s\)/);
});

Deno.test("usage errors are one clear line and exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /Unknown data command "frobnicate"/],
    [["synth", "--bars", "10"], /"deno task data synth" needs --seed/],
    [["synth", "--bars", "ten", "--seed", "1"], /--bars "ten" must be a positive whole number/],
    [["synth", "--bars", "10", "--seed", "1", "--colour", "red"], /Unknown option '--colour'/],
    [[
      "download",
      "--exchange",
      "kraken",
      "--symbol",
      "X",
      "--timeframe",
      "1m",
      "--since",
      "2024-01-01",
    ], /Exchange "kraken" is not supported: use one of okx, binanceusdm, bybit, coinbase/],
    [
      ["check", "--exchange", "okx", "--symbol", "BTC/USDT", "--timeframe", "2x"],
      /Timeframe "2x" is not valid/,
    ],
    [[
      "download",
      "--exchange",
      "okx",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1m",
      "--since",
      "last tuesday",
    ], /--since "last tuesday" is not a time/],
  ];
  await using dir = await tempDir();
  for (const [args, expected] of cases) {
    const r = await runCli(CLI, [...args, "--db", `${dir.path}/u.duckdb`]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, expected);
    assert.match(r.stderr, /^error: /);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/); // no stack trace
  }
  const help = await runCli(CLI, ["download", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--exchange okx\|binanceusdm/);
});

Deno.test("download from the fake exchange through TIDEWATCH_OKX_URL, then resume with nothing to do", async () => {
  const { startFakeExchange } = await import("../fakes/fake_exchange.ts");
  const fake = await startFakeExchange({ markets: { okx: ["BTC/USDT"] } });
  await using dir = await tempDir();
  try {
    const t0 = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 500 }, (_, i) => ({
      ts: t0 + i * 60_000,
      open: 100,
      high: 101,
      low: 99,
      close: 100.5,
      volume: 3,
    })).filter((_, i) => i < 200 || i >= 210);
    fake.setCandles("okx", "BTC/USDT", "1m", rows);
    const args = [
      "download",
      "--exchange",
      "okx",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1m",
      "--since",
      "2024-01-01",
      "--until",
      "2024-01-01T08:20:00Z",
      "--db",
      `${dir.path}/d.duckdb`,
    ];
    const env = { TIDEWATCH_OKX_URL: fake.url };
    const r = await runCli(CLI, args, env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /okx BTC\/USDT 1m .*490 new candles in \d+ requests/);
    assert.ok(!r.stderr.includes("\x1b"), "not a terminal: no control codes");
    assert.match(r.stdout, /stored 2024-01-01T00:00:00\.000Z \.\. 2024-01-01T08:19:00\.000Z/);
    assert.match(r.stdout, /no candles for 1 stretch/);
    assert.match(
      r.stdout,
      /2024-01-01T03:20:00\.000Z \.\. 2024-01-01T03:30:00\.000Z \(10 candles missing\)/,
    );
    const again = await runCli(CLI, args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already up to date/);
  } finally {
    await fake.close();
  }
});

Deno.test("import a TradingView export without --timeframe: inferred and said; a bad row stores nothing", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/tv.duckdb`;
  const tv = `${dir.path}/BINANCE_BTCUSDT, 15.csv`;
  const t0 = 1704067200; // seconds, as TradingView writes them
  const rows = Array.from(
    { length: 8 },
    (_, i) => `${t0 + i * 900},100,101,99,100.5,${3 + i},NaN`,
  );
  await Deno.writeTextFile(tv, "time,open,high,low,close,Volume,Volume MA\n" + rows.join("\n"));
  const base = ["import", "--file", tv, "--exchange", "binance", "--symbol", "BTC/USDT"];
  const r = await runCli(CLI, [...base, "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr.trim(),
    "timeframe 15m inferred from the candle spacing (pass --timeframe to choose)",
  );
  assert.match(r.stdout, /Imported 8 candles into binance BTC\/USDT 15m \(0 replaced/);

  const bad = `${dir.path}/bad.csv`;
  rows[5] = `${t0 + 5 * 900},100,101,abc,100.5,3,NaN`;
  await Deno.writeTextFile(bad, "time,open,high,low,close,Volume,Volume MA\n" + rows.join("\n"));
  const other = await runCli(CLI, [...base, "--file", bad, "--symbol", "ETH/USDT", "--db", db]);
  assert.equal(other.code, 2);
  assert.equal(
    other.stderr.trim(),
    `error: ${bad}:7: low "abc" is not a number. Nothing was imported.`,
  );
  const odd = `${dir.path}/odd.csv`;
  rows.splice(5, 1);
  rows[6] = `${t0 + 7 * 900 + 60},100,101,99,100.5,3,NaN`; // 16 minutes after the one before
  await Deno.writeTextFile(odd, "time,open,high,low,close,Volume,Volume MA\n" + rows.join("\n"));
  const irregular = await runCli(CLI, [...base, "--file", odd, "--symbol", "SOL/USDT", "--db", db]);
  assert.equal(irregular.code, 2);
  assert.match(
    irregular.stderr,
    /odd\.csv: cannot infer the timeframe: the candles are irregular: most are 15m apart, but 16m steps/,
  );
  const list = JSON.parse((await runCli(CLI, ["list", "--json", "--db", db])).stdout);
  assert.deepEqual(list.map((s: { symbol: string }) => s.symbol), ["BTC/USDT"]);
});
