// The status page's pending-confirmation dialog in real Chromium: an entry that waits opens it
// with its fields and a countdown; Confirm (after the login it asks for) sends the order once;
// an entry decided through the API closes it; an unanswered one closes when it expires.

import assert from "node:assert/strict";
import { tempDir } from "../support.ts";
import { REPLAY_START } from "../support.ts";
import { entry, untilEvent, waitFor } from "../service/service_support.ts";
import type { BusEvent } from "../../src/service/event_bus.ts";
import {
  openBrowser,
  PAGE_TOKEN,
  type PageService,
  pageTest,
  screenshot,
  startPageService,
} from "./browser_support.ts";

const MIN = 60_000;

/**
 * A bot whose entries wait for confirmation, following the given signals (one entry each, never
 * replaced by a crossing it did not ask for; the signals strategy trades long only).
 */
function waitingBot(
  id: string,
  ttlMs: number,
  signals: Record<string, unknown>[],
) {
  return entry(id, {
    strategy: "signals",
    params: { signals },
    requireConfirmation: true,
    confirmationTtlMs: ttlMs,
  });
}

type Row = Record<string, unknown> & { id: string; bot_id: string; client_id: string };

/** The stored pending rows of `status`, read over HTTP like any client (loopback: no login). */
async function pendingRows(s: PageService, status = "pending"): Promise<Row[]> {
  const res = await fetch(`${s.url}/api/pending?status=${status}`);
  return (await res.json()).pending;
}

/** Resolves with bot `botId`'s entry once it waits for confirmation. */
function waitingOf(s: PageService, botId: string): Promise<Row> {
  return untilEvent(
    s.tw.bus,
    async () => (await pendingRows(s)).find((r) => r.bot_id === botId),
    120_000,
    `${botId}'s entry to wait for confirmation`,
  );
}

pageTest(
  "pending dialog: fields and countdown; confirm here sends once; decided by the API closes",
  async () => {
    await using dir = await tempDir();
    const b = await openBrowser();
    const s = await startPageService(`${dir.path}/pending.duckdb`, [
      await waitingBot("alpha", 30 * MIN, [{
        ts: REPLAY_START + 10 * MIN,
        side: "long",
        sl: 50_000,
        tp: 70_000,
        confidence: 0.8,
        reason: "breakout above the morning range",
      }]),
      await waitingBot("beta", 30 * MIN, [{
        ts: REPLAY_START + 12 * MIN,
        side: "long",
        sl: 55_000,
        tp: 62_000,
        reason: "pullback to the rising average",
      }]),
    ]).catch(async (err) => {
      await b.close();
      throw err;
    });
    try {
      const { page } = b;
      const alpha = await waitingOf(s, "alpha");
      const beta = await waitingOf(s, "beta");
      await page.goto(s.url);

      // The oldest entry first, with every field, a running countdown and the one after it.
      const dialog = page.getByRole("dialog", { name: "Confirm this entry?" });
      await dialog.waitFor();
      await page.locator(`dialog[data-pending="${alpha.id}"]`).waitFor();
      const field = (name: string) => dialog.locator(`[data-field="${name}"] dd`).textContent();
      assert.equal(await field("bot"), "alpha");
      assert.equal(await field("side"), "LONG");
      assert.equal(await field("symbol"), "BTC/USDT");
      assert.match(String(await field("entry")), /^market ≈ [\d,.]+$/);
      assert.equal(await field("sl"), "50,000");
      assert.equal(await field("tp"), "70,000");
      assert.match(String(await field("rr")), /^\d+\.\d\d : 1$/);
      assert.equal(await field("confidence"), "80.00 %");
      assert.match(String(await field("size")), /equity/);
      assert.match(
        String(await dialog.locator('[data-field="reason"]').textContent()),
        /breakout above the morning range/,
      );
      assert.match(String(await dialog.getByRole("timer").textContent()), /^Expires in \d+:\d\d$/);
      await dialog.getByText("1 more waiting after this one").waitFor();
      await screenshot(page, "pending");

      // "Later" hides it; the badge says how many wait and brings it back.
      await dialog.getByRole("button", { name: "Later" }).click();
      await dialog.waitFor({ state: "hidden" });
      await page.getByRole("button", { name: "2 waiting for confirmation" }).click();
      await page.locator(`dialog[data-pending="${alpha.id}"]`).waitFor();

      // Confirm asks for the login, then confirms; the next entry (beta) takes its place.
      const isFill = (e: BusEvent) =>
        e.type === "bot.fill" && e.botId === "alpha" &&
        e.correlationId === alpha.correlation_id;
      const fill = waitFor(s.tw.bus, isFill, 120_000, "alpha's confirmed entry to fill");
      await dialog.getByRole("button", { name: "Confirm alpha" }).click();
      const login = page.locator("#login-dialog");
      await login.getByLabel("API token").fill(PAGE_TOKEN);
      await login.getByRole("button", { name: "Log in" }).click();
      await page.locator(".toast", { hasText: "alpha: entry LONG BTC/USDT confirmed by you" })
        .waitFor();
      await page.locator(`dialog[data-pending="${beta.id}"]`).waitFor();
      assert.equal(await field("bot"), "beta");
      assert.equal(await field("sl"), "55,000");
      assert.equal(await field("confidence"), "100.00 %");

      // Exactly one order and its fill for the confirmed entry; the audit says it came from the page.
      await fill;
      const orders = await (await fetch(`${s.url}/api/bots/alpha/orders?limit=500`)).json();
      assert.equal(
        orders.orders.filter((o: { client_id: string }) => o.client_id === alpha.client_id).length,
        1,
      );
      const fills = await (await fetch(`${s.url}/api/bots/alpha/fills?limit=500`)).json();
      assert.equal(
        fills.fills.filter((f: { client_id: string }) => f.client_id === alpha.client_id).length,
        1,
      );
      const audit = await (await fetch(`${s.url}/api/audit?limit=50`)).json();
      const line = audit.audit.find((a: { target: string }) => a.target === alpha.id);
      assert.equal(`${line?.action}:${line?.surface}`, "confirm:web");

      // Beta decided elsewhere (the API with the bearer token): the dialog closes and says so.
      const res = await fetch(`${s.url}/api/pending/${encodeURIComponent(beta.id)}/reject`, {
        method: "POST",
        headers: { authorization: `Bearer ${PAGE_TOKEN}` },
      });
      assert.equal(res.status, 200, await res.text());
      await dialog.waitFor({ state: "hidden" });
      await page.locator(".toast", {
        hasText: "beta: entry LONG BTC/USDT rejected by api-token (api)",
      }).waitFor();
      assert.equal(await page.locator(".pending-badge").isVisible(), false);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
      await s.close();
    }
  },
);

pageTest("pending dialog: an unanswered entry closes when it expires, and says so", async () => {
  await using dir = await tempDir();
  // The browser is up before the entry's time runs; fifteen seconds are long enough for the page
  // to show it on a busy machine, and short for a test.
  const b = await openBrowser({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
  const s = await startPageService(`${dir.path}/expiry.duckdb`, [
    await waitingBot("gamma", 15_000, [{
      ts: REPLAY_START + 10 * MIN,
      side: "long",
      reason: "a signal nobody answers",
    }]),
  ]).catch(async (err) => {
    await b.close();
    throw err;
  });
  try {
    const { page } = b;
    const expired = waitFor(s.tw.bus, (e) => e.type === "pending.expired", 120_000, "expiry");
    await page.goto(s.url);
    const dialog = page.getByRole("dialog", { name: "Confirm this entry?" });
    await dialog.waitFor();
    assert.equal(await dialog.locator('[data-field="bot"] dd').textContent(), "gamma");
    assert.equal(await dialog.locator('[data-field="sl"] dd').textContent(), "none");
    assert.match(
      String(await dialog.getByRole("timer").textContent()),
      /^(Expires in 0:\d\d|Expiring…)$/,
    );
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok(width <= 375, `no sideways scrolling on a phone: ${width}px`);
    await screenshot(page, "pending-phone-dark");

    const e = await expired;
    await dialog.waitFor({ state: "hidden" });
    await page.locator(".toast", {
      hasText: "gamma: entry LONG BTC/USDT expired unanswered; nothing was sent.",
    }).waitFor();
    const rows = await pendingRows(s, "expired");
    assert.ok(rows.some((r) => r.id === (e.data as { id: string }).id));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await s.close();
  }
});
