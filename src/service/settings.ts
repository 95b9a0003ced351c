// Service settings changed at run time (GET/PATCH /api/settings), stored in DuckDB.

import { z } from "zod";
import type { BotStore } from "../store/bot_store.ts";
import type { BotSettings } from "./bot_types.ts";
import type { Actor, Supervisor } from "./supervisor.ts";

export type { BotSettings };

const requireConfirmation = z.boolean()
  .describe("New entries of every bot wait for a person to confirm them");
const confirmationTtl = z.number().int().min(10).max(86_400)
  .describe("Seconds a pending confirmation waits before it is cancelled");

/** Settings and their defaults. */
export const settingsSchema = z.object({
  require_confirmation: requireConfirmation.default(false),
  confirmation_ttl_s: confirmationTtl.default(300),
}).strict();

/** The settings. */
export type Settings = z.output<typeof settingsSchema>;

/**
 * A PATCH body: any subset, without defaults (a field left out stays as it is; a schema with
 * defaults would fill it in and reset it).
 */
export const settingsPatch = z.object({
  require_confirmation: requireConfirmation.optional(),
  confirmation_ttl_s: confirmationTtl.optional(),
}).strict();

/** A PATCH body as validated. */
export type SettingsPatch = z.output<typeof settingsPatch>;

const KEY = "service";

/** The bots' side of stored settings. */
export function botSettings(set: SettingsPatch): BotSettings {
  return {
    requireConfirmation: set.require_confirmation,
    confirmationTtlMs: set.confirmation_ttl_s === undefined
      ? undefined
      : set.confirmation_ttl_s * 1000,
  };
}

/**
 * Reads, changes and applies the settings; every change is audited. Only the fields a PATCH
 * named are stored; they apply to the running bots at once and to every bot launched later
 * (started, restarted after a failure, reset), over what its file says.
 */
export class SettingsService {
  constructor(private readonly store: BotStore, private readonly supervisor: Supervisor) {}

  /** The settings in force (defaults for those never set). */
  async get(): Promise<Settings> {
    return settingsSchema.parse(await this.changed());
  }

  /** Only the settings a PATCH has set. */
  async changed(): Promise<SettingsPatch> {
    const stored = await this.store.getSetting<unknown>(KEY);
    const ok = settingsPatch.safeParse(stored ?? {});
    return ok.success ? ok.data : {};
  }

  /** Hands the stored settings to the supervisor (before it launches bots). */
  async load(): Promise<void> {
    await this.supervisor.applySettings(botSettings(await this.changed()));
  }

  /** Changes the fields `change` names, and only them; applies them to every bot. */
  async patch(change: SettingsPatch, who: Actor): Promise<Settings> {
    const set = await this.changed();
    const before = settingsSchema.parse(set);
    const named = Object.fromEntries(
      Object.entries(settingsPatch.parse(change)).filter(([, v]) => v !== undefined),
    );
    const next: SettingsPatch = { ...set, ...named };
    const after = settingsSchema.parse(next);
    await this.store.setSetting(KEY, next);
    await this.supervisor.applySettings(botSettings(next));
    // Audited through the supervisor, which also announces it (pages and chats see it live).
    await this.supervisor.audit("settings", null, who, "ok", { before, after, changed: named });
    return after;
  }
}
