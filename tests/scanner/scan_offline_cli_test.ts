// `deno task scan` with the exchange unreachable (a closed loopback port): says so once, names
// --offline, and gives up after a bounded number of attempts.

import assert from "node:assert/strict";
import { SCAN_ATTEMPTS, scanRetry } from "../../src/cli/scan.ts";
import { runCli, tempDir } from "../support.ts";

/** A loopback port nothing listens on. */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("scan CLI without the exchange: unreachable once, --offline named, gives up", async () => {
  await using dir = await tempDir();
  const r = await runCli(
    "src/cli/scan.ts",
    ["--exchange", "okx", "--db", `${dir.path}/scan.duckdb`],
    { TIDEWATCH_OKX_URL: `http://127.0.0.1:${closedPort()}` },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.match(/unreachable \(/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /OKX is unreachable \(NetworkError\); trying 2 more time\(s\)/);
  assert.match(r.stderr, /--offline ranks the candles already stored/);
  assert.equal(r.stderr.match(/retry \d of/g)?.length ?? 0, SCAN_ATTEMPTS - 2);
  assert.match(
    r.stderr,
    /error: OKX could not be reached after 3 attempts .* add --offline\.\n$/,
  );
});

Deno.test("scanRetry: the first failure is explained, later ones are one short line", () => {
  const lines: string[] = [];
  const r = scanRetry("OKX", (l) => lines.push(l));
  assert.equal(r.attempts, SCAN_ATTEMPTS);
  const error = new Error("down");
  r.onRetry({ attempt: 1, delayMs: 1000, error });
  r.onRetry({ attempt: 2, delayMs: 2000, error });
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^\nOKX is unreachable \(Error\); trying 2 more time\(s\), then giving up/,
  );
  assert.equal(lines[1], "OKX: retry 2 of 2 in 2000 ms");
});
