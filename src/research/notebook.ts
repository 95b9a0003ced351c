// Notebook output: show() a value as a cell output, and a progress line updated in place.

import { formatSeconds } from "../core/format.ts";

interface JupyterApi {
  broadcast(type: string, content: Record<string, unknown>): Promise<void>;
  display(value: unknown, options?: { raw?: boolean }): Promise<void>;
}

function jupyter(): JupyterApi | undefined {
  return (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
}

let counter = 0;

/**
 * Shows `value` as an output of the running cell (charts as SVG, the rest as text) and waits
 * until the kernel has sent it, so headless runs (nbconvert) never lose it. Outside Jupyter it
 * prints the value.
 *
 * @example
 * ```ts
 * await show(equityChart(result));
 * ```
 */
export async function show(value: unknown): Promise<void> {
  const api = jupyter();
  if (api) await api.display(value);
  else {console.log(
      typeof value === "string" ? value : Deno.inspect(value, { depth: 4, colors: false }),
    );}
}

/**
 * A progress reporter for notebooks: `update(done, total, note)` redraws one line with the
 * percentage, ETA and a note (for example the best value so far). Outside Jupyter it logs a
 * line every 10 %.
 *
 * @example
 * ```ts
 * const p = notebookProgress("optimise ema_cross");
 * await optimize({ ..., onProgress: (x) => p.update(x.done, x.total, `best ${x.best?.value}`) });
 * ```
 */
export function notebookProgress(label: string, now: () => number = () => performance.now()) {
  const id = `tidewatch-progress-${++counter}`;
  const started = now();
  const api = jupyter();
  let shown = false;
  let lastTenth = -1;
  let sent: Promise<void> = Promise.resolve();
  const text = (done: number, total: number, note?: string) => {
    const elapsed = (now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const pct = total > 0 ? ((done / total) * 100).toFixed(0).padStart(3) : "  ?";
    return `${label}: ${pct}% ${done}/${total} ETA ${formatSeconds(eta)} elapsed ${
      formatSeconds(elapsed)
    }${note ? "  " + note : ""}`;
  };
  return {
    update(done: number, total: number, note?: string): void {
      const line = text(done, total, note);
      if (api) {
        const content = {
          data: { "text/plain": line },
          metadata: {},
          transient: { display_id: id },
        };
        const type = shown ? "update_display_data" : "display_data";
        sent = sent.then(() => api.broadcast(type, content));
        shown = true;
      } else {
        const tenth = total > 0 ? Math.floor((done / total) * 10) : 0;
        if (tenth !== lastTenth || done === total) console.log(line);
        lastTenth = tenth;
      }
    },
    /** Resolves once every update has reached the kernel: await it at the end of the cell. */
    flushed(): Promise<void> {
      return sent;
    },
  };
}
