// Test helpers: temp directories, a candle factory, and running the CLI as a subprocess.

import { allocColumns, type Candle, type CandleColumns } from "../src/core/candles.ts";
import { runDeno } from "./child_process_support.ts";

/** A fresh temp directory, removed when the returned disposer runs. */
export async function tempDir(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await Deno.makeTempDir({ prefix: "tidewatch_test_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** `n` well-formed candles every `stepMs` from `start`, prices from a simple deterministic wave. */
export function makeCandles(
  n: number,
  start = Date.UTC(2024, 0, 1),
  stepMs = 60_000,
): CandleColumns {
  const c = allocColumns(n);
  for (let i = 0; i < n; i++) {
    const base = 100 + (i % 17) - (i % 5) * 0.5;
    c.ts[i] = start + i * stepMs;
    c.open[i] = base;
    c.close[i] = base + ((i % 3) - 1) * 0.25;
    c.high[i] = Math.max(c.open[i], c.close[i]) + 0.5;
    c.low[i] = Math.min(c.open[i], c.close[i]) - 0.5;
    c.volume[i] = 10 + (i % 7);
  }
  return c;
}

/** Result of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A <script> ...args` from the project root with extra env, capturing output.
 * The child dies with the test run (see tests/child_process_support.ts).
 */
export async function runCli(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const out = await runDeno(["run", "-A", script, ...args], { env });
  return { code: out.code, stdout: out.stdout, stderr: out.stderr };
}

/** A candle from its fields in the usual order: open time, open, high, low, close, volume. */
export function k(
  ts: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): Candle {
  return { ts, open, high, low, close, volume };
}

/** Throws when `text` carries any of the values of `secrets` (API keys never reach a log). */
export function assertNoSecrets(text: string, secrets: object): void {
  for (const v of Object.values(secrets)) {
    if (typeof v === "string" && v !== "" && text.includes(v)) {
      throw new Error(`a key leaked into: ${text.slice(0, 300)}`);
    }
  }
}

/**
 * Where replaying services in tests start their market (UTC): a fixed time, so the synthetic
 * candles, and what the bots decide on them, do not depend on the hour the tests run.
 */
export const REPLAY_START = Date.UTC(2026, 0, 5, 12);
