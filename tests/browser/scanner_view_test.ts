// The status page's scanner view in real Chromium: the ranking of stored candles sorted by rank,
// re-sorted by a click on a column's header (aria-sort follows), another timeframe, and the
// service's note when nothing is stored.

import assert from "node:assert/strict";
import { synthCandles } from "../../src/data/synth.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import { Db } from "../../src/store/db.ts";
import { tempDir } from "../support.ts";
import { openBrowser, pageTest, screenshot, startPageService } from "./browser_support.ts";

const START = Date.UTC(2024, 0, 1);

/** Four 1m series of different volatility and two 1h ones, stored at `path`. */
async function storeCandles(path: string): Promise<void> {
  const db = await Db.open(path);
  try {
    const store = new CandleStore(db);
    const vols = { "AAA/USDT": 0.3, "BBB/USDT": 1.2, "CCC/USDT": 0.6, "DDD/USDT": 2.0 };
    let seed = 1;
    for (const [symbol, annualVol] of Object.entries(vols)) {
      await store.upsert(
        { exchange: "synthetic", symbol, timeframe: "1m" },
        synthCandles({ bars: 400, seed: seed++, start: START, annualVol }),
      );
    }
    for (const symbol of ["AAA/USDT", "DDD/USDT"]) {
      await store.upsert(
        { exchange: "synthetic", symbol, timeframe: "1h" },
        synthCandles({ bars: 300, seed: seed++, start: START, timeframe: "1h" }),
      );
    }
  } finally {
    await db.close();
  }
}

pageTest("page scanner: rows by rank, re-sorted on a header click, another timeframe", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/page.duckdb`;
  await storeCandles(path);
  const s = await startPageService(path, []);
  const b = await openBrowser();
  try {
    const { page } = b;
    const api = await (await fetch(`${s.url}/api/scanner?timeframe=1m`)).json();
    assert.equal(api.rows.length, 4);
    const byRank = [...api.rows].sort((x, y) => x.rank - y.rank).map((r) => r.symbol as string);

    await page.goto(`${s.url}/#/scanner`);
    const rows = page.locator("table.scanner-table tbody tr");
    await rows.nth(3).waitFor();
    const symbols = () =>
      page.evaluate<string[]>(
        `[...document.querySelectorAll("table.scanner-table tbody tr")].map((r) => r.dataset.symbol)`,
      );
    assert.equal(await page.getByLabel("Timeframe").inputValue(), "1m");
    assert.deepEqual(await symbols(), byRank);
    const th = (key: string) => page.locator(`table.scanner-table th[data-key="${key}"]`);
    assert.equal(await th("rank").getAttribute("aria-sort"), "ascending");

    // By symbol, A to Z, then Z to A.
    await page.getByRole("button", { name: "Sort by Symbol" }).click();
    await th("symbol").and(page.locator('[aria-sort="ascending"]')).waitFor();
    assert.deepEqual(await symbols(), ["AAA/USDT", "BBB/USDT", "CCC/USDT", "DDD/USDT"]);
    assert.equal(await th("rank").getAttribute("aria-sort"), "none");
    await page.getByRole("button", { name: "Sort by Symbol" }).click();
    await th("symbol").and(page.locator('[aria-sort="descending"]')).waitFor();
    assert.deepEqual(await symbols(), ["DDD/USDT", "CCC/USDT", "BBB/USDT", "AAA/USDT"]);

    // By a metric: largest first.
    const key = api.columns.find((c: { key: string }) => c.key !== "score").key as string;
    const label = api.columns.find((c: { key: string }) => c.key === key).label as string;
    await page.getByRole("button", { name: `Sort by ${label}`, exact: true }).click();
    await th(key).and(page.locator('[aria-sort="descending"]')).waitFor();
    const want = [...api.rows].sort((x, y) => (y[key] ?? -Infinity) - (x[key] ?? -Infinity))
      .map((r) => r.symbol as string);
    assert.deepEqual(await symbols(), want);
    await screenshot(page, "scanner");

    // Another timeframe: its own ranking.
    await page.getByLabel("Timeframe").selectOption("1h");
    // BBB has no 1h candles: its row goes when the 1h ranking is drawn.
    await page.locator('table.scanner-table tr[data-symbol="BBB/USDT"]').waitFor({
      state: "detached",
    });
    assert.deepEqual((await symbols()).sort(), ["AAA/USDT", "DDD/USDT"]);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});

pageTest("page scanner: with no stored candles the service's note shows", async () => {
  await using dir = await tempDir();
  const s = await startPageService(`${dir.path}/page.duckdb`, []);
  const b = await openBrowser({ colorScheme: "dark" });
  try {
    const { page } = b;
    const api = await (await fetch(`${s.url}/api/scanner`)).json();
    await page.goto(`${s.url}/#/scanner`);
    const note = page.locator(".scanner-note");
    await note.waitFor();
    assert.equal(await note.textContent(), api.note ?? "No ranking for this timeframe.");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
