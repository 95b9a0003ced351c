// The service as a user starts it (`deno task start`: src/main.ts with its V8 flags, on a
// replay), in a child process of a benchmark, with its URL, CPU time and stop.

const ROOT = new URL("../", import.meta.url).pathname;

/** A started service. */
export interface ServiceProcess {
  child: Deno.ChildProcess;
  /** "http://127.0.0.1:PORT", from its start line. */
  url: string;
  /** Stops it (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `src/main.ts --port 0 --replay` with `args` after it (`--speed`, `--db`, `--configs`…),
 * its data folder `dir`, a fixed API token and `env`; resolves once it listens.
 */
export async function startService(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    // The V8 flags of `deno task start` (deno.json): a small young generation keeps RSS low.
    args: [
      "run",
      "-A",
      "--v8-flags=--max-semi-space-size=2",
      "src/main.ts",
      "--port",
      "0",
      "--replay",
      ...args,
    ],
    cwd: ROOT,
    env: {
      TIDEWATCH_DATA_DIR: dir,
      TIDEWATCH_API_TOKEN: "bench-token-0123456789",
      NO_COLOR: "1",
      ...env,
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let url: string;
  try {
    url = await listening(child);
  } catch (err) {
    child.kill("SIGKILL");
    await child.status;
    throw err;
  }
  return {
    child,
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** The service's URL from its start line; stdout is drained afterwards. */
async function listening(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`service exited: ${out}`);
    out += value;
    url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return url;
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const f = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime: fields 14 and 15, in ticks
}
