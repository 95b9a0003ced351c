// Test support for the status page in a real browser: the assembled service (replay bots, DuckDB
// file) served on a loopback port, Debian's Chromium driven by playwright-core, console errors
// collected, log in, and screenshots written under test-output/screenshots/.

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { assemble, type Assembled, type AssembleOptions } from "../../src/assemble.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { Exposure } from "../../src/http/exposure.ts";
import type { BotEntry } from "../../src/service/supervisor.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START } from "../support.ts";

/** The API token of every page test. */
export const PAGE_TOKEN = "page-test-token-0123456789abcdef";
/** Where the tests write their screenshots (one per view; docs/ keeps a chosen set). */
export const SCREENSHOTS = new URL("../../test-output/screenshots/", import.meta.url);
/** Debian's Chromium; never downloaded. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when Chromium is installed (TIDEWATCH_REQUIRE_ALL=1 turns its absence into a failure). */
export function hasChromium(): boolean {
  try {
    Deno.statSync(CHROMIUM);
    return true;
  } catch {
    if (Deno.env.get("TIDEWATCH_REQUIRE_ALL") === "1") {
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (the page tests need it)`);
    }
    return false;
  }
}

/**
 * Registers a page test: skipped without Chromium (a failure under TIDEWATCH_REQUIRE_ALL=1), and
 * without Deno's op and resource sanitizers (the browser and the service outlive their awaits).
 */
export function pageTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !hasChromium(), sanitizeOps: false, sanitizeResources: false, fn });
}

/** The flags this machine's Chromium needs: no sandbox as root, no calls home. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A running service on a loopback port with its page. */
export interface PageService {
  tw: Assembled;
  /** "http://127.0.0.1:PORT" */
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startPageService}. */
export interface PageServiceOptions extends Partial<Omit<AssembleOptions, "db" | "entries">> {
  /** Replay speed [600]. */
  speed?: number;
  /** Bind address [127.0.0.1]; anything else is announced to the app as that bind. */
  bind?: string;
}

/**
 * Starts the assembled service with `entries` on a replay feed, its DuckDB file at `dbPath`, and
 * serves it (page included) on a free loopback port.
 */
export async function startPageService(
  dbPath: string,
  entries: BotEntry[],
  o: PageServiceOptions = {},
): Promise<PageService> {
  const db = await Db.open(dbPath);
  const { speed = 600, bind = "127.0.0.1", ...rest } = o;
  const tw = await assemble({
    db,
    entries,
    auth: requireBearer(PAGE_TOKEN),
    apiToken: PAGE_TOKEN,
    version: "test",
    replay: { speed, startTs: REPLAY_START },
    wallNow: Date.now,
    exposure: new Exposure({ bind, interfaceAddresses: [] }),
    ...rest,
  });
  const ac = new AbortController();
  const listening = Promise.withResolvers<number>();
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    signal: ac.signal,
    onListen: ({ port }) => listening.resolve(port),
  }, tw.app.fetch);
  const port = await listening.promise;
  return {
    tw,
    url: `http://127.0.0.1:${port}`,
    async close() {
      ac.abort();
      await server.finished;
      await tw.close();
      await db.close();
    },
  };
}

/** A browser with one page, collecting console errors and uncaught exceptions. */
export interface BrowserPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Options of {@link openBrowser}. */
export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
  /** Accept-Language and navigator.language [en-US]. */
  locale?: string;
}

/** Launches Debian's Chromium headless, with the flags this machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Launches Chromium and opens one page. */
export async function openBrowser(o: OpenOptions = {}): Promise<BrowserPage> {
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: o.viewport ?? { width: 1280, height: 900 },
    colorScheme: o.colorScheme ?? "light",
    locale: o.locale ?? "en-US",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  return {
    browser,
    context,
    page,
    errors,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

/** Logs the page in through its login dialog with the API token. */
export async function logIn(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log in" }).first().click();
  const dialog = page.locator("#login-dialog");
  await dialog.getByLabel("API token").fill(PAGE_TOKEN);
  await dialog.getByRole("button", { name: "Log in" }).click();
  await page.locator("#logout-form").waitFor({ state: "visible" });
}

/** Writes a full-page screenshot as test-output/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

/**
 * The visible controls (buttons, links, inputs, selects) that have no accessible name: no text,
 * aria-label, aria-labelledby, <label> or title. Empty when every control says what it does.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return await page.evaluate<string[]>(`(() => {
    const named = (el) => {
      if ((el.getAttribute("aria-label") ?? "").trim()) return true;
      const by = el.getAttribute("aria-labelledby");
      if (by && by.split(" ").some((id) => document.getElementById(id)?.textContent.trim())) return true;
      if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
      if ((el.getAttribute("title") ?? "").trim()) return true;
      if (el.tagName !== "INPUT" && el.tagName !== "SELECT" && el.textContent.trim()) return true;
      return [...el.querySelectorAll("img[alt]")].some((i) => i.alt.trim());
    };
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    return [...document.querySelectorAll("button, a[href], input:not([type=hidden]), select, textarea")]
      .filter((el) => visible(el) && !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  })()`);
}
