// The service with the five example bots, and with twenty (replay feed): resident memory and
// candle-to-order latency.

import type { BenchRow } from "./backtest_bench.ts";
import { startService } from "./service_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;

function statusField(pid: number, field: string): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * Starts `deno task start --replay` on the shipped configs/bots (5 bots) in a temporary data
 * directory, lets it run `seconds` of wall time at `speed`, then reads the process's resident
 * memory (now and peak) and the bots' latency from a closed candle's arrival to its orders
 * reaching the paper broker.
 */
export async function benchService(seconds = 20, speed = 600, copies = 1): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_service_bench_" });
  const configs = copies > 1 ? await copiedBots(dir, copies) : undefined;
  const service = await startService(dir, [
    "--speed",
    String(speed),
    ...(configs ? ["--configs", configs] : []),
  ]);
  const { child, url } = service;
  try {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const rss = statusField(child.pid, "VmRSS");
    const peak = statusField(child.pid, "VmHWM");
    const bots = (await (await fetch(`${url}/api/bots`)).json()).bots as {
      bot_id: string;
      state: string;
      latency_ms: { n: number; p50: number; p99: number } | null;
    }[];
    const running = bots.filter((b) => b.state === "running").length;
    const lat = bots.map((b) => b.latency_ms).filter((l) => l !== null);
    const n = lat.reduce((a, l) => a + l!.n, 0);
    const p50 = Math.max(...lat.map((l) => l!.p50));
    const p99 = Math.max(...lat.map((l) => l!.p99));
    return [
      {
        name: `service RSS with ${running} bots running (replay x${speed}, ${seconds}s)`,
        value: Math.round(rss / 2 ** 20),
        unit: "MiB",
        goal: copies > 1 ? "(reported)" : "< 250",
        met: copies > 1 || rss < 250 * 2 ** 20,
      },
      {
        name: "service peak RSS (VmHWM) over the same run",
        value: Math.round(peak / 2 ** 20),
        unit: "MiB",
        goal: "(reported)",
        met: true,
      },
      {
        name: `paper: candle arrival -> order at broker, p50 (worst bot, ${n} candles)`,
        value: p50,
        unit: "ms",
        goal: "(reported)",
        met: true,
      },
      {
        name: "paper: candle arrival -> order at broker, p99 (worst bot)",
        value: p99,
        unit: "ms",
        goal: copies > 1 ? "(reported)" : "< 50",
        met: copies > 1 || p99 < 50,
      },
    ];
  } finally {
    await service.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A bots folder holding `copies` of each shipped example bot (ids suffixed `_2`, `_3`, …; JSON,
 * so YAML examples are parsed and written back): 20 bots from the 5 examples with `copies` 4.
 */
export async function copiedBots(dir: string, copies: number): Promise<string> {
  const { parse } = await import("yaml");
  const out = `${dir}/bots`;
  await Deno.mkdir(out);
  for await (const e of Deno.readDir(`${ROOT}configs/bots`)) {
    if (!e.isFile || e.name.startsWith(".") || e.name.startsWith("_")) continue;
    const spec = parse(await Deno.readTextFile(`${ROOT}configs/bots/${e.name}`)) as {
      bot_id: string;
    };
    for (let k = 1; k <= copies; k++) {
      const id = k === 1 ? spec.bot_id : `${spec.bot_id}_${k}`;
      await Deno.writeTextFile(`${out}/${id}.json`, JSON.stringify({ ...spec, bot_id: id }));
    }
  }
  return out;
}
