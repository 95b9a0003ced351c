// The Tidewatch service entry point: wires the store and the HTTP app, then serves on loopback.

import { ConfigError } from "./core/errors.ts";
import { optional, parseFlags, runMain } from "./cli/args.ts";
import { createApp } from "./http/app.ts";
import { CandleStore } from "./store/candle_store.ts";
import { Db } from "./store/db.ts";
import { dbPath } from "./store/paths.ts";

/** Tidewatch's version. */
export const VERSION = "0.1.0";

async function main(): Promise<number> {
  const f = parseFlags(Deno.args, {
    port: { type: "string" },
    host: { type: "string" },
    db: { type: "string" },
  }, "deno task start");
  const portText = optional(f, "port") ?? Deno.env.get("TIDEWATCH_PORT") ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(
      `Port "${portText}" (--port or TIDEWATCH_PORT) must be a whole number 0..65535.`,
    );
  }
  const hostname = optional(f, "host") ?? "127.0.0.1";
  const db = await Db.open(dbPath(optional(f, "db")));
  const app = createApp({ store: new CandleStore(db), mode: "paper", version: VERSION });
  const ac = new AbortController();
  const server = Deno.serve({
    port,
    hostname,
    signal: ac.signal,
    onListen: ({ hostname, port }) =>
      console.log(JSON.stringify({
        level: "info",
        msg: "tidewatch listening",
        url: `http://${hostname}:${port}`,
        mode: "paper",
        db: db.path,
      })),
  }, app.fetch);
  const stop = () => ac.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  db.close();
  return 0;
}

if (import.meta.main) runMain(main);
