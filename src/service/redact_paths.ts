// Answers never name files: file paths in a message meant for an API caller become "<path>".

const FILE_URL = /\bfile:\/\/[^\s"'`)]+/g;
// Absolute paths of two segments or more, but the API's own routes (/api/...).
const ABSOLUTE = /(?<![\w.:/\-])\/(?!api\/)[\w.@+\-]+(?:\/[\w.@+\-]+)+\/?/g;
// Relative paths to a file of ours: data, configs, code, the token file.
const RELATIVE =
  /(?<![\w/])(?:[\w.@+\-]+\/)+[\w.@+\-]+\.(?:duckdb|wal|ya?ml|json|ts|js|csv|parquet|ipynb)\b|(?<![\w/])(?:[\w.@+\-]+\/)*api_token\b/g;

/**
 * `text` with every file path (absolute, `file://`, or relative to one of our files) replaced by
 * "<path>". API routes ("/api/bots") and symbols ("BTC/USDT") are kept.
 *
 * @example
 * ```ts
 * withoutPaths("Cannot open /home/ana/data/tidewatch.duckdb"); // "Cannot open <path>"
 * ```
 */
export function withoutPaths(text: string): string {
  return text.replace(FILE_URL, "<path>").replace(ABSOLUTE, "<path>").replace(RELATIVE, "<path>");
}
