// The database and its write-ahead log are readable by their owner only (they hold positions,
// orders and the audit log), whether the file is new or was made 644 by an older version.

import assert from "node:assert/strict";
import { Db } from "../../src/store/db.ts";

const modeOf = async (path: string) => ((await Deno.stat(path)).mode ?? 0) & 0o777;

Deno.test("a new database file and its write-ahead log are created 600", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_mode_" });
  const path = `${dir}/sub/tw.duckdb`;
  const db = await Db.open(path);
  try {
    await db.run("CREATE TABLE t (x INTEGER)");
    await db.run("INSERT INTO t VALUES (1)");
    assert.equal(await modeOf(path), 0o600);
    assert.equal(await modeOf(`${path}.wal`), 0o600, "the log exists after a write, owner only");
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an existing world-readable database file becomes 600 when opened", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_mode_" });
  const path = `${dir}/old.duckdb`;
  await (await Db.open(path)).close();
  await Deno.chmod(path, 0o644);
  const db = await Db.open(path);
  try {
    assert.equal(await modeOf(path), 0o600);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
