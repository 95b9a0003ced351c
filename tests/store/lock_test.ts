// A database held by another process gives advice naming that process, not a raw IO error.

import assert from "node:assert/strict";
import { StoreLockedError } from "../../src/core/errors.ts";
import { Db } from "../../src/store/db.ts";
import { spawnDeno } from "../child_process_support.ts";
import { tempDir } from "../support.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("opening a database another process holds names its PID and what to do", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/held.duckdb`;
  // Holds the file until killed; exits by itself when this test process dies (its stdin closes).
  await using holder = spawnDeno([
    "eval",
    `import { Db } from "${ROOT}src/store/db.ts";
     const db = await Db.open(${JSON.stringify(path)});
     console.log("ready");
     setInterval(() => {}, 60_000);`,
  ], { stderr: "inherit" });
  try {
    const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("holder exited before opening the database");
      seen += value;
    }
    reader.releaseLock();
    const err = await Db.open(path).then(
      (db) => (db.close(), undefined),
      (e) => e,
    );
    assert.ok(err instanceof StoreLockedError, `expected StoreLockedError, got ${err}`);
    assert.match(err.message, new RegExp(`process ${holder.pid}`));
    assert.match(err.message, /Stop that process/);
    assert.match(err.message, /--db/);
    assert.doesNotMatch(err.message, /^IO Error/);
  } finally {
    await holder.stop();
    await holder.stdout.cancel().catch(() => {});
  }
});
