// The chat settings from the environment: platforms on by their token, ids checked, clear errors
// naming the variable and never the token.

import assert from "node:assert/strict";
import { chatConfig } from "../../src/bots/chat_config.ts";
import { ConfigError } from "../../src/core/errors.ts";

const TG = "123456:AAbb-cc_dd";

Deno.test("chat config: no tokens, chat off; a token turns its platform on with its lists", () => {
  assert.deepEqual(chatConfig({}), { warnings: [], notifyOff: undefined });
  const c = chatConfig({
    TELEGRAM_BOT_TOKEN: TG,
    TELEGRAM_ALLOWED_USERS: "111, 222",
    TELEGRAM_READONLY_USERS: "333",
    TELEGRAM_CHAT_IDS: "-100123 111",
    TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
    DISCORD_BOT_TOKEN: "discord-token",
    DISCORD_GUILD_ID: "123456789012",
    DISCORD_ALLOWED_ROLES: "77",
    DISCORD_CHANNEL_IDS: "55555",
    TIDEWATCH_NOTIFY_OFF: "daily",
  });
  assert.deepEqual(c.telegram, {
    token: TG,
    apiRoot: "http://127.0.0.1:8081",
    chats: ["-100123", "111"],
    access: { users: ["111", "222"], readOnlyUsers: ["333"] },
  });
  assert.equal(c.discord?.guildId, "123456789012");
  assert.deepEqual(c.discord?.access.roles, ["77"]);
  assert.deepEqual(c.discord?.channels, ["55555"]);
  assert.equal(c.notifyOff, "daily");
  assert.deepEqual(c.warnings, []);
});

Deno.test("chat config: a platform nobody may use, or with no chats, is a warning saying what it still does", () => {
  const c = chatConfig({ TELEGRAM_BOT_TOKEN: TG });
  assert.equal(c.warnings.length, 2);
  assert.match(c.warnings[0], /nobody may use its commands \(set TELEGRAM_ALLOWED_USERS/);
  assert.match(c.warnings[1], /no TELEGRAM_CHAT_IDS set/);
});

Deno.test("chat config: wrong values name the variable, never the token", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ TELEGRAM_BOT_TOKEN: "not a token" }, /TELEGRAM_BOT_TOKEN does not look like a bot token/],
    [
      { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_ALLOWED_USERS: "111,@ana" },
      /TELEGRAM_ALLOWED_USERS: item 2 "@ana" is not a numeric id/,
    ],
    [
      { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: "ftp://x" },
      /TELEGRAM_API_ROOT must be an http or https URL/,
    ],
    [{ DISCORD_BOT_TOKEN: "discord-secret" }, /DISCORD_GUILD_ID must be the numeric id/],
    [{
      DISCORD_BOT_TOKEN: "discord-secret",
      DISCORD_GUILD_ID: "123456",
      DISCORD_CHANNEL_IDS: "general",
    }, /DISCORD_CHANNEL_IDS: item 1 "general"/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => chatConfig(env), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, message);
      assert.ok(!err.message.includes("discord-secret"));
      return true;
    });
  }
});
