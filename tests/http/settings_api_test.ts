// PATCH /api/settings end to end: a PATCH changes only what it names; settings persist and apply
// to running bots, bots started later, bots after a reset and after a restart.

import { apiClient } from "./api_client_support.ts";
import assert from "node:assert/strict";
import { requireBearer } from "../../src/http/auth.ts";
import { assemble } from "../../src/assemble.ts";
import { Db } from "../../src/store/db.ts";
import { REPLAY_START, tempDir } from "../support.ts";
import { entry, waitFor } from "../service/service_support.ts";

const TOKEN = "test-token-0123456789abcdef";

async function start(path: string) {
  const db = await Db.open(path);
  const service = await assemble({
    db,
    entries: [
      await entry("alpha", { params: { fast_period: 2, slow_period: 5, direction: "both" } }),
      // Its file asks for confirmations; the settings, once set, apply over it.
      await entry("beta", {
        symbol: "ETH/USDT",
        params: { fast_period: 2, slow_period: 5, direction: "both" },
        requireConfirmation: true,
        confirmationTtlMs: 120_000,
      }),
    ],
    auth: requireBearer(TOKEN),
    version: "test",
    replay: { speed: 3000, startTs: REPLAY_START },
    wallNow: Date.now,
    expiryCheckMs: 50,
  });
  const { json, send } = apiClient(service.app, TOKEN);
  const confirming = async (id: string): Promise<boolean> =>
    (await json(`/api/bots/${id}`)).body.requires_confirmation;
  return {
    service,
    json,
    send,
    confirming,
    async close() {
      await service.close();
      await db.close();
    },
  };
}

/** The next entry held by `botId` (a pending confirmation row). */
async function nextHeld(s: Awaited<ReturnType<typeof start>>, botId: string) {
  const e = await waitFor(
    s.service.bus,
    (e) => e.type === "bot.pending" && e.botId === botId,
    30_000,
    `an entry of ${botId} held for confirmation`,
  );
  return e.data as { created_at: number; expires_at: number };
}

Deno.test("settings: a PATCH changes only what it names, and its TTL is the one used", async () => {
  await using dir = await tempDir();
  const s = await start(`${dir.path}/s.duckdb`);
  try {
    const fresh = await s.json("/api/settings");
    assert.deepEqual(fresh.body, { require_confirmation: false, confirmation_ttl_s: 300 });
    // Never set: each bot follows its file.
    assert.equal(await s.confirming("alpha"), false);
    assert.equal(await s.confirming("beta"), true);

    const on = await s.send("PATCH", "/api/settings", { require_confirmation: true });
    assert.deepEqual(on.body, { require_confirmation: true, confirmation_ttl_s: 300 });
    assert.equal(await s.confirming("alpha"), true);

    const ttl = await s.send("PATCH", "/api/settings", { confirmation_ttl_s: 90 });
    assert.equal(ttl.status, 200);
    assert.deepEqual(ttl.body, { require_confirmation: true, confirmation_ttl_s: 90 });
    assert.deepEqual((await s.json("/api/settings")).body, ttl.body);
    assert.equal(await s.confirming("alpha"), true, "the TTL PATCH left confirmations on");
    assert.equal(await s.confirming("beta"), true);

    // Entries held from now on wait 90 s (alpha's file says 300, beta's 120).
    for (const id of ["alpha", "beta"]) {
      const held = await nextHeld(s, id);
      assert.equal(held.expires_at - held.created_at, 90_000, `${id}'s TTL`);
    }

    const bad = await s.send("PATCH", "/api/settings", { confirmation_ttl_s: 5 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /confirmation_ttl_s/);
    const audit = (await s.json("/api/audit")).body.audit;
    const last = audit.find((a: { action: string }) => a.action === "settings");
    assert.deepEqual(JSON.parse(JSON.stringify(last.details)).changed, { confirmation_ttl_s: 90 });
  } finally {
    await s.close();
  }
});

Deno.test("settings: bots started later, after a reset and after a restart take them", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/r.duckdb`;
  const s = await start(path);
  try {
    assert.equal((await s.send("POST", "/api/bots/alpha/stop")).body.state, "stopped");
    // Off over beta's file, on for the stopped alpha when it starts again.
    await s.send("PATCH", "/api/settings", { require_confirmation: false });
    assert.equal(await s.confirming("beta"), false);
    await s.send("PATCH", "/api/settings", { require_confirmation: true });
    assert.equal(await s.confirming("beta"), true);
    const started = await s.send("POST", "/api/bots/alpha/start");
    assert.equal(started.body.state, "running");
    assert.equal(started.body.requires_confirmation, true);

    const reset = await s.send("POST", "/api/simulation/reset", { confirm: true });
    assert.equal(reset.status, 200);
    assert.equal(await s.confirming("alpha"), true, "after a reset");
    assert.equal(await s.confirming("beta"), true, "after a reset");
    await s.send("PATCH", "/api/settings", { confirmation_ttl_s: 45 });
  } finally {
    await s.close();
  }
  const again = await start(path);
  try {
    assert.deepEqual((await again.json("/api/settings")).body, {
      require_confirmation: true,
      confirmation_ttl_s: 45,
    });
    assert.equal(await again.confirming("alpha"), true, "after a restart");
    const held = await nextHeld(again, "alpha");
    assert.equal(held.expires_at - held.created_at, 45_000);
  } finally {
    await again.close();
  }
});
