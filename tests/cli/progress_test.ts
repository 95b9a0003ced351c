// Progress output: a redrawn bar with ETA on a terminal, throttled plain lines elsewhere.

import assert from "node:assert/strict";
import { createProgress } from "../../src/cli/progress.ts";
import { formatSeconds } from "../../src/core/format.ts";

function sink(tty: boolean) {
  const chunks: string[] = [];
  const dec = new TextDecoder();
  return {
    chunks,
    out: {
      writeSync: (p: Uint8Array) => (chunks.push(dec.decode(p)), p.length),
      isTerminal: () => tty,
    },
  };
}

Deno.test("terminal: bar, percent, counts and ETA from the observed rate", () => {
  const s = sink(true);
  let t = 0;
  const p = createProgress({ label: "dl", total: 1000, out: s.out, now: () => t });
  t = 10_000;
  p.update(250, "at X");
  assert.equal(s.chunks.length, 1);
  const line = s.chunks[0];
  assert.ok(line.startsWith("\r\x1b[2Kdl ["), line);
  assert.match(line, /25\.0% 250\/1,000 candles ETA 30s elapsed 10s {2}at X/);
  p.update(260); // within 100 ms of the last draw: skipped
  assert.equal(s.chunks.length, 1);
  t = 20_000;
  p.finish("done");
  assert.match(s.chunks.at(-1)!, /100\.0%|26\.0%/);
  assert.ok(s.chunks.at(-1)!.endsWith("done\n"));
});

Deno.test("not a terminal: plain lines at most every few seconds, no control codes", () => {
  const s = sink(false);
  let t = 0;
  const p = createProgress({ label: "dl", total: 100, out: s.out, now: () => t, plainEverySec: 5 });
  for (let i = 1; i <= 100; i++) {
    t = i * 200; // 20 s in all
    p.update(i);
  }
  p.finish();
  assert.ok(s.chunks.length >= 4 && s.chunks.length <= 6, `${s.chunks.length} lines`);
  for (const c of s.chunks) {
    assert.ok(!c.includes("\x1b") && !c.includes("\r"));
    assert.ok(c.endsWith("\n"));
  }
});

Deno.test("durations read naturally", () => {
  assert.equal(formatSeconds(5), "5s");
  assert.equal(formatSeconds(65), "1m05s");
  assert.equal(formatSeconds(3725), "1h02m");
  assert.equal(formatSeconds(NaN), "--");
});
