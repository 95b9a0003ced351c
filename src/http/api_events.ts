// GET /api/events: server-sent events for everything the event bus carries (resumable), with
// streams capped in number and a slow reader dropped when its unsent events pass a bound.

import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import type { BusEvent } from "../service/event_bus.ts";
import { clientAddress } from "./client_address.ts";
import type { RouteTable } from "./route_table.ts";
import { SseGate } from "./sse_limits.ts";

/** One event as the stream sends it, serialised once when it is queued. */
interface Outgoing {
  id: string;
  event: string;
  data: string;
}

/** Each event serialised once, however many streams send it. */
const sent = new WeakMap<BusEvent, Outgoing>();

function serialised(e: BusEvent): Outgoing {
  let o = sent.get(e);
  if (!o) sent.set(e, o = { id: String(e.id), event: e.type, data: JSON.stringify(e) });
  return o;
}

/**
 * Registers the SSE route. `Last-Event-ID` (or `?after=`) resumes after a known event. Beyond the
 * gate's caps a request gets 429 with `Retry-After`; a stream whose client lets more than
 * `gate.maxBufferedBytes` of events pile up is closed, and its bus subscription released.
 */
export function eventRoutes(
  routes: RouteTable,
  commands: Commands,
  gate: SseGate = new SseGate(),
): void {
  routes.add({
    method: "get",
    path: "/api/events",
    summary:
      "Server-sent events: bot decisions, orders, fills, status, incidents, audit, backtests",
    query: z.object({
      after: z.coerce.number().int().min(0).optional().describe("Resume after this event id"),
      types: z.string().max(1000).optional().describe(
        "Comma-separated event types or prefixes (bot., audit)",
      ),
    }).strict(),
    handler: (c, { query }) => {
      const entry = gate.enter(clientAddress(c));
      if (!entry.ok) {
        c.header("Retry-After", String(entry.retryAfter));
        return c.json({ error: entry.error }, 429);
      }
      const after = Number(c.req.header("last-event-id") ?? query.after ?? NaN);
      const prefixes = query.types?.split(",").map((t) => t.trim()).filter(Boolean);
      const wanted = (e: BusEvent) => !prefixes || prefixes.some((p) => e.type.startsWith(p));
      const outgoing = serialised;
      return streamSSE(c, async (stream) => {
        let stop = () => {};
        let wake: (() => void) | undefined;
        const end = () => {
          stop();
          entry.release();
          wake?.();
        };
        stream.onAbort(end);
        try {
          const queue: Outgoing[] = Number.isFinite(after)
            ? commands.eventsSince(after).filter(wanted).map(outgoing)
            : [];
          let queued = queue.reduce((n, o) => n + o.data.length, 0);
          // A resumed stream's backlog (at most the bus's kept events) comes on top of the bound.
          const bound = gate.maxBufferedBytes + queued;
          stop = commands.onEvent((e) => {
            if (!wanted(e)) return;
            const o = outgoing(e);
            queue.push(o);
            queued += o.data.length;
            if (queued > bound) {
              // Too slow a reader: close its stream rather than hold ever more events for it.
              end();
              stream.abort();
              return;
            }
            wake?.();
          });
          await stream.writeSSE({ event: "hello", data: JSON.stringify({ at: Date.now() }) });
          while (!stream.aborted && !stream.closed) {
            while (queue.length && !stream.aborted) {
              const o = queue.shift()!;
              queued -= o.data.length;
              await stream.writeSSE(o);
            }
            if (stream.aborted) break;
            await new Promise<void>((r) => {
              // Wakes on the next event, or after 15 s to send a comment line that keeps proxies
              // from closing an idle stream.
              const t = setTimeout(r, 15_000);
              wake = () => (clearTimeout(t), r());
            });
            wake = undefined;
            if (!queue.length && !stream.aborted) await stream.write(": keep-alive\n\n");
          }
        } finally {
          end();
        }
      });
    },
  });
}
