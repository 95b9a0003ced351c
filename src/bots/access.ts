// Who may use the chat bots: allow-lists of user ids (and Discord roles), full or read-only.

import type { ChatUser, Platform } from "./chat.ts";

/** What a chat user may do: everything, read only, or nothing. */
export type AccessLevel = "full" | "read" | "none";

/** One platform's lists: user ids (and role ids on Discord) with full or read-only access. */
export interface AccessLists {
  users: readonly string[];
  readOnlyUsers?: readonly string[];
  roles?: readonly string[];
  readOnlyRoles?: readonly string[];
}

/**
 * Decides per user, never per chat: in a group chat each member is checked on their own id, so
 * adding the bot to a group lets nobody new act. A user on no list gets nothing. Lists are of
 * ids (stable), not names (which people change).
 */
export class Access {
  constructor(private readonly lists: Partial<Record<Platform, AccessLists>>) {}

  /** The user's level on their platform. */
  level(user: ChatUser): AccessLevel {
    const l = this.lists[user.platform];
    if (!l) return "none";
    const roles = user.roles ?? [];
    if (l.users.includes(user.id) || roles.some((r) => l.roles?.includes(r))) return "full";
    if (
      l.readOnlyUsers?.includes(user.id) || roles.some((r) => l.readOnlyRoles?.includes(r))
    ) return "read";
    return "none";
  }
}
