// A worker of the edge bench: `clients` loops alternating GET /api/status/health and GET
// /api/bots until told to stop; posts each answer's latency (ms) by route.

interface Start {
  url: string;
  clients: number;
  /** Loop k starts with health when k is even (so the workers' loops alternate evenly). */
  first: number;
}

const self = globalThis as unknown as Worker & { close(): void };
let stop = false;
self.onmessage = async (e: MessageEvent<Start | "stop">) => {
  if (e.data === "stop") {
    stop = true;
    return;
  }
  const { url, clients, first } = e.data;
  const latency = { health: [] as number[], bots: [] as number[] };
  const loop = async (k: number) => {
    for (let i = k; !stop; i++) {
      const which = i % 2 === 0 ? "health" : "bots";
      const t = performance.now();
      const res = await fetch(`${url}/api/${which === "health" ? "status/health" : "bots"}`);
      await res.arrayBuffer();
      if (!stop) latency[which].push(performance.now() - t);
    }
  };
  self.postMessage("started");
  await Promise.all(Array.from({ length: clients }, (_, k) => loop(first + k)));
  self.postMessage(latency);
  self.close();
};
