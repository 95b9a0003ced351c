// The HTTP API's bearer token: from TIDEWATCH_API_TOKEN, or a private file created on first start.

import { ConfigError } from "../core/errors.ts";

/** Environment variable that sets the API token (overrides the token file). */
export const API_TOKEN_ENV = "TIDEWATCH_API_TOKEN";

/** Name of the token file inside the data directory. */
export const API_TOKEN_FILE = "api_token";

/** Fewest characters an API token may have. */
export const MIN_TOKEN_LENGTH = 16;

/** Characters a bearer token may hold (RFC 6750 token68). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Options of {@link resolveApiToken}. */
export interface ApiTokenOptions {
  /** Environment to read `TIDEWATCH_API_TOKEN` from. Default: the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Folder of the token file (created when missing). Default "data". */
  dataDir?: string;
}

/** The token and where it came from. Never log `token`; `path` and `source` are fine. */
export interface ApiToken {
  token: string;
  /** "env": the environment variable; "file": the token file. */
  source: "env" | "file";
  /** The token file, when source is "file". */
  path?: string;
  /** True when the file was created by this call. */
  created: boolean;
  /** Set when something was fixed on the way, e.g. the file's permissions were too open. */
  warning?: string;
}

/**
 * The API token: `TIDEWATCH_API_TOKEN` when set (at least 16 characters), else the contents of
 * `<dataDir>/api_token`, which is created with a random 32-byte base64url token and mode 0600
 * when missing. A token file readable by group or others is made private (mode 0600) and a
 * `warning` says so. Throws a ConfigError for a variable or file that holds no usable token.
 *
 * @example
 * ```ts
 * const t = await resolveApiToken({ dataDir: "data" });
 * console.log(`API token: ${t.source === "env" ? API_TOKEN_ENV : t.path}`); // never t.token
 * ```
 */
export async function resolveApiToken(options: ApiTokenOptions = {}): Promise<ApiToken> {
  const env = options.env ?? Deno.env.toObject();
  const fromEnv = env[API_TOKEN_ENV];
  if (fromEnv !== undefined) {
    checkToken(fromEnv, `${API_TOKEN_ENV}`, "set a longer one, or unset it to use the token file");
    return { token: fromEnv, source: "env", created: false };
  }
  const dataDir = (options.dataDir ?? "data").replace(/\/+$/, "") || "/";
  const path = `${dataDir}/${API_TOKEN_FILE}`;
  let created = false;
  let text = await readIfExists(path);
  if (text === undefined) {
    await Deno.mkdir(dataDir, { recursive: true });
    try {
      await Deno.writeTextFile(path, `${newToken()}\n`, { mode: 0o600, createNew: true });
      created = true;
    } catch (err) {
      // Another process created it first: use theirs.
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    text = await Deno.readTextFile(path);
  }
  const token = text.trim();
  checkToken(token, `The token file ${path}`, "delete the file to get a new token on next start");
  const warning = await makePrivate(path);
  return { token, source: "file", path, created, ...(warning ? { warning } : {}) };
}

/**
 * The token a service on this machine uses, for a client of its API (a notebook): from
 * TIDEWATCH_API_TOKEN, else the token file in `dataDir`; undefined when neither exists. Unlike
 * {@link resolveApiToken} it never creates the file.
 */
export async function storedApiToken(
  options: ApiTokenOptions = {},
): Promise<string | undefined> {
  const env = options.env ?? Deno.env.toObject();
  if (env[API_TOKEN_ENV]) return env[API_TOKEN_ENV].trim();
  const dataDir = (options.dataDir ?? "data").replace(/\/+$/, "") || "/";
  try {
    return (await readIfExists(`${dataDir}/${API_TOKEN_FILE}`))?.trim() || undefined;
  } catch {
    return undefined; // not ours to read: ask without a token
  }
}

/** Where a person finds the token, for messages such as the 401 hint (never the token itself). */
export function apiTokenLocation(t: Pick<ApiToken, "source" | "path">): string {
  return t.source === "env"
    ? `the ${API_TOKEN_ENV} environment variable of the service`
    : `the file ${t.path} on the service's machine`;
}

/** A new random token: 32 bytes from the system's secure generator, base64url without padding. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function checkToken(token: string, what: string, fix: string): void {
  if (token.trim() === "") throw new ConfigError(`${what} is empty: ${fix}.`);
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `${what} holds a token of ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are ` +
        `needed: ${fix}.`,
    );
  }
  if (!TOKEN68.test(token)) {
    throw new ConfigError(
      `${what} holds a token with characters a bearer token cannot carry (spaces, quotes...): ` +
        `use letters, digits and - . _ ~ + / only, or ${fix}.`,
    );
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Sets mode 0600 when group or others may read the file; returns what was done, if anything. */
async function makePrivate(path: string): Promise<string | undefined> {
  const { mode } = await Deno.stat(path);
  if (mode === null || (mode & 0o077) === 0) return undefined; // null: no POSIX modes (Windows)
  await Deno.chmod(path, 0o600);
  const after = (await Deno.stat(path)).mode;
  if (after !== null && (after & 0o077) !== 0) {
    throw new ConfigError(
      `The token file ${path} is readable by other users and its mode could not be changed: ` +
        `run chmod 600 ${path}.`,
    );
  }
  return `The token file ${path} was readable by other users (mode ${
    (mode & 0o777).toString(8).padStart(3, "0")
  }); it is now 600. Anyone who read it may have the token: delete the file and restart to ` +
    "get a new one.";
}
