// Runs the real service (src/main.ts) as a child process for crash and restart tests.

const ROOT = new URL("../../", import.meta.url).pathname;

/** A running service process. */
export interface ServiceProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Everything it wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Everything it wrote to stdout so far (its log lines). */
  stdout(): string;
  /** GET a JSON answer. */
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** POST with the token. */
  post(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Starts `deno run -A src/main.ts ...args` and resolves once it listens. */
export async function spawnService(
  args: string[],
  env: Record<string, string>,
  token: string,
): Promise<ServiceProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/main.ts", "--port", "0", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", TZ: "UTC", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) err += chunk;
  })().catch(() => {});
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let url: string | undefined;
  const deadline = setTimeout(() => child.kill("SIGKILL"), 60_000);
  while (!url) {
    const { value, done } = await lines.read();
    if (done) {
      clearTimeout(deadline);
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
  return {
    url,
    child,
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

/** Polls `fn` until it returns a truthy value (every 50 ms, failing after `ms`). */
export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  ms = 30_000,
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
