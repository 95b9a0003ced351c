// The SVG a chart helper returns: Plot panels composed into one standalone, Jupyter-ready SVG.

import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";

const SVG_NS = "http://www.w3.org/2000/svg";
const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");
/** Width of one character of a 10px tick label, a little generous (DejaVu Sans digits are 6.4px). */
const CHAR_PX = 6.4;
const FONT = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif";
/** Attributes whose numbers are rounded to 0.1 px (Plot writes 16 significant digits). */
const ROUNDED = ["d", "transform", "x", "y", "x1", "x2", "y1", "y2", "width", "height", "cx", "cy"];
/** Ids Plot and this module give elements. */
const ID = /\b(?:plot-[a-z]+-\d+|tw-ramp-0)\b/g;
const LONG_NUMBER = /-?\d+\.\d{3,}(?:e-?\d+)?|-?\d+(?:\.\d+)?e-\d+/g;

/** Options every chart helper takes. */
export interface ChartOptions {
  /** Width of the whole SVG in px [per chart, 640–960]. */
  width?: number;
  /** Height of the whole SVG in px, header included [per chart]. */
  height?: number;
  /** Heading drawn at the top [per chart]. */
  title?: string;
}

/**
 * A rendered chart: `.svg` holds a standalone SVG document (xmlns set, inline styles, white
 * background); the Deno Jupyter kernel displays it as `image/svg+xml`.
 *
 * @example
 * ```ts
 * const chart = pnlHistogram(result.trades);
 * chart; // last expression of a notebook cell: shown as an image
 * await chart.save("pnl.svg"); // or Deno.writeTextFile("pnl.svg", String(chart))
 * ```
 */
export class SvgChart {
  /** Makes a chart from finished SVG text and its size. */
  constructor(readonly svg: string, readonly width: number, readonly height: number) {}

  /** The SVG text. */
  toString(): string {
    return this.svg;
  }

  /** What the Deno Jupyter kernel calls to display the value. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { "image/svg+xml": this.svg };
  }

  /** Writes the SVG to a file. */
  async save(path: string | URL): Promise<void> {
    await Deno.writeTextFile(path, this.svg);
  }
}

/** One Plot figure stacked in a chart. */
export interface PanelSpec {
  /** Plot options; width, height and document are set by the composer. */
  plot: Plot.PlotOptions;
  /** Share of the height left after the header [1]. */
  weight?: number;
}

/** One legend entry in the header. */
export interface LegendItem {
  label: string;
  color: string;
  /** How the key is drawn ["swatch"]. */
  kind?: "swatch" | "line" | "dash" | "hollow" | "cross";
}

/** What {@link composeChart} draws. */
export interface ComposeSpec {
  width: number;
  height: number;
  title?: string;
  subtitle?: string;
  legend?: LegendItem[];
  /** Draws a colour ramp in the header for the colour scale of this panel. */
  ramp?: { panel: number; label: string };
  panels: PanelSpec[];
}

// deno-lint-ignore no-explicit-any
type Dom = any;

let jsdomWindow: Dom | undefined;

/** The shared jsdom window Plot renders into (made once: it takes ~30 ms). */
function dom(): Dom {
  return (jsdomWindow ??= new JSDOM("").window);
}

/**
 * Renders Plot panels stacked top to bottom under a header (title, subtitle, legend or ramp)
 * into one standalone SVG. Panels share a left margin wide enough for every y tick label.
 *
 * @example
 * ```ts
 * const chart = composeChart({ width: 640, height: 300, title: "Demo", panels: [
 *   { plot: { marks: [Plot.lineY([1, 3, 2])] } },
 * ] });
 * ```
 */
export function composeChart(spec: ComposeSpec): SvgChart {
  const doc = dom().document;
  const width = Math.round(spec.width);
  let top = 8;
  const header: Dom[] = [];
  if (spec.title) {
    header.push(text(doc, spec.title, 12, top + 15, { "font-size": 15, "font-weight": 600 }));
    top += 22;
  }
  if (spec.subtitle) {
    header.push(text(doc, spec.subtitle, 12, top + 12, { "font-size": 11, fill: "#57606a" }));
    top += 18;
  }
  const legendY = top;
  if (spec.legend?.length || spec.ramp) top += 26;
  top += 4;
  const height = Math.max(Math.round(spec.height), top + 60 * spec.panels.length);
  const weights = spec.panels.map((p) => p.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const heights = weights.map((w) => Math.floor(((height - top) * w) / total));
  let plots = spec.panels.map((p, i) => render(p.plot, width, heights[i]));
  const needed = Math.max(...plots.map(neededMarginLeft));
  const given = spec.panels.map((p) => p.plot.marginLeft);
  if (given.some((m) => m === undefined) && needed > 40) {
    plots = spec.panels.map((p, i) =>
      given[i] === undefined
        ? render({ ...p.plot, marginLeft: needed }, width, heights[i])
        : plots[i]
    );
  }

  const root = doc.createElementNS(SVG_NS, "svg");
  // XMLSerializer writes xmlns for the SVG namespace itself.
  attrs(root, {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    "font-family": FONT,
    "font-size": 10,
    color: "#1f2328",
    fill: "currentColor",
  });
  const style = doc.createElementNS(SVG_NS, "style");
  style.textContent = "text, tspan { white-space: pre; }";
  root.append(style, el(doc, "rect", { width, height, fill: "white" }), ...header);
  if (spec.legend?.length) root.append(legend(doc, spec.legend, legendY));
  if (spec.ramp) root.append(ramp(doc, plots[spec.ramp.panel], spec.ramp.label, width, legendY));
  let y = top;
  plots.forEach((svg, i) => {
    svg.removeAttribute("class");
    svg.querySelector(":scope > style")?.remove();
    attrs(svg, { x: 0, y });
    root.append(svg);
    y += heights[i];
  });
  roundNumbers(root);
  const out = new (dom().XMLSerializer)().serializeToString(root) as string;
  return new SvgChart(stableIds(out), width, height);
}

function render(plot: Plot.PlotOptions, width: number, height: number): Dom {
  const node: Dom = Plot.plot({ ...plot, width, height, document: dom().document });
  if (node.tagName.toLowerCase() !== "svg") {
    throw new Error("A chart panel must render to a bare <svg>: drop title, caption and legend.");
  }
  return node;
}

/** Left margin that fits the longest left-hand tick label (0 when there are none). */
function neededMarginLeft(svg: Dom): number {
  let longest = 0;
  for (const t of svg.querySelectorAll('g[aria-label$="y-axis tick label"] text')) {
    if (t.closest("g[text-anchor=start]")) continue; // a right-hand axis
    for (const line of String(t.textContent).split("\n")) longest = Math.max(longest, line.length);
  }
  return longest ? Math.ceil(longest * CHAR_PX + 18) : 0;
}

function legend(doc: Dom, items: LegendItem[], y: number): Dom {
  const g = el(doc, "g", { class: "legend", transform: `translate(12,${y + 8})` });
  let x = 0;
  for (const item of items) {
    const kind = item.kind ?? "swatch";
    const c = item.color;
    if (kind === "swatch") g.append(el(doc, "rect", { x, y: 0, width: 10, height: 10, fill: c }));
    else if (kind === "hollow") {
      g.append(el(doc, "circle", { cx: x + 5, cy: 5, r: 4, fill: "none", stroke: c }));
    } else if (kind === "cross") {
      g.append(el(doc, "path", { d: `M${x + 1},1l8,8m0,-8l-8,8`, stroke: c, "stroke-width": 2 }));
    } else {
      const dash = kind === "dash" ? "3,2" : "none";
      g.append(
        el(doc, "path", {
          d: `M${x},5h12`,
          stroke: c,
          "stroke-width": 2,
          "stroke-dasharray": dash,
        }),
      );
    }
    g.append(text(doc, item.label, x + 16, 9, { "font-size": 11 }));
    x += 16 + item.label.length * 6.6 + 16;
  }
  return g;
}

/** A horizontal colour ramp for a continuous colour scale, min and max labelled. */
function ramp(doc: Dom, plot: Dom, label: string, width: number, y: number): Dom {
  const scale = plot.scale("color") as Plot.Scale | undefined;
  const g = el(doc, "g", { class: "ramp", transform: `translate(12,${y})` });
  const domain = scale?.domain ? Array.from(scale.domain, Number) : [];
  if (!scale?.apply || domain.length < 2) return g;
  const [lo, hi] = [domain[0], domain[domain.length - 1]];
  const id = "tw-ramp-0";
  const grad = el(doc, "linearGradient", { id });
  for (let k = 0; k <= 10; k++) {
    const color = String(scale.apply(lo + ((hi - lo) * k) / 10));
    grad.append(el(doc, "stop", { offset: `${k * 10}%`, "stop-color": color }));
  }
  const defs = el(doc, "defs", {});
  defs.append(grad);
  const w = Math.min(240, width - 24 - label.length * 6.6);
  const x0 = label.length * 6.6 + 8;
  g.append(
    defs,
    text(doc, label, 0, 13, { "font-size": 11 }),
    el(doc, "rect", { x: x0, y: 4, width: w, height: 10, fill: `url(#${id})` }),
    text(doc, fmtTick(lo), x0, 25, {}),
    text(doc, fmtTick(hi), x0 + w, 25, { "text-anchor": "end" }),
  );
  return g;
}

function fmtTick(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

/**
 * Renames element ids (Plot's per-process `plot-clip-7`, ours) to ones derived from the content:
 * the same chart always gives the same bytes, and different charts inlined in one page (a
 * notebook) never share an id.
 */
function stableIds(svg: string): string {
  const ids = new Map<string, string>();
  const normal = svg.replace(ID, (id) => {
    if (!ids.has(id)) ids.set(id, `tw-id-${ids.size}`);
    return ids.get(id)!;
  });
  if (!ids.size) return svg;
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < normal.length; i++) h = Math.imul(h ^ normal.charCodeAt(i), 0x01000193);
  const tag = (h >>> 0).toString(36);
  return normal.replace(/\btw-id-(\d+)\b/g, (_, k) => `tw${tag}-${k}`);
}

function roundNumbers(root: Dom): void {
  const round = (s: string) => {
    const r = Math.round(Number(s) * 10) / 10;
    return r === 0 ? "0" : String(r);
  };
  for (const node of root.querySelectorAll("*")) {
    for (const name of ROUNDED) {
      const v = node.getAttribute(name);
      if (v && LONG_NUMBER.test(v)) node.setAttribute(name, v.replace(LONG_NUMBER, round));
      LONG_NUMBER.lastIndex = 0;
    }
  }
}

function el(doc: Dom, tag: string, values: Record<string, string | number>): Dom {
  return attrs(doc.createElementNS(SVG_NS, tag), values);
}

function text(
  doc: Dom,
  content: string,
  x: number,
  y: number,
  values: Record<string, string | number>,
): Dom {
  const t = el(doc, "text", { x, y, "text-anchor": "start", ...values });
  t.textContent = content;
  return t;
}

function attrs(node: Dom, values: Record<string, string | number>): Dom {
  for (const [k, v] of Object.entries(values)) node.setAttribute(k, String(v));
  return node;
}
