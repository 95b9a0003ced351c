// A pending confirmation as chat shows it: its order and the decision that asked for it.

import type { Commands } from "../commands/commands.ts";
import type { OrderRequest, Signal } from "../core/trading.ts";
import { type PendingView, sizeText } from "./render.ts";

type Row = Record<string, unknown>;

/**
 * A short, stable key of a pending id (12 hex characters): what buttons carry (Telegram allows
 * 64 bytes of callback data, and a pending id can be longer) and what `/confirm` accepts. The
 * same id gives the same key after a restart, so old buttons keep working.
 */
export function pendingKey(id: string): string {
  // Two 32-bit FNV-1a hashes with different offsets: 48 bits are plenty among stored pendings.
  let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return (a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0")).slice(0, 12);
}

/** The decision (its signal) that asked for a pending entry, found by its correlation id. */
async function signalOf(commands: Commands, row: Row): Promise<Signal | undefined> {
  const corr = row.correlation_id;
  if (typeof corr !== "string") return undefined;
  // A correlation id is "<bot>:<decision ts>:<n>": read the decisions of that candle only.
  const ts = Number(corr.split(":").at(-2));
  if (!Number.isFinite(ts)) return undefined;
  try {
    const page = await commands.records(String(row.bot_id), "decisions", {
      from: ts,
      to: ts,
      limit: 50,
      offset: 0,
    });
    const d = (page.decisions as Row[]).find((r) => r.correlation_id === corr);
    return d?.signal as Signal | undefined;
  } catch {
    return undefined; // the bot is gone from the configs: show what the order says
  }
}

/** The view of one stored pending row. */
export async function pendingView(commands: Commands, row: Row): Promise<PendingView> {
  const req = (row.request ?? {}) as Partial<OrderRequest>;
  const signal = await signalOf(commands, row);
  const id = String(row.id);
  return {
    id,
    key: pendingKey(id),
    bot_id: String(row.bot_id),
    side: String(req.side ?? signal?.side ?? "?"),
    symbol: String(req.symbol ?? "?"),
    size: sizeText(req.size, String(req.symbol ?? "")),
    entry: req.price ?? signal?.entry,
    sl: req.bracket?.sl ?? signal?.sl,
    tp: req.bracket?.tp ?? signal?.tp,
    confidence: signal?.confidence,
    reason: signal?.reason,
    expires_at: Number(row.expires_at),
    status: String(row.status),
    decided_by: row.decided_by == null ? null : String(row.decided_by),
    decided_at: row.decided_at == null ? null : Number(row.decided_at),
  };
}

/**
 * The stored pending row a chat names: its full id, its key, or the unique start of either;
 * undefined when none matches, or the ids when several do.
 */
export async function findPending(
  commands: Commands,
  word: string,
): Promise<{ row: Row } | { ambiguous: string[] } | undefined> {
  const { pending } = await commands.pending();
  const rows = pending as Row[];
  const exact = rows.find((r) => r.id === word || pendingKey(String(r.id)) === word);
  if (exact) return { row: exact };
  if (word.length < 4) return undefined;
  const hits = rows.filter((r) =>
    String(r.id).startsWith(word) || pendingKey(String(r.id)).startsWith(word)
  );
  if (hits.length === 1) return { row: hits[0] };
  // Several: prefer the only one still waiting.
  const waiting = hits.filter((r) => r.status === "pending");
  if (waiting.length === 1) return { row: waiting[0] };
  return hits.length ? { ambiguous: hits.map((r) => pendingKey(String(r.id))) } : undefined;
}
