// The fake Discord's REST API v10 (`/api/v10/...`): gateway discovery, commands, interactions, messages.
//
// discord.js 14.28 (@discordjs/rest 2.6) sends `Authorization: Bot <token>` and JSON bodies
// (messages with files: multipart/form-data, `payload_json` and `files[n]`, kept as attachments);
// interaction callbacks carry `?with_response=true|false` (true wants an InteractionCallbackResponse,
// false gets 204). A wrong token gets 401 `{"message":"401: Unauthorized","code":0}`. Faults
// (`DiscordFault`) answer a matching request first: 429 with Discord's body `{message,
// retry_after, global}` and headers `Retry-After`, `X-RateLimit-Limit/Remaining/Reset/
// Reset-After/Bucket/Scope` (and `X-RateLimit-Global` when global), or a bare 5xx.
import type { DiscordFault, DiscordFile, DiscordState, Json } from "./fake_discord_state.ts";

const PREFIX = "/api/v10";

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function notFound(): Response {
  return json({ message: "Unknown Message", code: 10008 }, 404);
}

function faultResponse(fault: DiscordFault): Response {
  if (fault.status !== 429) {
    return new Response("<html><body>502 Bad Gateway</body></html>", {
      status: fault.status,
      headers: { "content-type": "text/html" },
    });
  }
  const retryAfter = fault.retryAfterS ?? 0.05;
  const headers: Record<string, string> = {
    "retry-after": String(Math.ceil(retryAfter)),
    "x-ratelimit-limit": "5",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String((Date.now() / 1000 + retryAfter).toFixed(3)),
    "x-ratelimit-reset-after": retryAfter.toFixed(3),
    "x-ratelimit-bucket": "fakebucket0000000000000000000000",
    "x-ratelimit-scope": fault.global ? "global" : "user",
  };
  if (fault.global) headers["x-ratelimit-global"] = "true";
  return json(
    { message: "You are being rate limited.", retry_after: retryAfter, global: !!fault.global },
    429,
    headers,
  );
}

function takeFault(state: DiscordState, method: string, path: string): DiscordFault | undefined {
  const fault = state.faults.find((f) =>
    (f.method === undefined || f.method === method) &&
    (f.path ? f.path.test(path) : path !== "/gateway/bot")
  );
  if (!fault) return undefined;
  fault.times = (fault.times ?? 1) - 1;
  if (fault.times <= 0) state.faults = state.faults.filter((f) => f !== fault);
  return fault;
}

/** Answers one REST request under `/api/v10`; `gatewayUrl` is what `GET /gateway/bot` names. */
export async function handleRest(
  state: DiscordState,
  request: Request,
  gatewayUrl: string,
): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method;
  const path = decodeURIComponent(url.pathname.slice(PREFIX.length));
  const { body, files } = await readBody(request);
  const response = route(state, method, path, url, request, body, gatewayUrl, files);
  state.requests.push({ method, path, status: response.status, body, files });
  return response;
}

/**
 * A request's JSON body, or for `multipart/form-data` (messages with files) its `payload_json`
 * part and its `files[n]` parts.
 */
async function readBody(request: Request): Promise<{ body: unknown; files: DiscordFile[] }> {
  if (request.method === "GET" || request.method === "DELETE") {
    return { body: undefined, files: [] };
  }
  if (!request.headers.get("content-type")?.startsWith("multipart/form-data")) {
    const text = await request.text();
    return { body: text ? JSON.parse(text) : undefined, files: [] };
  }
  const form = await request.formData();
  const payload = form.get("payload_json");
  const files: DiscordFile[] = [];
  for (const [field, value] of form) {
    if (!field.startsWith("files[") || typeof value === "string") continue;
    files.push({
      field,
      name: value.name,
      contentType: value.type,
      bytes: new Uint8Array(await value.arrayBuffer()),
    });
  }
  return { body: typeof payload === "string" ? JSON.parse(payload) : undefined, files };
}

/** A message's attachments as Discord lists them, from the files of its request. */
function attachmentsOf(state: DiscordState, files: DiscordFile[]): Json[] {
  return files.map((f) => {
    const id = state.snowflake();
    return {
      id,
      filename: f.name,
      size: f.bytes.byteLength,
      url: `https://cdn.discordapp.com/attachments/${state.channelId}/${id}/${f.name}`,
      proxy_url: `https://media.discordapp.net/attachments/${state.channelId}/${id}/${f.name}`,
      content_type: f.contentType,
    };
  });
}

function route(
  state: DiscordState,
  method: string,
  path: string,
  url: URL,
  request: Request,
  body: unknown,
  gatewayUrl: string,
  files: DiscordFile[],
): Response {
  const b = { ...(body ?? {}) as Json };
  if (files.length > 0) {
    // A callback's message is its `data`; a message body is the message itself.
    const target = path.endsWith("/callback") ? (b.data = { ...(b.data ?? {}) as Json }) : b;
    (target as Json).attachments = attachmentsOf(state, files);
  }
  // Interaction webhooks authenticate by their token in the path, not the bot token.
  const interactionRoute = path.startsWith("/interactions/") || path.startsWith("/webhooks/");
  if (!interactionRoute && request.headers.get("authorization") !== `Bot ${state.token}`) {
    return json({ message: "401: Unauthorized", code: 0 }, 401);
  }
  const fault = takeFault(state, method, path);
  if (fault) return faultResponse(fault);

  if (method === "GET" && path === "/gateway/bot") {
    return json({
      url: gatewayUrl,
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 14_400_000,
        max_concurrency: 1,
      },
    });
  }
  if (method === "GET" && path === "/users/@me") return json(state.botUser);

  let m = path.match(/^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/);
  if (m) {
    if (m[1] !== state.applicationId) return json({ message: "Unknown Application" }, 404);
    const guildId = m[2];
    if (method === "PUT") {
      const list = (Array.isArray(body) ? body : []).map((c: Json) => ({
        type: 1,
        description: "",
        options: [],
        default_member_permissions: null,
        nsfw: false,
        ...c,
        id: state.snowflake(),
        application_id: state.applicationId,
        guild_id: guildId,
        version: state.snowflake(),
      }));
      state.commands.set(guildId, list);
      return json(list);
    }
    if (method === "GET") return json(state.commands.get(guildId) ?? []);
  }

  m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/);
  if (m && method === "POST") return interactionCallback(state, m[1], m[2], b, url);

  m = path.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/);
  if (m) {
    // A button's interaction's original message is the message the button is on.
    const pressed = [...state.interactions.values()].find((i) => i.token === m![2])?.messageId;
    const original = pressed
      ? state.messages.get(pressed)
      : [...state.messages.values()].find((msg) => msg.interaction_token === m![2]);
    if (method === "GET") return original ? json(original) : notFound();
    if (method === "PATCH") {
      const message = original
        ? state.editMessage(original.id as string, b)!
        : originalFor(state, m[2], b);
      state.callbackEvents.push({ kind: "editOriginal", token: m[2], data: b, message });
      return json(message);
    }
  }
  m = path.match(/^\/webhooks\/(\d+)\/([^/]+)$/);
  if (m && method === "POST") {
    const channelId = tokenChannel(state, m[2]);
    const message = state.createMessage(channelId, b, { webhook_id: state.applicationId });
    state.callbackEvents.push({ kind: "followUp", token: m[2], data: b, message });
    return json(message);
  }

  m = path.match(/^\/channels\/(\d+)\/messages$/);
  if (m && method === "POST") {
    if (m[1] !== state.channelId) return json({ message: "Unknown Channel", code: 10003 }, 404);
    const message = state.createMessage(m[1], b);
    state.messageEvents.push({ kind: "create", message });
    return json(message);
  }
  m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/);
  if (m) {
    const message = state.messages.get(m[2]);
    if (!message || message.channel_id !== m[1]) return notFound();
    if (method === "GET") return json(message);
    if (method === "PATCH") {
      state.editMessage(m[2], b);
      state.messageEvents.push({ kind: "edit", message });
      return json(message);
    }
  }
  return json({ message: "404: Not Found", code: 0 }, 404);
}

function tokenChannel(state: DiscordState, token: string): string {
  for (const i of state.interactions.values()) if (i.token === token) return i.channelId;
  return state.channelId;
}

/** The original response message of an interaction (made on first need). */
function originalFor(state: DiscordState, token: string, data: Json): Json {
  return state.createMessage(tokenChannel(state, token), data, {
    interaction_token: token,
    webhook_id: state.applicationId,
    application_id: state.applicationId,
  });
}

function interactionCallback(
  state: DiscordState,
  id: string,
  token: string,
  b: Json,
  url: URL,
): Response {
  const interaction = state.interactions.get(id);
  if (!interaction || interaction.token !== token) {
    return json({ message: "Unknown interaction", code: 10062 }, 404);
  }
  const type = b.type as number;
  const data = (b.data ?? {}) as Json;
  let message: Json | undefined;
  if (type === 4 || type === 5) {
    message = originalFor(state, token, type === 5 ? { ...data, flags: 128 } : data);
  } else if (type === 7 && interaction.messageId) {
    message = state.editMessage(interaction.messageId, data);
  }
  state.callbackEvents.push({ kind: "callback", interactionId: id, token, type, data, message });
  if (url.searchParams.get("with_response") !== "true") return new Response(null, { status: 204 });
  return json({
    interaction: {
      id,
      type: 2,
      activity_instance_id: null,
      response_message_id: message?.id ?? null,
      response_message_loading: type === 5,
      response_message_ephemeral: ((data.flags as number) & 64) !== 0,
    },
    resource: message ? { type, message } : { type },
  });
}
