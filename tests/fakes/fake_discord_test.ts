// Tests for the Discord fake, driven through real discord.js: login, commands, interactions, messages, faults.

import assert from "node:assert/strict";
// @ts-types="./fake_discord_client_types.d.ts"
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  Routes,
  type TextChannel,
} from "discord.js";
import { type FakeDiscord, startFakeDiscord } from "./fake_discord.ts";

const TRADER = { id: "300000000000000001", username: "trader" };

/** A logged-in client on a fresh fake; destroyed and the fake closed afterwards. */
async function withClient(
  fn: (fake: FakeDiscord, client: Client) => Promise<void>,
  options: { heartbeatIntervalMs?: number } = {},
): Promise<void> {
  const fake = await startFakeDiscord(options);
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.rest } });
  try {
    const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(fake.token);
    await ready;
    await fn(fake, client);
  } finally {
    await client.destroy();
    await fake.close();
  }
}

/** The next interaction the client receives. */
function nextInteraction(client: Client): Promise<Interaction> {
  return new Promise((resolve) => client.once(Events.InteractionCreate, resolve));
}

Deno.test("discord.js logs in through the fake: gateway/bot, IDENTIFY, READY, the guild and its channel", async () => {
  await withClient(async (fake, client) => {
    const identify = await fake.nextIdentify();
    assert.equal(identify.token, fake.token);
    assert.equal(identify.intents, GatewayIntentBits.Guilds);
    assert.equal(client.user?.id, fake.applicationId);
    assert.equal(client.application?.id, fake.applicationId);
    const guild = client.guilds.cache.get(fake.guildId);
    assert.ok(guild, "the guild from GUILD_CREATE is cached");
    assert.ok(guild!.channels.cache.get(fake.channelId)?.isTextBased());
    const gatewayBot = fake.state.requests.find((r) => r.path === "/gateway/bot");
    assert.equal(gatewayBot?.status, 200);
    const me = await client.rest.get(Routes.user()) as { id: string; bot: boolean };
    assert.equal(me.id, fake.applicationId);
    assert.equal(me.bot, true);
  });
});

Deno.test("heartbeats are acked and carry the last sequence number", async () => {
  await withClient(async (fake, client) => {
    // The first beat may go out before READY (discord.js beats at a jittered moment after
    // HELLO, before or after IDENTIFY is answered): the heartbeats that follow carry seq 2.
    let seq = await fake.nextHeartbeat();
    for (let beats = 1; seq === null && beats < 5; beats++) seq = await fake.nextHeartbeat();
    assert.equal(seq, 2, "READY and GUILD_CREATE were dispatched");
    await fake.nextHeartbeat();
    assert.ok(client.ws.ping >= 0, "an ack was measured");
  }, { heartbeatIntervalMs: 50 });
});

Deno.test("a wrong token is refused with 401 and discord.js reports an invalid token", async () => {
  const fake = await startFakeDiscord();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.rest } });
  try {
    await assert.rejects(client.login("wrong-token"), /invalid token/i);
    assert.equal(fake.state.requests.find((r) => r.path === "/gateway/bot")?.status, 401);
  } finally {
    await client.destroy();
    await fake.close();
  }
});

Deno.test("guild slash commands are bulk-overwritten and read back from the fake", async () => {
  await withClient(async (fake, client) => {
    const set = await client.application!.commands.set([
      { name: "status", description: "Show every bot" },
      {
        name: "pnl",
        description: "Profit and loss",
        options: [{
          type: 3,
          name: "period",
          description: "Period",
          choices: [{ name: "day", value: "day" }, { name: "week", value: "week" }],
        }],
      },
    ], fake.guildId);
    assert.deepEqual([...set.values()].map((c) => c.name).sort(), ["pnl", "status"]);
    const stored = fake.state.commands.get(fake.guildId)!;
    assert.deepEqual(stored.map((c) => c.name), ["status", "pnl"]);
    assert.equal((stored[1].options as { choices: unknown[] }[])[0].choices.length, 2);
    const fetched = await client.application!.commands.fetch({ guildId: fake.guildId });
    assert.equal(fetched.size, 2);
  });
});

Deno.test("a slash command interaction with options is received and replied to", async () => {
  await withClient(async (fake, client) => {
    await client.application!.commands.set([{ name: "pnl", description: "P&L" }], fake.guildId);
    const received = nextInteraction(client);
    fake.interaction({
      kind: "command",
      name: "pnl",
      options: { bot: "alpha", period: "week", n: 5 },
      user: TRADER,
    });
    const interaction = await received as ChatInputCommandInteraction;
    assert.ok(interaction.isChatInputCommand());
    assert.equal(interaction.commandName, "pnl");
    assert.equal(interaction.user.id, TRADER.id);
    assert.equal(interaction.guildId, fake.guildId);
    assert.equal(interaction.options.getString("period"), "week");
    assert.equal(interaction.options.getInteger("n"), 5);
    await interaction.reply({ content: "alpha: +12.5 USDT this week" });
    const callback = await fake.nextCallback();
    assert.equal(callback.kind, "callback");
    assert.equal(callback.type, 4);
    assert.equal(callback.data.content, "alpha: +12.5 USDT this week");
    await interaction.editReply({ content: "alpha: +13.0 USDT this week" });
    const edit = await fake.nextCallback();
    assert.equal(edit.kind, "editOriginal");
    assert.equal(edit.message?.content, "alpha: +13.0 USDT this week");
  });
});

Deno.test("a deferred reply is followed by an edit of the original", async () => {
  await withClient(async (fake, client) => {
    const received = nextInteraction(client);
    fake.interaction({ kind: "command", name: "status", user: TRADER });
    const interaction = await received as ChatInputCommandInteraction;
    await interaction.deferReply();
    assert.equal((await fake.nextCallback()).type, 5);
    await interaction.editReply("2 bots running");
    const edit = await fake.nextCallback();
    assert.equal(edit.kind, "editOriginal");
    assert.equal(edit.message?.content, "2 bots running");
  });
});

function confirmRow(): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId("confirm:42").setLabel("Confirm").setStyle(ButtonStyle.Success),
    new ButtonBuilder().setCustomId("reject:42").setLabel("Reject").setStyle(ButtonStyle.Danger),
  );
}

Deno.test("a channel message with buttons is sent and edited", async () => {
  await withClient(async (fake, client) => {
    const channel = client.channels.cache.get(fake.channelId) as TextChannel;
    const sent = await channel.send({
      content: "alpha wants to buy 0.01 BTC/USDT",
      embeds: [{ title: "Pending entry", description: "SL 41000, TP 45000" }],
      components: [confirmRow()],
    });
    const created = await fake.nextMessage();
    assert.equal(created.kind, "create");
    assert.equal(created.message.id, sent.id);
    const row = (created.message.components as { components: { custom_id: string }[] }[])[0];
    assert.deepEqual(row.components.map((b) => b.custom_id), ["confirm:42", "reject:42"]);
    assert.equal((created.message.embeds as { title: string }[])[0].title, "Pending entry");
    assert.equal(sent.author.id, fake.applicationId);

    const edited = await sent.edit({ content: "Expired", components: [] });
    assert.equal(edited.content, "Expired");
    const edit = await fake.nextMessage();
    assert.equal(edit.kind, "edit");
    assert.deepEqual(fake.state.messages.get(sent.id)?.components, []);
  });
});

Deno.test("a button press arrives as a component interaction and updates its message", async () => {
  await withClient(async (fake, client) => {
    const channel = client.channels.cache.get(fake.channelId) as TextChannel;
    const sent = await channel.send({ content: "Confirm entry?", components: [confirmRow()] });
    await fake.nextMessage();
    const received = nextInteraction(client);
    fake.interaction({ kind: "button", customId: "confirm:42", messageId: sent.id, user: TRADER });
    const interaction = await received;
    if (!interaction.isButton()) throw new Error("Expected a button interaction");
    assert.equal(interaction.customId, "confirm:42");
    assert.equal(interaction.message.id, sent.id);
    assert.equal(interaction.user.id, TRADER.id);
    await interaction.update({ content: "Confirmed by trader", components: [] });
    const callback = await fake.nextCallback();
    assert.equal(callback.type, 7);
    assert.equal(fake.state.messages.get(sent.id)?.content, "Confirmed by trader");
  });
});

Deno.test("after a gateway drop discord.js resumes the session on resume_gateway_url", async () => {
  await withClient(async (fake, client) => {
    await fake.nextIdentify();
    const resume = await fake.dropGateway();
    assert.equal(resume.token, fake.token);
    assert.equal(resume.seq, 2);
    assert.equal(typeof resume.session_id, "string");
    // The resumed session still delivers interactions.
    const received = nextInteraction(client);
    fake.interaction({ kind: "command", name: "status", user: TRADER });
    assert.ok((await received).isChatInputCommand());
    const frames = fake.gatewayServer.received;
    assert.equal(frames.filter((f) => f.op === 2).length, 1, "no second IDENTIFY");
    assert.deepEqual(fake.gatewayServer.connections, ["/gateway", "/gateway-resume"]);
  });
});

Deno.test("a 429 is waited out by discord.js's REST queue, and a 502 is retried", async () => {
  await withClient(async (fake, client) => {
    const channel = client.channels.cache.get(fake.channelId) as TextChannel;
    const limited = new Promise((resolve) => client.rest.once("rateLimited", resolve));
    fake.fault({
      status: 429,
      method: "POST",
      path: /\/channels\/\d+\/messages$/,
      retryAfterS: 0.05,
    });
    const sent = await channel.send("after the rate limit");
    const info = await limited as { retryAfter: number; global: boolean };
    assert.equal(info.global, false);
    assert.equal(sent.content, "after the rate limit");
    const posts = fake.state.requests.filter((r) =>
      r.method === "POST" && r.path.endsWith("/messages")
    );
    assert.deepEqual(posts.map((r) => r.status), [429, 200]);

    fake.fault({ status: 502, method: "POST", path: /\/channels\/\d+\/messages$/ });
    await channel.send("after a bad gateway");
    const all = fake.state.requests.filter((r) =>
      r.method === "POST" && r.path.endsWith("/messages")
    );
    assert.deepEqual(all.map((r) => r.status), [429, 200, 502, 200]);
  });
});

Deno.test("client.destroy() closes the gateway socket cleanly", async () => {
  const fake = await startFakeDiscord();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.rest } });
  try {
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(fake.token);
    await ready;
    assert.equal(fake.gatewayServer.openSockets, 1);
    await client.destroy();
    await fake.gatewayServer.allClosed();
    assert.equal(fake.gatewayServer.openSockets, 0);
    assert.equal(client.isReady(), false);
  } finally {
    await fake.close();
  }
});
