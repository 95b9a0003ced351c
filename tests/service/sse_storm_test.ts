// An event-stream storm against the real service (a child process): 3,000 anonymous
// GET /api/events at once are capped (429 beyond), and once they have closed the service keeps
// nothing of them: no stream, request or response alive, its heap back to where it was, and its
// resident memory back near where it started.

import assert from "node:assert/strict";
import { tempDir } from "../support.ts";
import { connectInspector, inspectorUrl } from "./inspector_support.ts";
import { spawnService } from "./service_process_support.ts";

const TOKEN = "storm-token-0123456789abcdef";
const STORM = 3_000;
/**
 * Margin over the baseline RSS (taken after a warm-up storm) allowed once the storm has passed.
 * 3,000 connections leave 30-60 MB resident that the native allocator keeps (connection
 * buffers), though the JavaScript heap is back to its baseline (measured on Linux, Deno 2.9): a
 * coarse bound; the heap and the live objects are what show a leak.
 */
const MARGIN_MB = 96;
/**
 * Margin over the baseline JavaScript heap (after a full collection) once the storm has passed:
 * the 256 open streams alone hold about 6 MB, so keeping them (or a listener that holds them)
 * fails; what stays is code compiled for the paths taken (under 1 MB).
 */
const HEAP_MARGIN_MB = 3;
/** Objects every event stream makes, counted alive before and after (the same set). */
const PER_STREAM = ["Request", "Response", "WritableStream"];

/** Resident memory of a process in MB (Linux: VmRSS of /proc/<pid>/status). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  assert.ok(kb > 0, `no VmRSS in /proc/${pid}/status`);
  return kb / 1024;
}

const linux = Deno.build.os === "linux";

Deno.test({
  name: "SSE storm: 3,000 streams at once are capped (429 + Retry-After); none is kept after",
  ignore: !linux,
  async fn() {
    await using dir = await tempDir();
    await Deno.mkdir(`${dir.path}/bots`);
    for (const [id, symbol] of [["storm_btc", "BTC/USDT"], ["storm_eth", "ETH/USDT"]]) {
      await Deno.writeTextFile(
        `${dir.path}/bots/${id}.json`,
        JSON.stringify({
          bot_id: id,
          strategy: "sma_cross",
          symbol,
          parameters: { fast_period: 3, slow_period: 8, direction: "both" },
        }),
      );
    }
    const env = {
      TIDEWATCH_API_TOKEN: TOKEN,
      TIDEWATCH_DATA_DIR: dir.path,
      // As `deno task start` runs it.
      DENO_V8_FLAGS: "--max-semi-space-size=2",
    };
    const args = [
      "--db",
      `${dir.path}/storm.duckdb`,
      "--configs",
      `${dir.path}/bots`,
      "--replay",
      "--speed",
      "60",
      "--trust-proxy",
    ];
    const s = await spawnService(args, env, TOKEN, { denoFlags: ["--inspect=127.0.0.1:0"] });
    try {
      const pid = s.child.pid;
      const health = async () => {
        const res = await fetch(`${s.url}/api/status/health`);
        await res.body?.cancel();
        return res.status;
      };
      /** One round of requests: gives the service turns to notice closed streams. */
      const round = async () => {
        for (let i = 0; i < 25; i++) await (await fetch(`${s.url}/api/openapi.json`)).arrayBuffer();
      };
      // The inspector's address is written long before the service listens; a few round trips
      // give this process the turns to read it.
      let url = inspectorUrl(s.stderr());
      for (let i = 0; i < 50 && !url; i++) url = (await health(), inspectorUrl(s.stderr()));
      assert.ok(url, `no inspector address in the service's stderr: ${s.stderr()}`);
      const inspector = await connectInspector(url);
      try {
        const alive = async () => {
          const n: Record<string, number> = {};
          for (const name of PER_STREAM) n[name] = await inspector.alive(name);
          return n;
        };
        /** Opens `n` streams at once, each from an address of its own (--trust-proxy). */
        const storm = (n: number, first: number, signal: AbortSignal) =>
          Promise.all(
            Array.from({ length: n }, (_, k) => {
              const i = first + k;
              return fetch(`${s.url}/api/events`, {
                headers: {
                  "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
                },
                signal,
              });
            }),
          );
        /** Closes every stream (and refused answer) by its client. */
        const close = (answers: Response[]) => Promise.all(answers.map((r) => r.body?.cancel()));
        /** Rounds of requests until every stream's objects are gone (at most 20 rounds). */
        const settle = async (want: Record<string, number>) => {
          let now = await alive();
          for (let r = 0; r < 20 && PER_STREAM.some((k) => now[k] > want[k]); r++) {
            await round();
            now = await alive();
          }
          return now;
        };

        for (let i = 0; i < 50; i++) assert.equal(await health(), 200);
        const none = await alive();
        // Warm up: both answers of the route (stream, 429) compiled, as the storm will find them.
        const warm = new AbortController();
        await close(await storm(300, 100_000, warm.signal));
        warm.abort();
        assert.deepEqual(await settle(none), none, "nothing kept of the warm-up's streams");
        const baseline = await rssMb(pid);
        const heapBefore = await inspector.heapUsedAfterGc();
        const before = await alive();

        // The storm: every stream from an address of its own, so the total cap is what holds.
        const ac = new AbortController();
        const answers = await storm(STORM, 0, ac.signal);
        const open = answers.filter((r) => r.status === 200);
        const refused = answers.filter((r) => r.status === 429);
        const peak = await rssMb(pid);
        const retryAfter = refused.every((r) => r.headers.get("retry-after") === "5");
        await close(refused);
        const healthDuring = await health();
        const during = await alive();

        // Every stream closed by its client; the service notices each one.
        await close(open);
        ac.abort();
        const after = await settle(before);
        const heapAfter = await inspector.heapUsedAfterGc();
        // Requests until the service's resident memory is back (each round gives its collector
        // work and the chance to run); at most 40 rounds.
        let rss = await rssMb(pid);
        for (let r = 0; r < 40 && rss >= baseline + MARGIN_MB; r++) {
          await round();
          rss = await rssMb(pid);
        }
        const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
        console.log(
          `SSE storm: RSS baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, ` +
            `after ${rss.toFixed(0)} MB; heap after GC ${mb(heapBefore)} MB before, ` +
            `${mb(heapAfter)} MB after; alive during ${JSON.stringify(during)}, after ` +
            `${JSON.stringify(after)} (${open.length} streams open, ${refused.length} refused)`,
        );
        assert.equal(open.length + refused.length, STORM);
        assert.equal(open.length, 256, "the total cap");
        assert.ok(retryAfter, "every 429 says when to retry");
        assert.equal(healthDuring, 200, "health answers during the storm");
        assert.ok(during.WritableStream >= before.WritableStream + 256, "the open streams counted");
        assert.deepEqual(after, before, "no stream's request, response or streams kept");
        assert.ok(
          heapAfter < heapBefore + HEAP_MARGIN_MB * 1024 * 1024,
          `heap ${mb(heapAfter)} MB after the storm, ${mb(heapBefore)} MB before`,
        );
        assert.ok(
          rss < baseline + MARGIN_MB,
          `RSS ${rss.toFixed(0)} MB after the storm, baseline ${baseline.toFixed(0)} MB`,
        );
      } finally {
        await inspector.close();
      }
      // The slots are free again, once the service has seen the clients go: it learns of each
      // closed stream on its own schedule, so ask again after each answer, a bounded number of
      // times (no timer: every refused answer is a round trip that gives it the chance).
      let again = 0;
      for (let attempt = 0; attempt < 500 && again !== 200; attempt++) {
        const res = await fetch(`${s.url}/api/events`, {
          headers: { "x-forwarded-for": "10.200.0.1" },
        });
        again = res.status;
        await res.body?.cancel();
        if (again !== 200) await (await fetch(`${s.url}/api/openapi.json`)).arrayBuffer();
      }
      assert.equal(again, 200, "a stream opens again once the storm's clients are gone");
    } finally {
      await s.stop();
    }
  },
});
