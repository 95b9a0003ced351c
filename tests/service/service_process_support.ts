// Runs the real service (src/main.ts) as a child process for crash and restart tests.

import { type DenoChild, spawnDeno } from "../child_process_support.ts";

/** A running service process; `stop()` it in a finally (it also dies when the test process does). */
export interface ServiceProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Kills it (SIGKILL) unless it has exited, and waits for it. */
  stop(): Promise<Deno.CommandStatus>;
  /**
   * Resolves with `check()`'s first truthy answer, asked now and again on each server-sent event
   * whose type starts with one of `types` (GET /api/events): no polling. Rejects after `ms`
   * (a safety net for a stuck service, generous for a loaded machine).
   */
  when<T>(
    types: readonly string[],
    check: (e?: SseEvent) => Promise<T | undefined | false> | T | undefined | false,
    ms?: number,
    what?: string,
  ): Promise<T>;
  /** Everything it wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Everything it wrote to stdout so far (its log lines). */
  stdout(): string;
  /** GET a JSON answer. */
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** POST with the token. */
  post(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/**
 * Starts `deno run -A [denoFlags] src/main.ts ...args` and resolves once it listens. `denoFlags`
 * go to Deno itself (such as `--inspect=127.0.0.1:0` for a test that reads the heap).
 */
export async function spawnService(
  args: string[],
  env: Record<string, string>,
  token: string,
  options: { denoFlags?: readonly string[] } = {},
): Promise<ServiceProcess> {
  const proc: DenoChild = spawnDeno(
    ["run", "-A", ...(options.denoFlags ?? []), "src/main.ts", "--port", "0", ...args],
    { env },
  );
  const child = proc.child;
  let err = "";
  (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) err += chunk;
  })().catch(() => {});
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let url: string | undefined;
  const deadline = setTimeout(() => child.kill("SIGKILL"), 120_000);
  while (!url) {
    const { value, done } = await lines.read();
    if (done) {
      clearTimeout(deadline);
      await proc.stop();
      throw new Error(`The service exited before listening.\nstdout: ${out}\nstderr: ${err}`);
    }
    out += value;
    const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (m) url = m[1];
  }
  clearTimeout(deadline);
  // Keep draining stdout so the child never blocks on a full pipe.
  (async () => {
    for (let r = await lines.read(); !r.done; r = await lines.read()) out += r.value;
  })().catch(() => {});
  const json = async (res: Response) => ({ status: res.status, body: await res.json() });
  const base = url;
  return {
    url,
    child,
    stop: proc.stop,
    when: (types, check, ms = 120_000, what = "a condition") =>
      whenEvent(base, types, check, ms, `${what}\nstderr: ${err.slice(-2000)}`),
    stderr: () => err,
    stdout: () => out,
    get: async (path) => json(await fetch(url + path)),
    post: async (path, body) =>
      json(
        await fetch(url + path, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ),
  };
}

/**
 * Polls `fn` until it returns a truthy value (every 50 ms, failing after `ms`). Only for states
 * no event announces: prefer `ServiceProcess.when` (server-sent events) or `untilEvent` (bus).
 */
export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  ms = 120_000,
  what = "a condition",
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** A server-sent event as GET /api/events sends it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

async function whenEvent<T>(
  url: string,
  types: readonly string[],
  check: (e?: SseEvent) => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
  what: string,
): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`Timed out waiting for ${what}`)), ms);
  try {
    // Subscribed before the first check: nothing that happens after it is missed.
    const res = await fetch(`${url}/api/events?types=${types.join(",")}`, { signal: ac.signal });
    if (!res.ok || !res.body) throw new Error(`GET /api/events answered ${res.status}`);
    const first = await check();
    if (first) {
      await res.body.cancel();
      return first;
    }
    let buf = "";
    for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      for (let end = buf.indexOf("\n\n"); end >= 0; end = buf.indexOf("\n\n")) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const e = parseSse(block);
        if (!e || e.event === "hello") continue;
        const v = await check(e);
        if (v) {
          ac.abort();
          return v;
        }
      }
    }
    throw new Error(`The event stream ended while waiting for ${what}`);
  } catch (e) {
    if (ac.signal.aborted && ac.signal.reason instanceof Error) throw ac.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

function parseSse(block: string): SseEvent | undefined {
  let event = "message", data = "", id: string | undefined;
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
    else if (line.startsWith("id:")) id = line.slice(3).trim();
  }
  if (!data) return undefined;
  return { id, event, data: JSON.parse(data) };
}
