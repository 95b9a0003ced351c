// The service's console: short readable lines on a terminal, JSON lines otherwise (never secrets).

/** How log lines are written: `text` for people at a terminal, `json` for machines. */
export type LogFormat = "json" | "text";

/** A log level. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One log entry. */
export interface LogEntry {
  /** Wall-clock time, epoch ms. */
  ts: number;
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
  /** The line a person reads instead of `msg` and the fields (text format only). */
  text?: string;
}

/** Where lines go: info and debug to `out`, warn and error to `err`. */
export interface LogSink {
  out(line: string): void;
  err(line: string): void;
}

const consoleSink: LogSink = { out: (l) => console.log(l), err: (l) => console.error(l) };

let current: { format: LogFormat; sink: LogSink; now: () => number } = {
  format: "json",
  sink: consoleSink,
  now: Date.now,
};

/** Text on a terminal, JSON lines when stdout is a pipe or a file. */
export function defaultLogFormat(): LogFormat {
  return Deno.stdout.isTerminal() ? "text" : "json";
}

/**
 * Sets how the service logs from now on: the format, and (for tests) where lines go and the
 * clock. Returns the previous settings' restorer.
 */
export function configureLog(
  o: { format?: LogFormat; sink?: LogSink; now?: () => number },
): () => void {
  const before = current;
  current = {
    format: o.format ?? before.format,
    sink: o.sink ?? before.sink,
    now: o.now ?? before.now,
  };
  return () => void (current = before);
}

/** The format in use. */
export function logFormat(): LogFormat {
  return current.format;
}

/** An entry as one JSON line: ts (ISO), level, msg, then the fields. */
export function formatJson(e: LogEntry): string {
  return JSON.stringify({
    ts: new Date(e.ts).toISOString(),
    level: e.level,
    msg: e.msg,
    ...e.fields,
  });
}

/**
 * An entry as a person reads it: the UTC time of day, "warning:"/"error:" when it is one, then
 * its `text`, or `msg` followed by its fields as `key=value`.
 *
 * @example
 * ```ts
 * formatText({ ts: Date.UTC(2026, 0, 1, 2, 13, 5), level: "warn", msg: "x", fields: {},
 *   text: "okx unreachable" }); // "02:13:05 warning: okx unreachable"
 * ```
 */
export function formatText(e: LogEntry): string {
  const time = new Date(e.ts).toISOString().slice(11, 19);
  const tag = e.level === "error" ? "error: " : e.level === "warn" ? "warning: " : "";
  if (e.text !== undefined) return `${time} ${tag}${e.text}`;
  const parts = Object.entries(e.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${textValue(v)}`);
  return `${time} ${tag}${e.msg}${parts.length ? "  " + parts.join(" ") : ""}`;
}

function textValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null)) return v.join(",");
  return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

/**
 * Writes one log line in the configured format: level, msg, then the fields (JSON), or the
 * `text` a person reads (text format; `msg` and fields when no text is given).
 */
export function log(
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown> = {},
  options: { text?: string } = {},
): void {
  const e: LogEntry = { ts: current.now(), level, msg, fields, text: options.text };
  const line = current.format === "text" ? formatText(e) : formatJson(e);
  if (level === "error" || level === "warn") current.sink.err(line);
  else current.sink.out(line);
}
