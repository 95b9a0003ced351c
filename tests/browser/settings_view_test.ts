// The status page's settings view in real Chromium: change the confirmation settings (the API
// then answers them), the audit log lists the change and follows the event stream, a test
// message reaches the (fake) Telegram chat, health; and the phone-sized dark layout.

import assert from "node:assert/strict";
import { tempDir } from "../support.ts";
import { entry } from "../service/service_support.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import {
  logIn,
  openBrowser,
  PAGE_TOKEN,
  pageTest,
  screenshot,
  startPageService,
} from "./browser_support.ts";

const CHAT = -100777;

/** A bot that never asks for an entry (the signals strategy with none), so no dialog interrupts. */
const quietBot = (id: string) => entry(id, { strategy: "signals", params: { signals: [] } });

pageTest("settings view: change confirmations, audit follows, test message, health", async () => {
  await using dir = await tempDir();
  const tg = startFakeTelegram();
  const s = await startPageService(`${dir.path}/settings.duckdb`, [await quietBot("alpha")], {
    chat: {
      config: {
        warnings: [],
        telegram: {
          token: tg.token,
          apiRoot: tg.apiRoot,
          chats: [String(CHAT)],
          access: { users: ["111"] },
        },
      },
      log: () => {},
      telegram: { pollTimeoutSeconds: 1 },
    },
  });
  const b = await openBrowser();
  try {
    const { page } = b;
    await page.goto(`${s.url}/#/settings`);
    const require = page.getByLabel("New entries of every bot wait for a person to confirm them");
    const ttl = page.getByLabel("Seconds a pending entry waits before it is cancelled");
    await page.locator("form.settings-form:not([aria-busy])").waitFor();
    assert.equal(await ttl.inputValue(), "300");
    assert.equal(await require.isChecked(), false);
    await page.getByTestId("health").filter({ hasText: "All well" }).waitFor();
    await page.getByRole("cell", { name: "okx" }).waitFor();

    // Saving asks for the login, then the API answers the new settings.
    await logIn(page);
    await require.check();
    await ttl.fill("120");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".toast", { hasText: "Settings saved" }).waitFor();
    const settings = await (await fetch(`${s.url}/api/settings`)).json();
    assert.deepEqual(settings, { require_confirmation: true, confirmation_ttl_s: 120 });

    // The audit log shows the change, and a control made elsewhere arrives over the stream.
    const audit = page.getByRole("region", { name: "Audit log" });
    await audit.getByRole("row").filter({ hasText: "settings" }).filter({ hasText: "web" })
      .waitFor();
    const pause = await fetch(`${s.url}/api/bots/alpha/pause`, {
      method: "POST",
      headers: { authorization: `Bearer ${PAGE_TOKEN}` },
    });
    assert.equal(pause.status, 200, await pause.text());
    await audit.getByRole("row").filter({ hasText: "pause" }).filter({ hasText: "api-token" })
      .waitFor();

    // The test message goes to the chat, and its result shows.
    await s.tw.chat!.started();
    await page.getByRole("button", { name: "Send a test message" }).click();
    await page.locator(".notify-results li", { hasText: `telegram` }).filter({ hasText: "sent" })
      .waitFor();
    const sent = await tg.nextSent();
    assert.match(sent.text ?? "", /test message/);
    await audit.getByRole("row").filter({ hasText: "notifications_test" }).waitFor();
    await screenshot(page, "settings");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
    await tg.close();
  }
});

pageTest("settings view: a 375 px phone in dark mode, no sideways scrolling", async () => {
  await using dir = await tempDir();
  const s = await startPageService(`${dir.path}/phone.duckdb`, [await quietBot("alpha")]);
  const b = await openBrowser({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
  try {
    const { page } = b;
    // Something in the audit log and the incidents-free state, as a phone shows them.
    const res = await fetch(`${s.url}/api/settings`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${PAGE_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ confirmation_ttl_s: 90 }),
    });
    assert.equal(res.status, 200, await res.text());
    await page.goto(`${s.url}/#/settings`);
    await page.locator("form.settings-form:not([aria-busy])").waitFor();
    assert.equal(await page.locator("#set-ttl").inputValue(), "90");
    await page.getByRole("region", { name: "Audit log" }).getByRole("row").filter({
      hasText: "settings",
    }).waitFor();
    await page.getByText("No incidents.").waitFor();
    await page.getByTestId("health").waitFor();
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok(width <= 375, `no sideways scrolling on a phone: ${width}px`);
    await screenshot(page, "settings-phone");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
