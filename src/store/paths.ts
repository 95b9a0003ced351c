// Where runtime data lives: TIDEWATCH_DATA_DIR (default ./data) and the default database file.

/** The data directory: `$TIDEWATCH_DATA_DIR`, else "./data". */
export function dataDir(): string {
  return Deno.env.get("TIDEWATCH_DATA_DIR") || "./data";
}

/** The database a command uses: `--db` when given, else `<data dir>/tidewatch.duckdb`. */
export function dbPath(flag?: string): string {
  return flag || `${dataDir().replace(/\/+$/, "")}/tidewatch.duckdb`;
}
