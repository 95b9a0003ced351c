// `deno task start` with chat tokens in the environment: the chat bots start with the service
// (the README's variables, against the loopback fakes), answer commands and stop with it.

import assert from "node:assert/strict";
import { spawnDeno } from "../child_process_support.ts";
import { tempDir } from "../support.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { startFakeDiscord } from "../fakes/fake_discord.ts";

/** Runs `fn`; fails after `ms` (a safety net for a loaded machine) instead of hanging. */
async function within(ms: number, what: string, fn: () => Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  try {
    await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("start: TELEGRAM_* and DISCORD_* variables start both chat bots; they answer and stop with the service", async () => {
  await using dir = await tempDir();
  const tg = startFakeTelegram();
  const dc = await startFakeDiscord();
  await using child = spawnDeno(
    ["run", "-A", "src/main.ts", "--port", "0", "--replay", "--speed", "600"],
    {
      env: {
        TIDEWATCH_DATA_DIR: dir.path,
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        TELEGRAM_ALLOWED_USERS: "111",
        TELEGRAM_CHAT_IDS: "-100",
        DISCORD_BOT_TOKEN: dc.token,
        DISCORD_GUILD_ID: dc.guildId,
        DISCORD_API_ROOT: dc.rest,
        DISCORD_ALLOWED_USERS: "300000000000000001",
        DISCORD_CHANNEL_IDS: dc.channelId,
      },
      stderr: "piped",
    },
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const errText = new Response(child.stderr).text();
  let drain: Promise<void> | undefined;
  try {
    let seen = "";
    while (!seen.includes("tidewatch listening")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`service exited early: ${seen}`);
      seen += value;
    }
    const started = JSON.parse(seen.split("\n").find((l) => l.includes("tidewatch listening"))!);
    assert.equal(started.chat, "Telegram and Discord");
    // Keep reading the service's output (a full pipe would stall it); the platforms connect in
    // the background and each says when it is ready.
    const bothReady = Promise.withResolvers<void>();
    drain = (async () => {
      for (;;) {
        if (seen.includes("Telegram chat started") && seen.includes("Discord chat started")) {
          bothReady.resolve();
        }
        const { value, done } = await reader.read();
        if (done) return;
        seen += value;
      }
    })();
    await within(90_000, "both chat bots started", () => bothReady.promise);
    await within(90_000, "the Telegram and Discord answers", async () => {
      tg.userSends(-100, 111, "/status");
      for (;;) {
        const m = await tg.nextSent();
        if (/Tidewatch \(paper\): 5 bots/.test(m.text ?? "")) break;
      }
      dc.interaction({
        kind: "command",
        name: "bots",
        user: { id: "300000000000000001", username: "trader" },
      });
      for (;;) {
        const c = await dc.nextCallback();
        if (/ema_crossover_01/.test(String(c.data.content ?? ""))) break;
      }
    });
  } finally {
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    await reader.cancel().catch(() => {});
    await drain?.catch(() => {});
    const err = await errText;
    assert.ok(!err.includes(tg.token) && !err.includes(dc.token), "no token on stderr");
    assert.doesNotMatch(err, /DeprecationWarning/);
    await tg.close();
    await dc.close();
  }
});
