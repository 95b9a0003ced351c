// The status page's static files (its ES modules, style sheet, icons and TradingView's
// lightweight-charts from node_modules), read and compressed once at start, served with
// long-lived caching under names that change with their content.

import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { ConfigError } from "../../core/errors.ts";

/** One served file. */
export interface Asset {
  /** Its path under `/assets/`, e.g. "app.js". */
  name: string;
  type: string;
  body: Uint8Array;
  gzip?: Uint8Array;
  br?: Uint8Array;
  /** A short hash of the content: the `?v=` of its address and the ETag. */
  hash: string;
}

const CLIENT_DIR = new URL("./client/", import.meta.url);
/** lightweight-charts' standalone ES module, as npm installs it. */
const CHARTS_FILE = new URL(
  "../../../node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.mjs",
  import.meta.url,
);
/** The name the page imports lightweight-charts by. */
export const CHARTS_ASSET = "lightweight-charts.mjs";

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
  webmanifest: "application/manifest+json",
};
const COMPRESSIBLE = new Set(["js", "mjs", "css", "svg", "json", "webmanifest"]);

function extension(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

async function shortHash(body: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>));
  return Array.from(d.subarray(0, 6), (x) => x.toString(16).padStart(2, "0")).join("");
}

function listClient(dir: URL, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...listClient(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (TYPES[extension(e.name)]) out.push(prefix + e.name);
  }
  return out.sort();
}

/** Makes an asset from its bytes: type by extension, compressed when worth it. */
export async function makeAsset(name: string, body: Uint8Array): Promise<Asset> {
  const ext = extension(name);
  const asset: Asset = {
    name,
    type: TYPES[ext] ?? "application/octet-stream",
    body,
    hash: await shortHash(body),
  };
  if (COMPRESSIBLE.has(ext) && body.length > 512) {
    asset.gzip = new Uint8Array(gzipSync(body, { level: 9 }));
    asset.br = new Uint8Array(
      brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
  return asset;
}

/**
 * The page's files, loaded once. `url(name)` gives the address with its content hash, which the
 * page uses so a browser may keep a file for a year and still gets a changed one at once.
 *
 * @example
 * ```ts
 * const assets = await Assets.load();
 * app.get("/assets/*", (c) => assets.serve(c.req.raw, c.req.path.slice(8)));
 * ```
 */
export class Assets {
  readonly #byName: Map<string, Asset>;

  private constructor(list: Asset[]) {
    this.#byName = new Map(list.map((a) => [a.name, a]));
  }

  /** Reads the client folder and lightweight-charts. */
  static async load(): Promise<Assets> {
    const list: Asset[] = [];
    for (const name of listClient(CLIENT_DIR)) {
      list.push(await makeAsset(name, await Deno.readFile(new URL(name, CLIENT_DIR))));
    }
    let charts: Uint8Array;
    try {
      charts = await Deno.readFile(CHARTS_FILE);
    } catch {
      throw new ConfigError(
        "The status page needs the npm package lightweight-charts in node_modules: run " +
          "`deno install` in the project folder.",
      );
    }
    list.push(await makeAsset(CHARTS_ASSET, charts));
    return new Assets(list);
  }

  /** The address of `name` with its content hash (`/assets/app.js?v=…`). */
  url(name: string): string {
    const a = this.#byName.get(name);
    if (!a) throw new Error(`No page asset named ${name}`);
    return `/assets/${name}?v=${a.hash}`;
  }

  /**
   * The response for `/assets/<name>`: brotli or gzip when accepted, 304 on a matching
   * `If-None-Match`, cached for a year when the address carries the current hash.
   */
  serve(req: Request, name: string): Response | undefined {
    const a = this.#byName.get(name);
    if (!a) return undefined;
    const etag = `"${a.hash}"`;
    const versioned = new URL(req.url).searchParams.get("v") === a.hash;
    const headers = new Headers({
      "content-type": a.type,
      etag,
      "cache-control": versioned ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
    });
    if (req.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers });
    }
    const accepts = req.headers.get("accept-encoding") ?? "";
    let body = a.body;
    if (a.br && /\bbr\b/.test(accepts)) {
      body = a.br;
      headers.set("content-encoding", "br");
    } else if (a.gzip && /\bgzip\b/.test(accepts)) {
      body = a.gzip;
      headers.set("content-encoding", "gzip");
    }
    return new Response(body as Uint8Array<ArrayBuffer>, { headers });
  }
}
