// Opens the store a CLI command works on (--db or the default) and closes it afterwards.

import { CandleStore } from "../store/candle_store.ts";
import { Db } from "../store/db.ts";
import { dbPath } from "../store/paths.ts";

/** Runs `fn` with a CandleStore on `--db` (or the default database), closing it afterwards. */
export async function withStore<T>(
  dbFlag: string | undefined,
  fn: (store: CandleStore) => Promise<T>,
): Promise<T> {
  const db = await Db.open(dbPath(dbFlag));
  try {
    return await fn(new CandleStore(db));
  } finally {
    await db.close();
  }
}
