// Service settings changed at run time (GET/PATCH /api/settings), stored in DuckDB.

import { z } from "zod";
import type { BotStore } from "../store/bot_store.ts";
import type { Actor, Supervisor } from "./supervisor.ts";

/** Settings and their defaults. */
export const settingsSchema = z.object({
  require_confirmation: z.boolean().default(false)
    .describe("New entries of every running bot wait for a person to confirm them"),
  confirmation_ttl_s: z.number().int().min(10).max(86_400).default(300)
    .describe("Seconds a pending confirmation waits before it is cancelled"),
}).strict();

/** The settings. */
export type Settings = z.output<typeof settingsSchema>;

/** A PATCH body: any subset. */
export const settingsPatch = settingsSchema.partial().strict();

/** Reads, changes and applies the settings; every change is audited. */
export class SettingsService {
  constructor(private readonly store: BotStore, private readonly supervisor: Supervisor) {}

  async get(): Promise<Settings> {
    return settingsSchema.parse((await this.store.getSetting<unknown>("service")) ?? {});
  }

  async patch(change: Partial<Settings>, who: Actor, at: number): Promise<Settings> {
    const before = await this.get();
    const after = settingsSchema.parse({ ...before, ...change });
    await this.store.setSetting("service", after);
    if (after.require_confirmation !== before.require_confirmation) {
      await this.supervisor.requireConfirmation(after.require_confirmation);
    }
    await this.store.audit({
      at,
      action: "settings",
      surface: who.surface,
      actor: who.actor,
      outcome: "ok",
      details: { before, after },
    });
    return after;
  }
}
