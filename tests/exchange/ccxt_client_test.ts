// createExchange: REST and websocket origins rewritten for proxies and fakes, pro clients.

import assert from "node:assert/strict";
import ccxt from "ccxt";
import { createExchange, rewriteWsOrigins } from "../../src/exchange/ccxt_client.ts";
import { safeErrorMessage } from "../../src/feed/exchange_link.ts";

Deno.test("a pro client gets its websocket URLs rewritten, REST ones separately", () => {
  const okx = createExchange("okx", {
    pro: true,
    restOrigin: "http://127.0.0.1:1",
    wsOrigin: "http://127.0.0.1:2/",
  });
  assert.ok(okx instanceof ccxt.pro.okx);
  const api = okx.urls.api as Record<string, unknown>;
  assert.equal(api.ws, "ws://127.0.0.1:2/ws/v5");
  assert.equal(api.rest, "http://127.0.0.1:1");
  // ccxt's own reconnect delay is off: the feed backs off itself.
  assert.equal((okx.options.ws as { backoff: { base: number } }).backoff.base, 0);
});

Deno.test("binanceusdm's nested websocket URLs all move; ws options are kept", () => {
  const bn = createExchange("binanceusdm", { pro: true, wsOrigin: "ws://127.0.0.1:3" });
  const ws = (bn.urls.api as Record<string, Record<string, unknown>>).ws;
  assert.equal(ws.future, "ws://127.0.0.1:3/ws");
  assert.deepEqual(ws["ws-api"], {
    spot: "ws://127.0.0.1:3/ws-api/v3",
    future: "ws://127.0.0.1:3/ws-fapi/v1",
    delivery: "ws://127.0.0.1:3/ws-dapi/v1",
  });
  assert.equal((bn.options.ws as { cost: number }).cost, 5);
});

Deno.test("the websocket origin defaults to TIDEWATCH_<ID>_WS_URL; plain clients ignore it", () => {
  Deno.env.set("TIDEWATCH_OKX_WS_URL", "wss://proxy.example:9443");
  try {
    const okx = createExchange("okx", { pro: true });
    assert.equal((okx.urls.api as Record<string, unknown>).ws, "wss://proxy.example:9443/ws/v5");
    assert.ok(!(createExchange("okx") instanceof ccxt.pro.okx));
  } finally {
    Deno.env.delete("TIDEWATCH_OKX_WS_URL");
  }
});

Deno.test("rewriteWsOrigins leaves http URLs alone and maps https to wss", () => {
  assert.deepEqual(
    rewriteWsOrigins({ a: "wss://x.com/ws", b: "https://x.com/api" }, "https://p.local"),
    { a: "wss://p.local/ws", b: "https://x.com/api" },
  );
});

Deno.test("safeErrorMessage masks signing parameters, names the class and keeps it short", () => {
  const err = new ccxt.NetworkError("GET /api?apiKey=abc123&signature=deadbeef&x=1 failed");
  const msg = safeErrorMessage(new Error("wrapped", { cause: err }));
  assert.equal(msg, "NetworkError: GET /api?apiKey=***&signature=***&x=1 failed");
  assert.equal(safeErrorMessage(new Error("x".repeat(500))).length, 300);
});

Deno.test("createExchange keeps Binance's per-host error tables behind a rewritten origin", () => {
  const ex = createExchange("binanceusdm", { restOrigin: "http://127.0.0.1:9" });
  const lookup = (ex as unknown as {
    getExceptionsByUrl(url: string, kind: string): Record<string, unknown>;
  }).getExceptionsByUrl.bind(ex);
  const futures = lookup("http://127.0.0.1:9/fapi/v1/order", "exact");
  assert.equal(futures["-2019"], ccxt.InsufficientFunds); // margin is insufficient
  assert.equal(futures["-4116"], ccxt.InvalidOrder); // duplicate client order id
  assert.deepEqual(lookup("http://127.0.0.1:9/unknown", "exact"), {});
});
