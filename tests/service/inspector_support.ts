// What a service child started with `--inspect=127.0.0.1:0` keeps in memory, asked over the
// inspector protocol: its heap after a full collection, and how many objects of a kind are alive.

/** A connection to a child's inspector; `close()` it in a finally. */
export interface Inspector {
  /** Bytes of JavaScript heap in use right after a full garbage collection. */
  heapUsedAfterGc(): Promise<number>;
  /**
   * How many objects whose prototype is `globalName.prototype` (a global class such as
   * `ReadableStream` or `Response`) are alive: the inspector collects garbage before counting.
   */
  alive(globalName: string): Promise<number>;
  close(): Promise<void>;
}

/** The inspector's WebSocket address in a child's stderr ("Debugger listening on ws://..."). */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

/** Connects to the inspector at `url` (see {@link inspectorUrl}). */
export async function connectInspector(url: string): Promise<Inspector> {
  const ws = new WebSocket(url);
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`No inspector at ${url}`)), {
      once: true,
    });
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message} (${m.error.code})`));
    else p.resolve(m.result);
  });
  // deno-lint-ignore no-explicit-any
  const send = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const group = "tidewatch-test";
  return {
    async heapUsedAfterGc() {
      await send("HeapProfiler.collectGarbage");
      return (await send("Runtime.getHeapUsage")).usedSize;
    },
    async alive(globalName) {
      try {
        const proto = await send("Runtime.evaluate", {
          expression: `${globalName}.prototype`,
          objectGroup: group,
        });
        const found = await send("Runtime.queryObjects", {
          prototypeObjectId: proto.result.objectId,
          objectGroup: group,
        });
        const n = await send("Runtime.callFunctionOn", {
          functionDeclaration: "function () { return this.length; }",
          objectId: found.objects.objectId,
          returnByValue: true,
        });
        return n.result.value;
      } finally {
        // The answer array holds the objects found: let them go.
        await send("Runtime.releaseObjectGroup", { objectGroup: group });
      }
    },
    async close() {
      ws.close();
      await closed;
    },
  };
}
