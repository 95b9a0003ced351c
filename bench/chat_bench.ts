// How fast a fill reaches the chats: 5 replaying bots, real grammY and discord.js against the
// loopback fakes; from the candle's close to the message arriving (`deno task bench chat`).

import { percentile } from "./percentile.ts";
import type { BenchRow } from "./backtest_bench.ts";
import { assemble } from "../src/assemble.ts";
import { requireBearer } from "../src/http/auth.ts";
import { Db } from "../src/store/db.ts";
import { entry } from "../tests/service/service_support.ts";
import { REPLAY_START } from "../tests/support.ts";
import { startFakeTelegram } from "../tests/fakes/fake_telegram.ts";
import { startFakeDiscord } from "../tests/fakes/fake_discord.ts";

const SYMBOLS = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"];

/**
 * Starts the fakes and a service with 5 paper bots (1m candles replayed at `speed`), lets them
 * trade for `seconds`, and times each fill from its announcement (the end of processing the candle
 * that filled it) to its message arriving at the fake Telegram and the fake Discord; the bots'
 * own candle-close-to-processed p99 is reported beside it. p99 per platform against 500 ms.
 */
export async function benchChat(seconds = 20, speed = 300): Promise<BenchRow[]> {
  const tg = startFakeTelegram();
  const dc = await startFakeDiscord();
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_chat_bench_" });
  const db = await Db.open(`${dir}/chat.duckdb`);
  const tw = await assemble({
    db,
    entries: await Promise.all(SYMBOLS.map((symbol, i) =>
      entry(`bot_${i + 1}`, {
        symbol,
        params: { fast_period: 2, slow_period: 5, direction: "both" },
      })
    )),
    auth: requireBearer("bench-token-0123456789abcdef"),
    version: "bench",
    replay: { speed, startTs: REPLAY_START },
    chat: {
      config: {
        warnings: [],
        telegram: { token: tg.token, apiRoot: tg.apiRoot, chats: ["-100"], access: { users: [] } },
        discord: {
          token: dc.token,
          guildId: dc.guildId,
          channels: [dc.channelId],
          apiRoot: dc.rest,
          access: { users: [] },
        },
      },
      log: () => {},
      telegram: { pollTimeoutSeconds: 1 },
    },
  });
  await tw.chat!.started();
  // A fill is announced as soon as the candle whose processing filled it is processed: the bots'
  // own close-to-processed latency (reported below) comes before it.
  const waiting = new Map<string, number[]>(); // bot -> announce times of fills not yet in chat
  const stopBus = tw.bus.subscribe((e) => {
    if (e.type !== "bot.fill" || !e.botId) return;
    const list = waiting.get(e.botId) ?? [];
    list.push(performance.now());
    waiting.set(e.botId, list);
  });
  const latencies = { telegram: [] as number[], discord: [] as number[] };
  const seen = { telegram: new Map<string, number>(), discord: new Map<string, number>() };
  const take = (platform: "telegram" | "discord", text: string) => {
    const m = /^(bot_\d)\b.*\b(BUY|SELL)\b/.exec(text);
    if (!m) return;
    const list = waiting.get(m[1]) ?? [];
    const i = seen[platform].get(m[1]) ?? 0;
    if (i >= list.length) return;
    seen[platform].set(m[1], i + 1);
    latencies[platform].push(performance.now() - list[i]);
  };
  let running = true;
  const tgLoop = (async () => {
    while (running) take("telegram", (await tg.nextSent()).text ?? "");
  })();
  const dcLoop = (async () => {
    while (running) {
      const m = await dc.nextMessage();
      if (m.kind === "create") take("discord", String(m.message.content ?? ""));
    }
  })();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  stopBus();
  const botP99 = Math.max(
    ...tw.commands.bots().bots.map((b) => b.latency_ms?.p99 ?? 0),
  );
  await tw.close();
  await db.close();
  await tg.close();
  await dc.close();
  void tgLoop.catch(() => {});
  void dcLoop.catch(() => {});
  await Deno.remove(dir, { recursive: true });
  const rows: BenchRow[] = [{
    name: `candle close → processed, 5 bots at ${speed}x: worst bot's p99`,
    value: Math.round(botP99 * 10) / 10,
    unit: "ms",
    goal: "reported (add to the figures below)",
    met: true,
  }];
  for (const p of ["telegram", "discord"] as const) {
    const xs = latencies[p];
    const p99 = percentile(xs, 0.99);
    rows.push({
      name: `fill → ${p} message, 5 bots at ${speed}x: p50 (${xs.length} fills)`,
      value: Math.round(percentile(xs, 0.5)),
      unit: "ms",
      goal: "reported",
      met: xs.length > 0,
    });
    rows.push({
      name: `fill → ${p} message, 5 bots at ${speed}x: p99`,
      value: Math.round(p99),
      unit: "ms",
      goal: "≤ 500",
      met: xs.length > 0 && p99 <= 500,
    });
  }
  return rows;
}

if (import.meta.main) {
  for (const r of await benchChat()) console.log(r);
  Deno.exit(0);
}
