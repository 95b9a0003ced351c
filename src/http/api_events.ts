// GET /api/events: server-sent events for everything the event bus carries (resumable).

import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import type { BusEvent } from "../service/event_bus.ts";
import type { RouteTable } from "./route_table.ts";

/** Registers the SSE route. `Last-Event-ID` (or `?after=`) resumes after a known event. */
export function eventRoutes(routes: RouteTable, commands: Commands): void {
  routes.add({
    method: "get",
    path: "/api/events",
    summary:
      "Server-sent events: bot decisions, orders, fills, status, incidents, audit, backtests",
    query: z.object({
      after: z.coerce.number().int().min(0).optional().describe("Resume after this event id"),
      types: z.string().optional().describe(
        "Comma-separated event types or prefixes (bot., audit)",
      ),
    }).strict(),
    handler: (c, { query }) => {
      const after = Number(c.req.header("last-event-id") ?? query.after ?? NaN);
      const prefixes = query.types?.split(",").map((t) => t.trim()).filter(Boolean);
      const wanted = (e: BusEvent) => !prefixes || prefixes.some((p) => e.type.startsWith(p));
      return streamSSE(c, async (stream) => {
        const queue: BusEvent[] = Number.isFinite(after)
          ? commands.eventsSince(after).filter(wanted)
          : [];
        let wake: (() => void) | undefined;
        const stop = commands.onEvent((e) => {
          if (!wanted(e)) return;
          queue.push(e);
          wake?.();
        });
        stream.onAbort(() => {
          stop();
          wake?.();
        });
        await stream.writeSSE({ event: "hello", data: JSON.stringify({ at: Date.now() }) });
        while (!stream.aborted && !stream.closed) {
          while (queue.length) {
            const e = queue.shift()!;
            await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e) });
          }
          await new Promise<void>((r) => {
            // Wakes on the next event, or after 15 s to send a comment line that keeps proxies
            // from closing an idle stream.
            const t = setTimeout(r, 15_000);
            wake = () => (clearTimeout(t), r());
          });
          wake = undefined;
          if (!queue.length && !stream.aborted) await stream.write(": keep-alive\n\n");
        }
        stop();
      });
    },
  });
}
