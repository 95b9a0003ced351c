// The status page's bots view in real Chromium: five bots, log in, pause and resume one (the card
// follows over the event stream), the kill switch behind its dialog, dark and phone layouts.

import assert from "node:assert/strict";
import { tempDir } from "../support.ts";
import { entry, untilEvent } from "../service/service_support.ts";
import {
  logIn,
  openBrowser,
  PAGE_TOKEN,
  pageTest,
  screenshot,
  startPageService,
  unlabelledControls,
} from "./browser_support.ts";

const FIVE = ["alpha", "beta", "gamma", "delta", "epsilon"];

pageTest(
  "page: five bots, log in, pause and resume one, kill dialog, no console errors",
  async () => {
    await using dir = await tempDir();
    const s = await startPageService(
      `${dir.path}/page.duckdb`,
      await Promise.all(FIVE.map((id) => entry(id))),
      { speed: 300 },
    );
    const b = await openBrowser();
    try {
      const { page } = b;
      await page.goto(s.url);
      const cards = page.locator("article.bot");
      await page.locator('article.bot[data-bot="epsilon"]').waitFor();
      assert.equal(await cards.count(), 5);
      assert.equal(await page.getByTestId("mode").textContent(), "PAPER");

      // A control asks for the login first; afterwards it acts.
      await logIn(page);
      // The token lives nowhere in the browser: only an HttpOnly, SameSite=Strict session cookie.
      const stored = await page.evaluate<string>(
        "JSON.stringify([document.cookie, {...localStorage}, {...sessionStorage}])",
      );
      assert.ok(!stored.includes(PAGE_TOKEN), stored);
      assert.ok(!stored.includes("tw_session"), "the session cookie is not readable by scripts");
      const [cookie] = (await b.context.cookies()).filter((c) => c.name === "tw_session");
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.ok(!(await page.content()).includes(PAGE_TOKEN), "nor in the page");
      const beta = page.locator('article.bot[data-bot="beta"]');
      await beta.getByRole("button", { name: "Pause beta" }).click();
      await beta.getByTestId("state").filter({ hasText: "paused" }).waitFor();
      await beta.getByRole("button", { name: "Resume beta" }).click();
      await beta.getByRole("button", { name: "Pause beta" }).waitFor();
      await screenshot(page, "bots");
      assert.deepEqual(await unlabelledControls(page), []);
      // The controls are reachable with the keyboard: Tab lands on a bot's pause button.
      await page.locator("#view").focus();
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press("Tab");
        reached = await page.evaluate<boolean>(
          `document.activeElement?.getAttribute("aria-label") === "Pause alpha"`,
        );
      }
      assert.ok(reached, "Tab reaches a bot's control");

      // The page shows the new state from the event stream, which may come before the audit line
      // is stored: wait (on the service's events) until both lines are there.
      await untilEvent(
        s.tw.bus,
        async () => {
          const audit = await (await fetch(`${s.url}/api/audit?limit=10`)).json();
          const actions = audit.audit.filter((a: { target: string }) => a.target === "beta")
            .map((a: { action: string; surface: string }) => `${a.action}:${a.surface}`);
          return actions.includes("pause:web") && actions.includes("resume:web");
        },
        60_000,
        "the audit lines of pause and resume from the page",
      );

      await page.getByRole("button", { name: "Kill switch" }).click();
      const kill = page.getByRole("dialog", { name: "Stop every bot?" });
      await kill.waitFor();
      await kill.getByRole("button", { name: "Cancel" }).click();
      await kill.waitFor({ state: "hidden" });
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
      await s.close();
    }
  },
);

pageTest("page: dark theme toggle is remembered; a 375 px phone shows one column", async () => {
  await using dir = await tempDir();
  const s = await startPageService(`${dir.path}/page.duckdb`, [await entry("alpha")]);
  const b = await openBrowser({ viewport: { width: 375, height: 740 } });
  try {
    const { page } = b;
    await page.goto(s.url);
    await page.locator('article.bot[data-bot="alpha"]').waitFor();
    const bg = () => page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const light = await bg();
    await page.getByRole("button", { name: "Switch between dark and light theme" }).click();
    assert.notEqual(await bg(), light);
    await page.reload();
    await page.locator('article.bot[data-bot="alpha"]').waitFor();
    assert.equal(await page.evaluate<string>("document.documentElement.dataset.theme"), "dark");
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok(width <= 375, `no sideways scrolling on a phone: ${width}px`);
    await screenshot(page, "bots-phone-dark");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
