// The page's live stream survives a dropped connection: the browser reconnects with
// Last-Event-ID and receives what happened while it was away, shown within the view.

import assert from "node:assert/strict";
import { tempDir } from "../support.ts";
import { entry, waitFor } from "../service/service_support.ts";
import { openBrowser, pageTest, startPageService } from "./browser_support.ts";

/**
 * A loopback TCP relay to `port`: `drop()` cuts every connection and refuses new ones until
 * `restore()`, as a network outage does.
 */
function relay(port: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let down = false;
  (async () => {
    for await (const client of listener) {
      if (down) {
        client.close();
        continue;
      }
      const server = await Deno.connect({ hostname: "127.0.0.1", port });
      open.add(client).add(server);
      const close = () => {
        for (const c of [client, server]) {
          open.delete(c);
          try {
            c.close();
          } catch { /* closed already */ }
        }
      };
      client.readable.pipeTo(server.writable, { preventClose: true }).catch(() => {}).finally(
        close,
      );
      server.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}).finally(
        close,
      );
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    drop() {
      down = true;
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
      open.clear();
    },
    restore() {
      down = false;
    },
    close() {
      this.drop();
      listener.close();
    },
  };
}

pageTest(
  "page: after a dropped stream the browser resumes with Last-Event-ID, missing nothing",
  async () => {
    await using dir = await tempDir();
    const s = await startPageService(`${dir.path}/sse.duckdb`, [await entry("alpha")], {
      speed: 60,
    });
    const net = relay(Number(new URL(s.url).port));
    const b = await openBrowser();
    try {
      const { page } = b;
      await page.addInitScript(`
      window.__seen = [];
      addEventListener("tw:event", (e) => window.__seen.push(e.detail.id));
    `);
      await page.goto(net.url);
      await page.locator('article.bot[data-bot="alpha"]').waitFor();
      // (waitForFunction takes functions: the page's CSP refuses evaluating strings)
      await page.waitForFunction(
        () => (globalThis as unknown as { __seen: number[] }).__seen.length > 0,
        null,
        { timeout: 60_000 },
      );

      net.drop();
      await page.locator("#live-state", { hasText: "Reconnecting" }).waitFor();
      // While the page is away: a pause, announced on the bus.
      const announced = waitFor(
        s.tw.bus,
        (e) => e.type === "bot.status" && e.botId === "alpha",
        60_000,
        "alpha's status event",
      );
      await s.tw.commands.pause("alpha", { surface: "api", actor: "test" });
      const missed = (await announced).id;
      net.restore();

      await page.waitForFunction(
        (id) => (globalThis as unknown as { __seen: number[] }).__seen.includes(id),
        missed,
        { timeout: 60_000 },
      );
      await page.locator('article.bot[data-bot="alpha"] [data-testid="state"]', {
        hasText: "paused",
      }).waitFor();
      assert.equal(await page.locator("#live-state").textContent(), "");
      assert.deepEqual(b.errors.filter((e) => !e.includes("ERR_")), []);
    } finally {
      await b.close();
      net.close();
      await s.close();
    }
  },
);
