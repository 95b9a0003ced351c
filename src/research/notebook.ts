// Progress in a notebook: one output line updated in place (Deno kernel), plain lines elsewhere.

import { formatDuration } from "../cli/progress.ts";

interface JupyterApi {
  broadcast(type: string, content: Record<string, unknown>): Promise<void>;
}

function jupyter(): JupyterApi | undefined {
  return (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
}

let counter = 0;

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
  const text = (done: number, total: number, note?: string) => {
    const elapsed = (now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    const pct = total > 0 ? ((done / total) * 100).toFixed(0).padStart(3) : "  ?";
    return `${label}: ${pct}% ${done}/${total} ETA ${formatDuration(eta)} elapsed ${
      formatDuration(elapsed)
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
        void api.broadcast(shown ? "update_display_data" : "display_data", content);
        shown = true;
      } else {
        const tenth = total > 0 ? Math.floor((done / total) * 10) : 0;
        if (tenth !== lastTenth || done === total) console.log(line);
        lastTenth = tenth;
      }
    },
  };
}
