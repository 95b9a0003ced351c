// The Bot API wire format of the fake Telegram: reading a method's parameters from a query
// string, a JSON body, a urlencoded form or a multipart/form-data upload, and the answer envelopes.
//
// Telegram takes every parameter in any of these encodings; in a form, objects and arrays
// (reply_markup, commands, allowed_updates) are JSON strings and numbers are decimal strings.
// grammY sends JSON, and multipart/form-data when the payload holds an InputFile: the file travels
// as its own part and the field names it with "attach://<part name>".

/** One uploaded file of a multipart request. */
export interface WireFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** A method call's parameters, decoded: plain values, and files by part name. */
export interface WireParams {
  values: Record<string, unknown>;
  files: Map<string, WireFile>;
}

/** A Bot API failure the fake answers: `{ ok: false, error_code, description, parameters? }`. */
export class BotApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

/** A 400 "Bad Request: ..." as Telegram words it. */
export function badRequest(what: string): BotApiError {
  return new BotApiError(400, `Bad Request: ${what}`);
}

/** The JSON answer `{ ok: true, result }`. */
export function okResponse(result: unknown): Response {
  return Response.json({ ok: true, result });
}

/** The JSON answer of a failure, with Telegram's HTTP status equal to `error_code`. */
export function errorResponse(error: BotApiError): Response {
  const body: Record<string, unknown> = {
    ok: false,
    error_code: error.status,
    description: error.description,
  };
  if (error.parameters !== undefined) body.parameters = error.parameters;
  return Response.json(body, { status: error.status });
}

/** Reads the parameters of a request, whatever its encoding. */
export async function readParams(req: Request): Promise<WireParams> {
  const values: Record<string, unknown> = {};
  const files = new Map<string, WireFile>();
  for (const [k, v] of new URL(req.url).searchParams) values[k] = v;
  if (req.method !== "POST") return { values, files };
  const type = req.headers.get("content-type") ?? "";
  const raw = new Uint8Array(await req.arrayBuffer());
  if (raw.length === 0) return { values, files };
  if (type.startsWith("application/json")) {
    const parsed = JSON.parse(new TextDecoder().decode(raw));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw badRequest("parameters must be a JSON object");
    }
    Object.assign(values, parsed);
  } else if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(new TextDecoder().decode(raw))) values[k] = v;
  } else if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (boundary === undefined) throw badRequest("multipart boundary is missing");
    for (const part of splitMultipart(raw, boundary)) {
      if (part.filename === undefined) {
        values[part.name] = new TextDecoder().decode(part.body);
      } else {
        files.set(part.name, {
          filename: part.filename,
          contentType: part.contentType,
          bytes: part.body,
        });
      }
    }
  } else {
    throw badRequest(`unsupported content type "${type}"`);
  }
  return { values, files };
}

interface Part {
  name: string;
  filename?: string;
  contentType: string;
  body: Uint8Array;
}

/** Splits a multipart body into its parts, on bytes (file parts are binary). */
function splitMultipart(raw: Uint8Array, boundary: string): Part[] {
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const starts: number[] = [];
  for (let i = indexOf(raw, delimiter, 0); i >= 0; i = indexOf(raw, delimiter, i + 1)) {
    starts.push(i);
  }
  const parts: Part[] = [];
  for (let n = 0; n + 1 < starts.length; n++) {
    let from = starts[n] + delimiter.length;
    if (raw[from] === 13 && raw[from + 1] === 10) from += 2;
    let to = starts[n + 1];
    if (raw[to - 2] === 13 && raw[to - 1] === 10) to -= 2;
    const headerEnd = indexOf(raw, new TextEncoder().encode("\r\n\r\n"), from);
    if (headerEnd < 0 || headerEnd > to) throw badRequest("malformed multipart part");
    const headers = new TextDecoder().decode(raw.subarray(from, headerEnd)).split("\r\n");
    let name = "";
    let filename: string | undefined;
    let contentType = "text/plain";
    for (const line of headers) {
      const colon = line.indexOf(":");
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === "content-disposition") {
        name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1] ?? "";
        const file = /;\s*filename=("([^"]*)"|[^;]*)/i.exec(value);
        if (file) filename = file[2] ?? file[1];
      } else if (key === "content-type") {
        contentType = value;
      }
    }
    parts.push({ name, filename, contentType, body: raw.slice(headerEnd + 4, to) });
  }
  return parts;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** An integer parameter (a number, or a decimal string from a form), or undefined when absent. */
export function intParam(params: WireParams, name: string): number | undefined {
  const v = params.values[name];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name} "${String(v)}"`);
  return n;
}

/** A required integer parameter; Telegram's wording when it is missing. */
export function requireInt(params: WireParams, name: string): number {
  const n = intParam(params, name);
  if (n === undefined) throw badRequest(`${name} is empty`);
  return n;
}

/** A string parameter, or undefined when absent. */
export function strParam(params: WireParams, name: string): string | undefined {
  const v = params.values[name];
  if (v === undefined || v === null) return undefined;
  return String(v);
}

/** An object or array parameter (a JSON value, or a JSON string from a form or query). */
export function jsonParam<T>(params: WireParams, name: string): T | undefined {
  const v = params.values[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}
