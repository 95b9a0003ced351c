// Deno child processes for tests that die with the test run: a pipe they watch, a kill in finally.

const ROOT = new URL("../", import.meta.url).pathname;
const GUARD = new URL("./child_guard_support.ts", import.meta.url).pathname;

/** Options for {@link spawnDeno}. */
export interface DenoChildOptions {
  /** Working directory [the project root]. */
  cwd?: string;
  /** Extra environment, over `NO_COLOR=1 TZ=UTC` and the inherited one. */
  env?: Record<string, string>;
  /** ["piped"] */
  stdout?: "piped" | "inherit" | "null";
  /** ["piped"] */
  stderr?: "piped" | "inherit" | "null";
}

/** A running Deno child; `await using` it (or call `stop()` in a finally) so it never outlives its test. */
export interface DenoChild extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<Deno.CommandStatus>;
  kill(signal?: Deno.Signal): void;
  /** Kills the child (SIGKILL) unless it has exited, waits for it, and closes its stdin. */
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Starts `deno <subcommand> ...args` (run, eval) with `tests/child_guard_support.ts` preloaded and its
 * stdin a pipe this process holds open: when the test process ends in any way the pipe closes and
 * the child exits. `stop()` (or leaving an `await using` scope) kills it and waits for it.
 */
export function spawnDeno(args: readonly string[], options: DenoChildOptions = {}): DenoChild {
  const [sub, ...rest] = args;
  const child = new Deno.Command(Deno.execPath(), {
    args: [sub, `--preload=${GUARD}`, ...rest],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", TZ: "UTC", ...options.env },
    stdin: "piped",
    stdout: options.stdout ?? "piped",
    stderr: options.stderr ?? "piped",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  // The writer is held, never written: the pipe stays open until stop() or this process ends.
  const stdin = child.stdin.getWriter();
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited between the check and the kill.
      }
    }
    const s = await status;
    await stdin.close().catch(() => {});
    return s;
  };
  return {
    child,
    pid: child.pid,
    get stdout() {
      return child.stdout;
    },
    get stderr() {
      return child.stderr;
    },
    status,
    kill: (signal: Deno.Signal = "SIGTERM") => child.kill(signal),
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}

/** What a finished child wrote, and how it ended. */
export interface DenoOutput {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno <subcommand> ...args` to its end as {@link spawnDeno} starts it, capturing its
 * output. The program must end with `Deno.exit` (as runMain does): the guard's pending read of
 * stdin keeps its event loop alive. `signal` kills it early.
 */
export async function runDeno(
  args: readonly string[],
  options: Omit<DenoChildOptions, "stdout" | "stderr"> & { signal?: AbortSignal } = {},
): Promise<DenoOutput> {
  await using c = spawnDeno(args, options);
  const onAbort = () => c.kill("SIGKILL");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const [stdout, stderr, status] = await Promise.all([
      new Response(c.stdout).text(),
      new Response(c.stderr).text(),
      c.status,
    ]);
    return { code: status.code, signal: status.signal, stdout, stderr };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Environment pointing every exchange's REST and websocket origin at a closed loopback port:
 * a child started on the default configs fails fast and locally instead of resolving
 * www.okx.com (tests never reach the internet).
 */
export function offlineExchangeEnv(): Record<string, string> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const env: Record<string, string> = {};
  for (const id of ["OKX", "BINANCEUSDM", "BYBIT", "COINBASE"]) {
    env[`TIDEWATCH_${id}_URL`] = `http://127.0.0.1:${port}`;
    env[`TIDEWATCH_${id}_WS_URL`] = `ws://127.0.0.1:${port}`;
  }
  return env;
}
