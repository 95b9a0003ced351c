// The edge bench's load generator, a worker: `clients` keep-alive HTTP/1.1 connections over raw
// TCP, each looping on GET /api/status/health and GET /api/bots until told to stop; posts each
// answer's latency (ms) by route.
//
// Same load as before, lighter to make: 64 concurrent connections still each wait for their
// answer before asking again (no pipelining), but one event loop writing request bytes and
// reading Content-Length answers costs a fraction of a core where four workers running `fetch`
// took about 1.5 of the machine's 2, which the service then lacked.

import { Connection } from "./http_connection.ts";

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
      const { status } = await c.request(requests[which]);
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
