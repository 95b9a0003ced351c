// Pending confirmations in every chat: one message per chat with Confirm / Reject, and each of
// them edited to say who decided where (or that it expired) once it is decided anywhere.

import type { Commands } from "../commands/commands.ts";
import type { BusEvent } from "../service/event_bus.ts";
import type { ChatMessage, SentRef } from "./chat.ts";
import { confirmButtons } from "./chat_core.ts";
import { findPending, pendingView } from "./pending_view.ts";
import { pendingText } from "./render.ts";

/** How messages leave: queued and retried, never awaited (the Outbox). */
export interface ChatSender {
  broadcast(m: ChatMessage, onSent?: (ref: SentRef) => void): void;
  edit(ref: SentRef, m: ChatMessage): void;
}

/** Where the board keeps its messages across restarts (a {@link Commands} key). */
const KEPT = "chat.pending_messages";

/**
 * Announces each entry that waits for confirmation to every configured chat, with buttons, and
 * keeps where each message went. When the entry is decided (from any chat, the API or the page)
 * or expires, every one of its messages is edited to the outcome and loses its buttons. The
 * message places are kept in the store, so after a restart a decision still edits the messages
 * sent before it (and their buttons keep working: they carry the entry's stable key).
 */
export class ConfirmationBoard {
  /** Pending id -> the messages showing it. */
  #refs = new Map<string, SentRef[]>();
  #stop: (() => void) | undefined;
  #saving: Promise<void> = Promise.resolve();
  /** Work started from events, so tests and close() can wait for it. */
  #work = new Set<Promise<void>>();

  constructor(
    private readonly o: {
      commands: Commands;
      sender: ChatSender;
      wallNow?: () => number;
      log?: (level: string, msg: string, fields: Record<string, unknown>) => void;
    },
  ) {}

  /** Loads the kept message places and starts following the bus. */
  async start(): Promise<void> {
    const kept = await this.o.commands.kept<Record<string, SentRef[]>>(KEPT);
    this.#refs = new Map(Object.entries(kept ?? {}));
    this.#stop = this.o.commands.onEvent((e) => this.#on(e));
    // Decided while the service was down (or before the chat started): settle them now.
    for (const id of [...this.#refs.keys()]) this.#track(this.#settle(id));
  }

  /** Stops following the bus; resolves when work already started is done. */
  async stop(): Promise<void> {
    this.#stop?.();
    this.#stop = undefined;
    await this.idle();
  }

  /** Resolves when the work started by events so far is done (its sends are queued). */
  async idle(): Promise<void> {
    while (this.#work.size) await Promise.all([...this.#work]);
    await this.#saving;
  }

  /** Messages (places) showing pending entry `id`. */
  refs(id: string): readonly SentRef[] {
    return this.#refs.get(id) ?? [];
  }

  #on(e: BusEvent): void {
    const d = e.data as Record<string, unknown>;
    if (e.type === "bot.pending") this.#track(this.#announce(d));
    else if (e.type === "pending.expired" || e.type === "pending.superseded") {
      this.#track(this.#settle(String(d.id)));
    } else if (e.type === "audit" && (d.action === "confirm" || d.action === "reject")) {
      this.#track(this.#settle(String(d.target)));
    }
  }

  #track(p: Promise<void>): void {
    const t = p.catch((err) =>
      this.o.log?.("error", "chat confirmation update failed", { error: String(err) })
    ).finally(() => this.#work.delete(t));
    this.#work.add(t);
  }

  async #announce(row: Record<string, unknown>): Promise<void> {
    const id = String(row.id);
    if (!this.#refs.has(id)) this.#refs.set(id, []);
    const view = await pendingView(this.o.commands, row);
    if (!this.#refs.has(id)) return; // decided while its details were read: nothing to ask
    const text = pendingText(view, (this.o.wallNow ?? Date.now)());
    this.o.sender.broadcast({ text, buttons: [confirmButtons(view.key, view.bot_id)] }, (ref) => {
      const list = this.#refs.get(id);
      if (list) {
        list.push(ref);
        this.#save();
      } else {
        // Decided before this chat's message went out: show the outcome there too.
        this.#track(this.#editOne(id, ref));
      }
    });
  }

  /** Edits every message of `id` to its outcome once it is no longer pending, then forgets it. */
  async #settle(id: string): Promise<void> {
    const refs = this.#refs.get(id);
    if (!refs) return;
    const row = await this.#row(id);
    if (row?.status === "pending") return;
    this.#refs.delete(id);
    this.#save();
    if (row) await this.#editAll(row, refs);
  }

  /** A message sent after its entry was decided: it shows the outcome too. */
  async #editOne(id: string, ref: SentRef): Promise<void> {
    const row = await this.#row(id);
    if (row) await this.#editAll(row, [ref]);
  }

  /** The stored row of pending entry `id`, or undefined. */
  async #row(id: string): Promise<Record<string, unknown> | undefined> {
    const found = await findPending(this.o.commands, id);
    return found && "row" in found ? found.row : undefined;
  }

  async #editAll(row: Record<string, unknown>, refs: readonly SentRef[]): Promise<void> {
    const view = await pendingView(this.o.commands, row);
    const m = { text: pendingText(view, (this.o.wallNow ?? Date.now)()) };
    for (const ref of refs) this.o.sender.edit(ref, m);
  }

  #save(): void {
    const snapshot = Object.fromEntries(this.#refs);
    this.#saving = this.#saving.then(() => this.o.commands.keep(KEPT, snapshot)).catch((err) =>
      this.o.log?.("error", "could not keep chat confirmation messages", { error: String(err) })
    );
  }
}
