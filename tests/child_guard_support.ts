// Preloaded into every Deno child a test starts: the child exits when its parent's pipe closes.
//
// The test holds the child's stdin open for as long as it wants the child; when the test process
// ends, however it ends (a crash, a segfault, SIGKILL), the OS closes that pipe, the read below
// returns end-of-file, and the child exits: nothing is left behind to hold a port or a lock.
// Started on "load" (after the main module is evaluated): a read pending while the preload runs
// would keep Deno from ever starting the main module. The pending read keeps the child's event
// loop alive, so a guarded child ends with Deno.exit (every CLI and the service do, through
// runMain) or is stopped by its test.

addEventListener("load", () => {
  (async () => {
    const buf = new Uint8Array(1024);
    try {
      while ((await Deno.stdin.read(buf)) !== null) {
        // What the parent writes is not for us.
      }
    } catch {
      // stdin unreadable: treat like a closed pipe.
    }
    console.error(`[child ${Deno.pid}] its test process is gone (stdin closed): exiting`);
    Deno.exit(86);
  })();
});
