// The status page's one-bot view in real Chromium: the chart of a trading bot with its markers,
// the trades table against the API, switching bots with the select, pause and resume from the
// view, a look-back period, and the desktop (light) and phone (dark) layouts.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { tempDir } from "../support.ts";
import { entry, waitFor } from "../service/service_support.ts";
import type { EventBus } from "../../src/service/event_bus.ts";
import { logIn, openBrowser, pageTest, screenshot, startPageService } from "./browser_support.ts";

/** Waits until bot `botId` has closed `n` trades (from now on). */
function trades(bus: EventBus, botId: string, n: number) {
  let k = 0;
  return waitFor(
    bus,
    (e) => e.botId === botId && e.type === "bot.trade" && ++k >= n,
    120_000,
    `${n} trades of ${botId}`,
  );
}

/** Waits until the chart has drawn candles and at least `markers` markers. */
async function chartDrawn(page: Page, markers: number) {
  await page.waitForFunction(
    (n: number) => {
      // deno-lint-ignore no-explicit-any
      const c = (globalThis as any).document.querySelector(".bot-chart");
      return c && Number(c.dataset.candles) > 0 && Number(c.dataset.markers) >= n;
    },
    markers,
    { timeout: 60_000 },
  );
}

/** Waits until the table `name` shows `rows` rows. */
async function tableRows(page: Page, name: string, rows: number) {
  await page.waitForFunction(
    ([sel, n]: [string, number]) =>
      // deno-lint-ignore no-explicit-any
      (globalThis as any).document.querySelectorAll(sel).length === n,
    [`#bot-${name} tbody tr`, rows] as [string, number],
    { timeout: 60_000 },
  );
}

/** A number read from the chart container's data attribute. */
async function chartCount(
  page: Page,
  what: "candles" | "markers" | "indicators" | "levels",
) {
  return Number(
    await page.evaluate<string>(`document.querySelector(".bot-chart").dataset.${what}`),
  );
}

pageTest(
  "page bot view: chart with markers, trades table, switch bots, pause, period",
  async () => {
    await using dir = await tempDir();
    const s = await startPageService(
      `${dir.path}/page.duckdb`,
      [
        await entry("alpha"),
        await entry("beta", { symbol: "ETH/USDT" }),
        // Enters within a few candles, with SL and TP far enough to hold the position.
        await entry("gamma", {
          strategy: "ema_rsi_volume",
          params: { ema_period: 10, rsi_period: 5, volume_k: 0.5, sl_pct: 5, tp_pct: 10 },
        }),
      ],
      { speed: 400 },
    );
    const b = await openBrowser();
    try {
      // gamma is stopped as soon as it holds a position (a stopped bot keeps it).
      const gammaHolds = waitFor(
        s.tw.bus,
        (e) =>
          e.botId === "gamma" && e.type === "bot.position" &&
          Number((e.data as { qty?: number } | undefined)?.qty) > 0,
        120_000,
        "a position of gamma",
      ).then(() => s.tw.commands.control("gamma", "stop", { surface: "test", actor: "test" }));
      await Promise.all([trades(s.tw.bus, "alpha", 2), trades(s.tw.bus, "beta", 1), gammaHolds]);
      const { page } = b;
      await page.goto(`${s.url}/#/bot/alpha`);
      await page.getByRole("heading", { level: 1, name: "alpha", exact: true }).waitFor();
      await chartDrawn(page, 1);
      assert.ok((await chartCount(page, "candles")) > 10);
      // sma_cross declares its two moving averages.
      assert.equal(await chartCount(page, "indicators"), 2);
      assert.equal(await page.getByTestId("bot-mode").textContent(), "PAPER");
      assert.match(await page.locator(".bot-summary .meta").textContent() ?? "", /BTC\/USDT/);
      await page.locator("#bot-trades tbody tr").first().waitFor();

      // The switcher lists every bot and moves to another without reloading the page.
      const select = page.getByLabel("Bot", { exact: true });
      assert.deepEqual(
        await select.locator("option").allTextContents(),
        ["alpha", "beta", "gamma"],
      );
      await page.evaluate("window.__sameDocument = true");
      await select.selectOption("beta");
      await page.getByRole("heading", { level: 1, name: "beta", exact: true }).waitFor();
      await page.locator(".bot-summary .meta").filter({ hasText: "ETH/USDT" }).waitFor();
      assert.equal(await page.evaluate<string>("location.hash"), "#/bot/beta");
      assert.equal(await page.evaluate<boolean>("window.__sameDocument === true"), true);
      await chartDrawn(page, 1);

      // Pause and resume from the view (the login first).
      await logIn(page);
      await page.getByRole("button", { name: "Pause beta" }).click();
      await page.getByTestId("bot-state").filter({ hasText: "paused" }).waitFor();
      await page.getByRole("button", { name: "Resume beta" }).click();
      await page.getByRole("button", { name: "Pause beta" }).waitFor();
      await page.getByTestId("bot-state").filter({ hasText: "running" }).waitFor();
      await screenshot(page, "bot");

      // Back to alpha through the select; stopped, its trades stop changing: the table shows
      // every trade the API has.
      await select.selectOption("alpha");
      await page.getByRole("heading", { level: 1, name: "alpha", exact: true }).waitFor();
      await page.getByRole("button", { name: "Stop alpha" }).click();
      await page.getByTestId("bot-state").filter({ hasText: "stopped" }).waitFor();
      const api = await (await fetch(`${s.url}/api/bots/alpha/trades?limit=1000`)).json();
      assert.ok(api.count >= 2);
      await tableRows(page, "trades", api.count);
      await chartDrawn(page, 2);

      // The records tabs: decisions carry their outcome and reason.
      await page.getByRole("tab", { name: "Decisions" }).click();
      const decisions = page.locator("#bot-decisions tbody tr");
      await decisions.first().waitFor();
      assert.match(await decisions.first().textContent() ?? "", /order|refused|cancelled/);
      await page.getByRole("tab", { name: "Fills" }).click();
      await page.locator("#bot-fills tbody tr").first().waitFor();

      // A period: the replay's day has the candles, a day long before has none, Latest comes back.
      await page.getByLabel("From (UTC)").fill("2026-01-05");
      await page.getByLabel("To (UTC)").fill("2026-01-05");
      await page.locator(".range-note").filter({ hasText: "from 2026-01-05" }).waitFor();
      await page.getByLabel("From (UTC)").fill("2020-01-01");
      await page.getByLabel("To (UTC)").fill("2020-01-02");
      await page.getByText("No candles in this period yet.").waitFor();
      assert.equal(await chartCount(page, "candles"), 0);
      await page.getByRole("button", { name: "Latest" }).click();
      await chartDrawn(page, 1);

      // gamma's open position: its entry marker, its entry, SL and TP lines, its indicators in
      // panes of their own below the candles (RSI, volume average) and over them (EMA).
      await select.selectOption("gamma");
      await page.getByRole("heading", { level: 1, name: "gamma", exact: true }).waitFor();
      await chartDrawn(page, 1);
      const gamma = await (await fetch(`${s.url}/api/bots/gamma`)).json();
      assert.ok(gamma.position?.qty > 0, "gamma holds its position while stopped");
      assert.equal(
        await chartCount(page, "levels"),
        1 + (gamma.position.sl ? 1 : 0) + (gamma.position.tp ? 1 : 0),
      );
      assert.equal(await chartCount(page, "indicators"), 3);
      await page.locator(".bot-summary .position").filter({ hasText: "LONG" }).waitFor();

      // Every chart of the views left behind is gone: one candle chart and one equity curve.
      assert.equal(await page.locator(".tv-lightweight-charts").count(), 2);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
      await s.close();
    }
  },
);

pageTest("page bot view: a 375 px phone in the dark theme, no sideways scrolling", async () => {
  await using dir = await tempDir();
  const s = await startPageService(`${dir.path}/page.duckdb`, [await entry("alpha")], {
    speed: 400,
  });
  const b = await openBrowser({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
  try {
    await trades(s.tw.bus, "alpha", 1);
    const { page } = b;
    await page.goto(`${s.url}/#/bot`);
    // #/bot alone opens the first bot.
    await page.getByRole("heading", { level: 1, name: "alpha", exact: true }).waitFor();
    await chartDrawn(page, 1);
    await page.locator("#bot-trades tbody tr").first().waitFor();
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok(width <= 375, `no sideways scrolling on a phone: ${width}px`);
    await screenshot(page, "bot-phone");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
