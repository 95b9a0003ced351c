// Command-line flags: parsing with clear errors, times, and the main() wrapper every CLI uses.

import { parseArgs } from "node:util";
import { ConfigError, TidewatchError } from "../core/errors.ts";
import { loadDotenv } from "../core/dotenv.ts";

/** Flag specification as node:util parseArgs takes it. */
export type FlagSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; default?: string | boolean }
>;

/** Parsed flags: strings and booleans by name. */
export type Flags = Record<string, string | boolean | undefined>;

/** Parses `argv` against `spec`, turning unknown or malformed flags into a ConfigError. */
export function parseFlags(argv: string[], spec: FlagSpec, command: string): Flags {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: spec,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length) {
      throw new ConfigError(
        `"${command}" takes no positional argument "${positionals[0]}"; flags start with --.`,
      );
    }
    return values as Flags;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${command}: ${msg}. See "${command} --help".`);
  }
}

/** The string flag `name`, or a ConfigError saying it is required. */
export function required(flags: Flags, name: string, command: string): string {
  const v = flags[name];
  if (typeof v !== "string" || v === "") {
    throw new ConfigError(`"${command}" needs --${name}. See "${command} --help".`);
  }
  return v;
}

/** A string flag or undefined. */
export function optional(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Parses a time flag: epoch ms, "2024-01-01" or ISO-8601 (UTC when no offset). */
export function parseTime(value: string, flag: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? value + "T00:00:00Z"
    : /(Z|[+-]\d{2}:?\d{2})$/.test(value)
    ? value
    : value + "Z";
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new ConfigError(
      `--${flag} "${value}" is not a time: use 2024-01-01, 2024-01-01T12:00:00Z or epoch milliseconds.`,
    );
  }
  return ms;
}

/** Parses a positive integer flag. */
export function parseCount(value: string, flag: string): number {
  const n = Number(value.replaceAll("_", ""));
  if (!Number.isInteger(n) || n <= 0) {
    throw new ConfigError(`--${flag} "${value}" must be a positive whole number.`);
  }
  return n;
}

/**
 * Runs a CLI entry: `.env` of the working directory is loaded first (variables already set
 * win); known errors print one clear line and exit 2; anything else prints its stack and exits
 * 3. The function's number result is the exit code.
 */
export async function runMain(fn: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    await loadDotenv();
    code = await fn();
  } catch (err) {
    if (err instanceof TidewatchError) {
      console.error(`error: ${err.message}`);
      if (Deno.env.get("TIDEWATCH_DEBUG")) console.error(err);
      code = 2;
    } else {
      console.error("error: unexpected failure, please report it with this trace:");
      console.error(err);
      code = 3;
    }
  }
  Deno.exit(code);
}
