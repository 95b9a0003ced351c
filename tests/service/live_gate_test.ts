// Tests for the live-mode gate: each missing requirement is named, keys never appear.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { checkLiveApproval, keyVariables } from "../../src/service/live_gate.ts";

const OKX_KEYS = {
  TIDEWATCH_OKX_API_KEY: "okx-key-value-1234",
  TIDEWATCH_OKX_API_SECRET: "okx-secret-value-5678",
  TIDEWATCH_OKX_API_PASSWORD: "okx-pass-value-9012",
};
const APPROVED = { TRADING_MODE: "live", TRADING_APPROVED: "true" };
const SECRETS = [...Object.values(OKX_KEYS), "bn-key-value-1111", "bn-secret-value-2222"];

function assertNoSecret(text: string): void {
  for (const s of SECRETS) assert.ok(!text.includes(s), `secret in: ${text}`);
}

Deno.test("approved live mode with all keys gives the credentials", () => {
  const gate = checkLiveApproval({ ...APPROVED, ...OKX_KEYS }, "okx");
  assert.deepEqual(gate, {
    ok: true,
    credentials: {
      apiKey: "okx-key-value-1234",
      secret: "okx-secret-value-5678",
      password: "okx-pass-value-9012",
    },
  });
  const bn = checkLiveApproval({
    ...APPROVED,
    TIDEWATCH_BINANCEUSDM_API_KEY: " bn-key-value-1111 ",
    TIDEWATCH_BINANCEUSDM_API_SECRET: "bn-secret-value-2222",
  }, "binance");
  assert.deepEqual(bn, {
    ok: true,
    credentials: { apiKey: "bn-key-value-1111", secret: "bn-secret-value-2222" },
  });
});

Deno.test("each missing requirement is named, and only those", () => {
  const rows: {
    env: Record<string, string | undefined>;
    missing: string[];
    says: RegExp[];
  }[] = [
    {
      env: { ...OKX_KEYS },
      missing: ["TRADING_MODE=live", "TRADING_APPROVED=true"],
      says: [/TRADING_MODE is not set \(paper is the default\)/, /TRADING_APPROVED is not set/],
    },
    {
      env: { ...OKX_KEYS, TRADING_MODE: "paper", TRADING_APPROVED: "true" },
      missing: ["TRADING_MODE=live"],
      says: [/TRADING_MODE is "paper", not "live"/],
    },
    {
      env: { ...OKX_KEYS, TRADING_MODE: "live", TRADING_APPROVED: "yes" },
      missing: ["TRADING_APPROVED=true"],
      says: [/TRADING_APPROVED is "yes", not "true"/],
    },
    {
      env: { ...APPROVED, ...OKX_KEYS, TIDEWATCH_OKX_API_PASSWORD: "  " },
      missing: ["TIDEWATCH_OKX_API_PASSWORD"],
      says: [/the OKX API keys are incomplete: TIDEWATCH_OKX_API_PASSWORD is not set/],
    },
    {
      env: { ...APPROVED },
      missing: ["TIDEWATCH_OKX_API_KEY", "TIDEWATCH_OKX_API_SECRET", "TIDEWATCH_OKX_API_PASSWORD"],
      says: [
        /TIDEWATCH_OKX_API_KEY, TIDEWATCH_OKX_API_SECRET, TIDEWATCH_OKX_API_PASSWORD are not set/,
      ],
    },
    {
      env: { TIDEWATCH_OKX_API_SECRET: OKX_KEYS.TIDEWATCH_OKX_API_SECRET },
      missing: [
        "TRADING_MODE=live",
        "TRADING_APPROVED=true",
        "TIDEWATCH_OKX_API_KEY",
        "TIDEWATCH_OKX_API_PASSWORD",
      ],
      says: [/^Live trading on OKX is refused: /, /until then bots trade on paper\.$/],
    },
  ];
  for (const r of rows) {
    const gate = checkLiveApproval(r.env, "okx");
    assert.ok(!gate.ok);
    assert.deepEqual(gate.missing, r.missing);
    for (const re of r.says) assert.match(gate.message, re);
    assertNoSecret(JSON.stringify(gate));
  }
});

Deno.test("exchanges without a passphrase need a key and a secret only", () => {
  assert.deepEqual(keyVariables("okx"), [
    "TIDEWATCH_OKX_API_KEY",
    "TIDEWATCH_OKX_API_SECRET",
    "TIDEWATCH_OKX_API_PASSWORD",
  ]);
  assert.deepEqual(keyVariables("bybit"), [
    "TIDEWATCH_BYBIT_API_KEY",
    "TIDEWATCH_BYBIT_API_SECRET",
  ]);
  const gate = checkLiveApproval({ ...APPROVED, TIDEWATCH_BYBIT_API_KEY: "k-1" }, "bybit");
  assert.ok(!gate.ok);
  assert.deepEqual(gate.missing, ["TIDEWATCH_BYBIT_API_SECRET"]);
  assert.match(gate.message, /Bybit API keys are incomplete/);
  assert.ok(!gate.message.includes("k-1"));
});

Deno.test("an unsupported exchange is a configuration error", () => {
  assert.throws(() => checkLiveApproval({ ...APPROVED }, "kraken"), ConfigError);
});
