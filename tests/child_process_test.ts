// A child a test starts dies with the test process, even when that process is SIGKILLed.

import assert from "node:assert/strict";
import { runDeno, spawnDeno } from "./child_process_support.ts";
import { tempDir } from "./support.ts";

const HELPER = new URL("./child_process_support.ts", import.meta.url).href;
const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("a child holding a DuckDB file exits when its test process is killed with SIGKILL", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/held.duckdb`;
  // "Test process": starts the holder through the helper as a test does (the lock test's child:
  // a database open and a timer that never ends), then waits forever.
  await using parent = spawnDeno([
    "eval",
    `import { spawnDeno } from ${JSON.stringify(HELPER)};
     const holder = spawnDeno(["eval", ${
      JSON.stringify(
        `import { Db } from "${ROOT}src/store/db.ts";
         await Db.open(${JSON.stringify(path)});
         console.log("holder " + Deno.pid);
         setInterval(() => {}, 60_000);`,
      )
    }], { stdout: "inherit", stderr: "inherit" });
     await holder.status;`,
  ]);
  const stderr = new Response(parent.stderr).text();
  // The holder writes to the parent's stdout, which is this pipe: it reaches end-of-file only
  // when both have exited. That is the event awaited below; no polling.
  const lines = parent.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/holder \d+\n/.test(seen)) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the holder never started: ${await stderr}`);
    seen += value;
  }
  const holderPid = Number(/holder (\d+)/.exec(seen)![1]);
  parent.kill("SIGKILL"); // a crash: no finally, no cleanup
  assert.equal((await parent.status).signal, "SIGKILL");
  // Safety net only: a holder that outlives its parent is killed so the run goes on, and fails.
  let outlived = false;
  const net = setTimeout(() => {
    outlived = true;
    Deno.kill(holderPid, "SIGKILL");
  }, 60_000);
  try {
    for (let r = await lines.read(); !r.done; r = await lines.read()) seen += r.value;
  } finally {
    clearTimeout(net);
  }
  assert.equal(outlived, false, "the holder outlived its test process");
  assert.match(await stderr, new RegExp(`child ${holderPid}\\] its test process is gone`));
  // The file is free again: another process may open it.
  const reopen = await runDeno([
    "eval",
    `import { Db } from "${ROOT}src/store/db.ts"; await (await Db.open(${
      JSON.stringify(path)
    })).close(); console.log("opened"); Deno.exit(0);`,
  ]);
  assert.equal(reopen.code, 0, reopen.stderr);
  assert.match(reopen.stdout, /opened/);
});

Deno.test("runDeno captures the output and exit code of a child that ends with Deno.exit", async () => {
  const out = await runDeno([
    "eval",
    `console.log("out"); console.error("err"); Deno.exit(3);`,
  ]);
  assert.deepEqual([out.code, out.stdout, out.stderr], [3, "out\n", "err\n"]);
});
