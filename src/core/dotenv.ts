// Reads a .env file (KEY=VALUE lines) into the environment; variables already set win.

import { ConfigError } from "./errors.ts";

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses the text of a .env file: `KEY=VALUE` a line, blank lines and `#` comments skipped, an
 * optional `export ` prefix, values bare (a ` #` starts a comment, spaces around are trimmed),
 * in single quotes (as written) or in double quotes (`\n`, `\t`, `\"`, `\\` escapes; may span
 * lines). A line that is none of these is a ConfigError naming `source` and the line number,
 * never the value (it may be a secret).
 *
 * @example
 * ```ts
 * parseDotenv('export A=1\nB="two words" # note\n', ".env"); // { A: "1", B: "two words" }
 * ```
 */
export function parseDotenv(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trimStart();
    if (line.trim() === "" || line.startsWith("#")) continue;
    const body = line.startsWith("export ") ? line.slice(7).trimStart() : line;
    const eq = body.indexOf("=");
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (eq < 0 || !KEY.test(key)) {
      throw new ConfigError(
        `${source}:${lineNo}: expected KEY=VALUE (a name of letters, digits and "_", then "="); ` +
          `fix or remove the line.`,
      );
    }
    const rest = body.slice(eq + 1).trimStart();
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // The value runs to the closing quote, possibly on a later line.
      const tail = [rest, ...lines.slice(i + 1)].join("\n");
      let value = "";
      let j = 1;
      for (; j < tail.length && tail[j] !== quote; j++) {
        if (tail[j] === "\\" && quote === '"' && j + 1 < tail.length) {
          const next = tail[++j];
          value += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
        } else value += tail[j];
      }
      if (j >= tail.length) {
        throw new ConfigError(
          `${source}:${lineNo}: the value of ${key} opens a ${quote} quote that is never ` +
            `closed; close it.`,
        );
      }
      const consumed = tail.slice(0, j + 1);
      i += consumed.split("\n").length - 1;
      const after = tail.slice(j + 1).split("\n")[0].trim();
      if (after !== "" && !after.startsWith("#")) {
        throw new ConfigError(
          `${source}:${lineNo}: text after the quoted value of ${key}; put it inside the ` +
            `quotes or after a #.`,
        );
      }
      out[key] = value;
    } else {
      const hash = rest.search(/\s#/);
      out[key] = (hash < 0 ? rest : rest.slice(0, hash)).trim();
    }
  }
  return out;
}

/** What {@link loadDotenv} did. */
export interface DotenvResult {
  /** The file read, or undefined when there is none. */
  path?: string;
  /** Names set from the file. */
  loaded: string[];
  /** Names the file has that the environment already had (the environment won). */
  kept: string[];
}

/** Options of {@link loadDotenv}. */
export interface DotenvOptions {
  /** The file [".env" in the working directory]. */
  path?: string;
  /** Where to read and set variables [Deno.env]. */
  env?: { get(key: string): string | undefined; set(key: string, value: string): void };
}

/**
 * Loads `.env` into the environment, once at start: a variable already set (a real environment
 * variable) wins over the file. A missing file is no error; a bad line is a ConfigError.
 */
export async function loadDotenv(options: DotenvOptions = {}): Promise<DotenvResult> {
  const path = options.path ?? ".env";
  const env = options.env ?? Deno.env;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { loaded: [], kept: [] };
    throw new ConfigError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  const out: DotenvResult = { path, loaded: [], kept: [] };
  for (const [key, value] of Object.entries(parseDotenv(text, path))) {
    if (env.get(key) !== undefined) out.kept.push(key);
    else (env.set(key, value), out.loaded.push(key));
  }
  return out;
}
