// The edge bench's load generator, a worker: `clients` keep-alive HTTP/1.1 connections over raw
// TCP, each looping on GET /api/status/health and GET /api/bots until told to stop; posts each
// answer's latency (ms) by route.
//
// Same load as before, lighter to make: 64 concurrent connections still each wait for their
// answer before asking again (no pipelining), but one event loop writing request bytes and
// reading Content-Length answers costs a fraction of a core where four workers running `fetch`
// took about 1.5 of the machine's 2, which the service then lacked.

interface Start {
  url: string;
  clients: number;
  /** Loop k starts with health when k is even (so the loops alternate evenly). */
  first: number;
}

/** What the worker posts when stopped. */
export interface ClientsResult {
  health: number[];
  bots: number[];
  /** Answers that were not 200, by status. */
  failures: Record<string, number>;
}

const PATHS = { health: "/api/status/health", bots: "/api/bots" } as const;
const CRLF2 = [13, 10, 13, 10];

/** Index of the blank line ending the head in `buf[0..len)`, or -1. */
function headEnd(buf: Uint8Array, len: number): number {
  for (let i = 3; i < len; i++) {
    if (
      buf[i] === CRLF2[3] && buf[i - 1] === CRLF2[2] && buf[i - 2] === CRLF2[1] &&
      buf[i - 3] === CRLF2[0]
    ) return i + 1;
  }
  return -1;
}

/**
 * One keep-alive connection: sends a request, reads its whole answer (the head, then
 * Content-Length bytes of body), and returns the status.
 */
class Connection {
  #buf = new Uint8Array(64 * 1024);
  #len = 0;
  readonly #latin1 = new TextDecoder("latin1");

  constructor(private readonly conn: Deno.TcpConn) {}

  async request(bytes: Uint8Array): Promise<number> {
    let written = 0;
    while (written < bytes.length) written += await this.conn.write(bytes.subarray(written));
    let end = headEnd(this.#buf, this.#len);
    while (end < 0) {
      await this.#fill();
      end = headEnd(this.#buf, this.#len);
    }
    const head = this.#latin1.decode(this.#buf.subarray(0, end));
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) throw new Error(`answer without Content-Length: ${head.slice(0, 200)}`);
    const total = end + Number(length[1]);
    while (this.#len < total) await this.#fill();
    this.#buf.copyWithin(0, total, this.#len);
    this.#len -= total;
    return status;
  }

  async #fill(): Promise<void> {
    if (this.#len === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#len));
    if (n === null) throw new Error("the service closed a keep-alive connection");
    this.#len += n;
  }

  close(): void {
    this.conn.close();
  }
}

const self = globalThis as unknown as Worker & { close(): void };
let stop = false;
self.onmessage = async (e: MessageEvent<Start | "stop">) => {
  if (e.data === "stop") {
    stop = true;
    return;
  }
  const { url, clients, first } = e.data;
  const u = new URL(url);
  const requests = Object.fromEntries(
    Object.entries(PATHS).map(([k, path]) => [
      k,
      new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: */*\r\n\r\n`),
    ]),
  ) as Record<keyof typeof PATHS, Uint8Array>;
  const result: ClientsResult = { health: [], bots: [], failures: {} };
  const conns = await Promise.all(
    Array.from(
      { length: clients },
      async () =>
        new Connection(await Deno.connect({ hostname: u.hostname, port: Number(u.port) })),
    ),
  );
  const loop = async (k: number) => {
    const c = conns[k - first];
    for (let i = k; !stop; i++) {
      const which = i % 2 === 0 ? "health" : "bots";
      const t = performance.now();
      const status = await c.request(requests[which]);
      if (stop) break;
      if (status === 200) result[which].push(performance.now() - t);
      else result.failures[status] = (result.failures[status] ?? 0) + 1;
    }
  };
  self.postMessage("started");
  await Promise.all(Array.from({ length: clients }, (_, k) => loop(first + k)));
  for (const c of conns) c.close();
  self.postMessage(result);
  self.close();
};
