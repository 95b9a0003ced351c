// The pending-confirmation dialog (built by its own module later in this issue).

/** @param {import("./app.js").Ctx} _ctx */
export function watchPending(_ctx) {}
