// Optional test requirements: skip with a printed reason, or fail when TIDEWATCH_REQUIRE_ALL=1.

/**
 * Decides whether a test that needs an optional tool (a browser, a binary, a service) runs.
 * Returns true when `available`. Otherwise it logs why the test is skipped and returns false,
 * or throws when the environment sets `TIDEWATCH_REQUIRE_ALL=1` (CI that must run everything).
 *
 * @example
 * ```ts
 * Deno.test("renders a PNG", async () => {
 *   const ok = await exists("/usr/bin/chromium");
 *   if (!requireTool("chromium", ok, "install it with `apt-get install -y chromium`")) return;
 *   // ... the test proper
 * });
 * ```
 */
export function requireTool(name: string, available: boolean, reason: string): boolean {
  if (available) return true;
  const message = `"${name}" is not available: ${reason}`;
  if (Deno.env.get("TIDEWATCH_REQUIRE_ALL") === "1") {
    throw new Error(`${message} (TIDEWATCH_REQUIRE_ALL=1 turns this skip into a failure).`);
  }
  console.log(`SKIP ${message}`);
  return false;
}
