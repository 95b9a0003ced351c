// POST /api/orders: a manual order, live mode only (paper bots trade on their own signals).

import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import { apiActor } from "./api_bots.ts";
import type { RouteTable } from "./route_table.ts";

const manualOrder = z.object({
  bot_id: z.string().min(1).describe("The live bot whose account and symbol the order uses"),
  side: z.enum(["buy", "sell"]),
  type: z.enum(["market", "limit"]).default("market"),
  qty: z.number().positive(),
  price: z.number().positive().optional(),
  reduce_only: z.boolean().default(false),
}).strict().refine((o) => o.type === "market" || o.price !== undefined, {
  message: "a limit order needs a price",
  path: ["price"],
});

/** Registers POST /api/orders. */
export function orderRoutes(routes: RouteTable, commands: Commands): void {
  routes.add({
    method: "post",
    path: "/api/orders",
    summary: "Send a manual order through a live bot's exchange account (live mode only)",
    body: manualOrder,
    handler: async (c, { body }) => await commands.manualOrder(body, apiActor(c)),
  });
}
