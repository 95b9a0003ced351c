// Every view's controls say what they do (for screen readers and keyboard users), and the page
// switches between English and Ukrainian from its menu, remembering the choice.

import assert from "node:assert/strict";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";
import { openBrowser, pageTest, startPageService, unlabelledControls } from "./browser_support.ts";

pageTest(
  "page: every view's controls are labelled; the language switch is remembered",
  async () => {
    await using dir = await tempDir();
    const s = await startPageService(`${dir.path}/labels.duckdb`, [await entry("alpha")]);
    const b = await openBrowser();
    try {
      const { page } = b;
      const views: [string, string][] = [
        ["#/bots", "Bots"],
        ["#/bot/alpha", "alpha"],
        ["#/backtests", "Backtests"],
        ["#/scanner", "Scanner"],
        ["#/settings", "Settings and records"],
      ];
      for (const [hash, title] of views) {
        await page.goto(`${s.url}/${hash}`);
        await page.getByRole("heading", { level: 1, name: title }).waitFor();
        assert.deepEqual(await unlabelledControls(page), [], hash);
      }

      await page.goto(`${s.url}/#/bots`);
      await page.getByLabel("Language").selectOption("uk");
      await page.getByRole("heading", { level: 1, name: "Боти" }).waitFor();
      assert.equal(await page.evaluate<string>("document.documentElement.lang"), "uk");
      await page.reload();
      await page.getByRole("link", { name: "Бектести" }).waitFor();
      assert.deepEqual(await unlabelledControls(page), []);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
      await s.close();
    }
  },
);
