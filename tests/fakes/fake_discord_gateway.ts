// The fake Discord gateway websocket (v10, encoding=json, no compression): hello, identify, resume, dispatch.
//
// What @discordjs/ws 1.2.3 (under discord.js 14.28) does, read from its dist/index.js: it opens
// `<url>?v=10&encoding=json` (url from `GET /gateway/bot`, or READY's `resume_gateway_url` when
// resuming; no `compress` without zlib-sync), waits for HELLO (op 10), sends IDENTIFY (op 2) or
// RESUME (op 6 {token, session_id, seq}), heartbeats (op 1, d = last seq) every
// `heartbeat_interval` ms after a random first wait, and expects op 11 acks. Close code 4000
// makes it resume; 4004 (authentication failed) is fatal. Dispatches are
// `{op: 0, t, s, d}` with `s` counting up per session; RESUME replays the ones after `seq`.
import { type DiscordState, type Json, Waitable } from "./fake_discord_state.ts";

/** One gateway session (survives drops: a RESUME picks it up on a new socket). */
interface Session {
  id: string;
  seq: number;
  sent: Json[];
}

/** The gateway half of the fake: sockets, the session, and the dispatches tests trigger. */
export class FakeGateway {
  readonly #state: DiscordState;
  readonly #heartbeatIntervalMs: number;
  #socket: WebSocket | undefined;
  #session: Session | undefined;
  readonly #sockets = new Set<WebSocket>();
  /** Opcodes received from the client, in order (for assertions). */
  readonly received: Json[] = [];
  /** The path of every socket opened (`/gateway` or `/gateway-resume`), in order. */
  readonly connections: string[] = [];
  readonly identified = new Waitable<Json>();
  readonly resumed = new Waitable<Json>();
  readonly heartbeats = new Waitable<number | null>();
  resumeUrl = "";

  constructor(state: DiscordState, options: { heartbeatIntervalMs: number }) {
    this.#state = state;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs;
  }

  /** Upgrades a request to the gateway socket. */
  upgrade(request: Request): Response {
    const { socket, response } = Deno.upgradeWebSocket(request);
    this.connections.push(new URL(request.url).pathname);
    this.#sockets.add(socket);
    socket.onopen = () => {
      this.#send(socket, { op: 10, d: { heartbeat_interval: this.#heartbeatIntervalMs } });
    };
    socket.onmessage = (event) => this.#onFrame(socket, String(event.data));
    socket.onclose = () => {
      this.#sockets.delete(socket);
      if (this.#socket === socket) this.#socket = undefined;
    };
    socket.onerror = () => {};
    return response;
  }

  #send(socket: WebSocket, payload: Json): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ s: null, t: null, ...payload }));
  }

  #onFrame(socket: WebSocket, text: string): void {
    let frame: Json;
    try {
      frame = JSON.parse(text);
    } catch {
      socket.close(4002, "Error while decoding payload.");
      return;
    }
    this.received.push(frame);
    const d = frame.d as Json;
    switch (frame.op) {
      case 1:
        this.#send(socket, { op: 11 });
        this.heartbeats.push(frame.d as number | null);
        return;
      case 2:
        return this.#identify(socket, d);
      case 6:
        return this.#resume(socket, d);
      case 3: // presence update
      case 4: // voice state update
      case 8: // request guild members
        return;
      default:
        socket.close(4001, "Unknown opcode.");
    }
  }

  #identify(socket: WebSocket, d: Json): void {
    if (d.token !== this.#state.token) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    this.#socket = socket;
    this.#session = { id: crypto.randomUUID().replaceAll("-", ""), seq: 0, sent: [] };
    this.dispatch("READY", {
      v: 10,
      user: this.#state.botUser,
      guilds: [{ id: this.#state.guildId, unavailable: true }],
      session_id: this.#session.id,
      resume_gateway_url: this.resumeUrl,
      shard: [0, 1],
      application: { id: this.#state.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
    });
    this.dispatch("GUILD_CREATE", this.#state.guild());
    this.identified.push(d);
  }

  #resume(socket: WebSocket, d: Json): void {
    const session = this.#session;
    if (d.token !== this.#state.token) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    if (!session || d.session_id !== session.id) {
      this.#send(socket, { op: 9, d: false }); // invalid session, not resumable
      return;
    }
    this.#socket = socket;
    const after = typeof d.seq === "number" ? d.seq : 0;
    for (const payload of session.sent) {
      if ((payload.s as number) > after) this.#send(socket, payload);
    }
    this.dispatch("RESUMED", {});
    this.resumed.push(d);
  }

  /** Sends a dispatch (op 0) to the connected client, numbered in the session; kept for RESUME. */
  dispatch(t: string, d: unknown): void {
    const session = this.#session;
    if (!session) throw new Error("No gateway session: wait for the client to identify first");
    session.seq += 1;
    const payload = { op: 0, t, s: session.seq, d };
    session.sent.push(payload);
    if (this.#socket) this.#send(this.#socket, payload);
  }

  /** Closes the client's socket with 4000 (unknown error), which discord.js answers with a RESUME. */
  drop(): void {
    const socket = this.#socket;
    if (!socket) throw new Error("No gateway connection to drop");
    this.#socket = undefined;
    socket.close(4000, "Unknown error.");
  }

  /** Closes every socket (1001, going away). */
  closeAll(): void {
    for (const socket of this.#sockets) {
      try {
        socket.close(1001, "Fake Discord closing");
      } catch {
        // already closing
      }
    }
  }

  /** Open sockets right now. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Resolves once every socket has closed. */
  async allClosed(): Promise<void> {
    while (this.#sockets.size > 0) {
      const socket = this.#sockets.values().next().value!;
      if (socket.readyState !== WebSocket.CLOSED) {
        await new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }));
      }
      this.#sockets.delete(socket);
    }
  }
}
