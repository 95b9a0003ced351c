// The status page's backtests view in real Chromium: a wrong parameter shows the field's message,
// a small backtest runs from the form to its result row and its detail (metrics, equity, candles
// with trade markers), the parity report of a bot, deleting a run and every run behind a dialog.

import assert from "node:assert/strict";
import { synthCandles } from "../../src/data/synth.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";
import {
  type BrowserPage,
  logIn,
  openBrowser,
  pageTest,
  screenshot,
  startPageService,
} from "./browser_support.ts";

const SERIES = { exchange: "synthetic", symbol: "SYN/USDT", timeframe: "1m" };

/** Stores 2,000 synthetic 1m candles in a fresh database file at `path`. */
async function storeCandles(path: string): Promise<void> {
  const db = await Db.open(path);
  try {
    await new CandleStore(db).upsert(
      SERIES,
      synthCandles({ bars: 2_000, seed: 7, start: Date.UTC(2024, 0, 1) }),
    );
  } finally {
    await db.close();
  }
}

/** Console errors other than the browser's own lines for the refusals the test asks for. */
function unexpected(b: BrowserPage): string[] {
  return b.errors.filter((e) => !/status of (400|422)/.test(e));
}

pageTest(
  "page backtests: form with field problems, run, detail with candles, parity, delete",
  async () => {
    await using dir = await tempDir();
    const path = `${dir.path}/page.duckdb`;
    await storeCandles(path);
    const s = await startPageService(path, [await entry("alpha")]);
    const b = await openBrowser();
    try {
      const { page } = b;
      await page.goto(`${s.url}/#/backtests`);
      await page.getByText("No backtests yet").waitFor();
      await logIn(page);

      const form = page.locator("form.bt-form");
      const strategy = form.locator("#bt-f-strategy");
      await strategy.locator('option[value="sma_cross"]').waitFor({ state: "attached" });
      await strategy.selectOption("sma_cross");
      await form.getByLabel("Stored candles").selectOption({ label: "synthetic SYN/USDT 1m" });
      assert.equal(await form.getByLabel("From (UTC date)").inputValue(), "2024-01-01");

      // A parameter the strategy refuses: its message shows next to it, nothing runs.
      const fast = form.getByLabel("fast_period");
      const slow = form.getByLabel("slow_period");
      await fast.fill("40");
      await slow.fill("30");
      await form.getByRole("button", { name: "Run backtest" }).click();
      const problem = form.locator('[data-for="params.fast_period"] .field-error');
      await problem.waitFor();
      assert.match(
        await problem.textContent() ?? "",
        /fast_period must be smaller than slow_period/,
      );
      assert.equal(await fast.getAttribute("aria-invalid"), "true");
      assert.equal((await (await fetch(`${s.url}/api/backtests`)).json()).jobs.length, 0);

      // An amount out of the request's bounds (the body's shape, a 400): named next to it too.
      await fast.fill("5");
      const fee = form.getByLabel("Fee per fill", { exact: false });
      await fee.fill("5");
      await form.getByRole("button", { name: "Run backtest" }).click();
      await form.locator('[data-for="fee"] .field-error').waitFor();
      assert.equal(await form.locator('[data-for="params.fast_period"] .field-error').count(), 0);
      assert.equal(await fee.getAttribute("aria-invalid"), "true");
      await fee.fill("");

      // A valid one runs; its row appears when it is done.
      await slow.fill("20");
      await form.getByLabel("Starting cash").fill("5000");
      await form.getByRole("button", { name: "Run backtest" }).click();
      const row = page.locator("tr[data-run]");
      await row.first().waitFor({ timeout: 60_000 });
      assert.equal(await form.locator(".field-error").count(), 0);
      const runs = (await (await fetch(`${s.url}/api/backtests`)).json()).runs;
      assert.equal(runs.length, 1);
      const id = runs[0].id as string;
      const detail = await (await fetch(`${s.url}/api/backtests/${id}`)).json();
      assert.ok(detail.trades.length > 0, "sma_cross trades on 2,000 synthetic candles");
      await row.locator('[data-metric="trades"]').filter({ hasText: String(detail.trades.length) })
        .waitFor();
      await row.locator('[data-metric="sharpe"]').filter({ hasNotText: "—" }).waitFor();
      await screenshot(page, "backtests");

      // Its detail: metrics, equity, candles with a marker per entry and exit, trades.
      await row.getByRole("link", { name: id }).click();
      await page.getByRole("heading", { name: `Backtest ${id}` }).waitFor();
      const candles = page.locator(".bt-candles[data-candles]");
      await candles.waitFor();
      assert.ok(Number(await candles.getAttribute("data-candles")) >= 1);
      assert.equal(Number(await candles.getAttribute("data-markers")), 2 * detail.trades.length);
      await candles.locator("canvas").first().waitFor();
      await page.locator(".bt-chart").first().locator("canvas").first().waitFor();
      assert.equal(
        await page.locator('.bt-metrics [data-metric="trades"]').textContent(),
        String(detail.trades.length),
      );
      assert.equal(await page.locator("table.bt-trades tbody tr").count(), detail.trades.length);
      await screenshot(page, "backtest-detail");

      // The parity report of a bot, as a table.
      await page.getByRole("link", { name: "All backtests" }).click();
      await page.getByLabel("Bot", { exact: true }).selectOption("alpha");
      await page.getByRole("button", { name: "Check parity" }).click();
      await page.locator('table.bt-parity-table[data-bot="alpha"]').waitFor();

      // Delete the run behind its dialog; then delete all (nothing left, still confirmed).
      await page.getByRole("button", { name: `Delete ${id}` }).click();
      const one = page.getByRole("dialog", { name: "Delete this backtest?" });
      await one.getByRole("button", { name: "Delete" }).click();
      await page.getByText("No backtests yet").waitFor();
      assert.equal((await (await fetch(`${s.url}/api/backtests`)).json()).runs.length, 0);
      await page.getByRole("button", { name: "Delete all" }).click();
      const all = page.getByRole("dialog", { name: "Delete every backtest?" });
      await all.getByRole("button", { name: "Cancel" }).click();
      await all.waitFor({ state: "hidden" });
      assert.deepEqual(unexpected(b), []);
    } finally {
      await b.close();
      await s.close();
    }
  },
);

pageTest("page backtests: in Ukrainian on a phone in the dark, no sideways scroll", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/page.duckdb`;
  await storeCandles(path);
  const s = await startPageService(path, []);
  const b = await openBrowser({
    viewport: { width: 375, height: 740 },
    colorScheme: "dark",
    locale: "uk-UA",
  });
  try {
    const { page } = b;
    await page.goto(`${s.url}/#/backtests`);
    await page.locator("#bt-f-series option").first().waitFor({ state: "attached" });
    await page.getByText("Бектестів ще немає").waitFor();
    await page.getByRole("button", { name: "Запустити бектест" }).waitFor();
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok(width <= 375, `no sideways scrolling on a phone: ${width}px`);
    await screenshot(page, "backtests-phone-dark");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
