// The HTTP core of the fake exchange: one `node:http` server on 127.0.0.1, the request log,
// routing by venue path prefix, request hooks and forced faults on candle requests.
//
// Each venue's public REST (fake_okx_public.ts, fake_binance_public.ts) answers the paths under
// its prefix; they do not collide (`/api/v5/...` is OKX, `/fapi/...` is Binance USDT-M).
//
// Hooks (`addHook`) serve paths the venues do not know, with the request body read: the private
// REST of fake_okx_trading.ts and fake_binance_trading.ts plugs in this way. A hook's request is
// logged in `requests` like any other; `failNext` does not apply to it (hooks bring their own
// faults).
//
// Faults (`failNext`) hit candle requests only (OKX candles/history-candles, Binance klines):
// 429 answers the venue's rate-limit body (ccxt: okx RateLimitExceeded, binance DDoSProtection),
// 5xx an HTML gateway page (ccxt: ExchangeNotAvailable or RequestTimeout for 504), `drop` destroys
// the socket (ccxt: NetworkError), `stall` never answers (ccxt: RequestTimeout). Answers carry
// `Connection: close` unless `keepAlive` is set, because Deno's fetch transparently retries a GET
// whose reused keep-alive connection drops, which would swallow a single `drop`.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Buffer } from "node:buffer";
import type { FakeVenue } from "./fake_market_data.ts";
import type { Query, Reply } from "./fake_rest_wire.ts";

/** One request the fake received. `status` 0 means it was dropped or stalled, never answered. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** Which venue the path belongs to, or null for an unknown path. */
  venue: FakeVenue | null;
}

/** How the next candle requests fail; see {@link FakeRestServer.failNext}. */
export interface FakeFailure {
  /** Answer with this HTTP status and the venue's body for it (429: its rate-limit body). */
  status?: number;
  /** Destroy the TCP socket without answering. */
  drop?: boolean;
  /** Never answer (until `close()`), so the client times out. */
  stall?: boolean;
  /** How many candle requests fail this way (default 1). */
  count?: number;
  /** Only candle requests to this venue count (default: either). */
  venue?: FakeVenue;
}

/** A request handed to a {@link FakeRequestHook}, with its body read. */
export interface FakeHookRequest {
  method: string;
  /** Path and query exactly as received ("/api/v5/trade/order?instId=BTC-USDT"). */
  url: string;
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** A hook's answer: a reply, or "drop" (destroy the socket) or "stall" (never answer). */
export type FakeHookReply =
  | { status: number; body: string; headers?: Record<string, string> }
  | "drop"
  | "stall";

/** Serves requests the fake's own routes do not know (e.g. OKX private REST). */
export interface FakeRequestHook {
  /** Whether this hook serves `method path`. */
  claims(method: string, path: string): boolean;
  /** The answer to a claimed request. */
  handle(req: FakeHookRequest): FakeHookReply | Promise<FakeHookReply>;
}

/** One venue's public REST, as the server routes to it. */
export interface FakeVenueRest {
  readonly venue: FakeVenue;
  /** Every path of the venue starts with it ("/api/v5/", "/fapi/"). */
  readonly prefix: string;
  /** Whether `path` asks for candles (the only requests `failNext` hits). */
  isCandles(path: string): boolean;
  /** The answer to a GET of one of the venue's paths. */
  get(path: string, query: Query): Reply;
  /** The venue's answer to a path or method it does not serve. */
  notFound(method: string, path: string): Reply;
  /** The venue's own body for a forced failure status. */
  failure(status: number): Reply;
}

/** Options of {@link FakeRestServer.start}. */
export interface FakeRestServerOptions {
  /** Keep connections open between requests (default false: `Connection: close`). */
  keepAlive?: boolean;
}

interface Rule extends FakeFailure {
  remaining: number;
}

/** The running server: logs, hooks, faults, and routing to the venues. */
export class FakeRestServer {
  /** Every request received, in arrival order. */
  readonly requests: FakeRequest[] = [];
  readonly #venues: readonly FakeVenueRest[];
  readonly #keepAlive: boolean;
  readonly #hooks: FakeRequestHook[] = [];
  readonly #rules: Rule[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;
  #url = "";

  private constructor(venues: readonly FakeVenueRest[], options: FakeRestServerOptions) {
    this.#venues = venues;
    this.#keepAlive = options.keepAlive ?? false;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** Starts a server for `venues` on 127.0.0.1 at a free port. */
  static async start(
    venues: readonly FakeVenueRest[],
    options: FakeRestServerOptions = {},
  ): Promise<FakeRestServer> {
    const server = new FakeRestServer(venues, options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once("error", reject);
      server.#server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.#server.address() as AddressInfo;
    server.#url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** Origin of the server, e.g. "http://127.0.0.1:43121". */
  get url(): string {
    return this.#url;
  }

  /** Makes the next candle requests fail (rules queue up in call order). */
  failNext(failure: FakeFailure): void {
    const modes = [failure.status !== undefined, !!failure.drop, !!failure.stall];
    if (modes.filter(Boolean).length !== 1) {
      throw new Error("failNext: give exactly one of status, drop or stall");
    }
    this.#rules.push({ ...failure, remaining: failure.count ?? 1 });
  }

  /** Hands the requests `hook` claims to it (first claiming hook wins). */
  addHook(hook: FakeRequestHook): void {
    this.#hooks.push(hook);
  }

  /** Stops the server and cuts every open connection. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
      this.#server.closeAllConnections();
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const parsed = new URL(req.url ?? "/", "http://fake");
    const query: Query = {};
    for (const [k, v] of parsed.searchParams) query[k] = v;
    const path = parsed.pathname;
    const rest = this.#venues.find((v) => path.startsWith(v.prefix));
    const venue = rest?.venue ?? null;
    const entry: FakeRequest = { method: req.method ?? "GET", path, query, status: 0, venue };
    this.requests.push(entry);
    const hook = this.#hooks.find((h) => h.claims(entry.method, path));
    if (hook) return void this.#runHook(hook, req, res, entry, query);

    if (rest?.isCandles(path)) {
      const rule = this.#takeRule(rest.venue);
      if (rule?.drop) {
        req.socket.destroy();
        return;
      }
      if (rule?.stall) return; // answered never; close() destroys the socket
      if (rule?.status !== undefined) return this.#send(res, entry, rest.failure(rule.status));
    }
    let reply: Reply;
    try {
      reply = !rest
        ? { status: 404, body: "Not Found", headers: { "content-type": "text/plain" } }
        : entry.method !== "GET"
        ? rest.notFound(entry.method, path)
        : rest.get(path, query);
    } catch (err) {
      reply = { status: 500, body: JSON.stringify({ error: String(err) }) };
    }
    this.#send(res, entry, reply);
  }

  /** Reads the body, asks `hook`, then answers, drops or stalls as it says. */
  async #runHook(
    hook: FakeRequestHook,
    req: IncomingMessage,
    res: ServerResponse,
    entry: FakeRequest,
    query: Query,
  ): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const body = new TextDecoder().decode(Buffer.concat(chunks));
    let reply: FakeHookReply;
    try {
      const url = req.url ?? entry.path;
      reply = await hook.handle({
        method: entry.method,
        url,
        path: entry.path,
        query,
        headers,
        body,
      });
    } catch (err) {
      reply = { status: 500, body: JSON.stringify({ error: String(err) }) };
    }
    if (reply === "drop") req.socket.destroy();
    else if (reply !== "stall") this.#send(res, entry, reply);
  }

  #send(res: ServerResponse, entry: FakeRequest, reply: Reply): void {
    entry.status = reply.status;
    res.writeHead(reply.status, {
      "content-type": "application/json",
      "content-length": String(new TextEncoder().encode(reply.body).length),
      ...(this.#keepAlive ? {} : { connection: "close" }),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  #takeRule(venue: FakeVenue): Rule | undefined {
    const i = this.#rules.findIndex((r) => r.venue === undefined || r.venue === venue);
    if (i < 0) return undefined;
    const rule = this.#rules[i];
    if (--rule.remaining <= 0) this.#rules.splice(i, 1);
    return rule;
  }
}
