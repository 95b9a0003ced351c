// Declares API routes once: zod-validated inputs, bearer auth on writes, and the OpenAPI document.

import type { Context, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { jsonDepth } from "./body_limits.ts";

/** HTTP methods the API uses. */
export type Method = "get" | "post" | "patch" | "delete";

/** Validated inputs of a route. */
export interface RouteInput<Q, B> {
  query: Q;
  body: B;
  params: Record<string, string>;
}

/** One route: where, what it does, what it takes, and the handler. */
export interface RouteSpec<Q = unknown, B = unknown> {
  method: Method;
  /** Hono path with `:params`, e.g. "/api/bots/:id". */
  path: string;
  summary: string;
  /** Needs the bearer token [true for every method but GET]. */
  write?: boolean;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Returns a JSON-able value (200) or a Response. */
  handler: (c: Context, input: RouteInput<Q, B>) => unknown | Promise<unknown>;
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/**
 * Registers routes on a Hono app and remembers them for `/api/openapi.json`.
 *
 * @example
 * ```ts
 * const routes = new RouteTable(app, requireBearer(token));
 * routes.add({ method: "get", path: "/api/bots", summary: "List bots", handler: () => list() });
 * ```
 */
export class RouteTable {
  readonly #specs: RouteSpec<unknown, unknown>[] = [];

  readonly #maxJsonDepth: number;

  constructor(
    private readonly app: Hono,
    private readonly auth: MiddlewareHandler,
    options: { /** Deepest nesting of a JSON body [32]. */ maxJsonDepth?: number } = {},
  ) {
    this.#maxJsonDepth = options.maxJsonDepth ?? 32;
  }

  add<Q, B>(spec: RouteSpec<Q, B>): void {
    this.#specs.push(spec as RouteSpec<unknown, unknown>);
    const label = `${spec.method.toUpperCase()} ${spec.path}`;
    const handlers: MiddlewareHandler[] = [];
    if (spec.write ?? spec.method !== "get") handlers.push(this.auth);
    handlers.push(async (c) => {
      let query = {} as Q;
      let body = {} as B;
      if (spec.query) {
        const raw = c.req.query();
        const empty = Object.keys(raw).filter((k) => raw[k].trim() === "");
        if (empty.length) {
          const names = empty.map((k) => k.slice(0, 64)).join(", ");
          return c.json({
            error: `Invalid query for ${label}: ${names}: empty value; give a value or leave ` +
              `the parameter out.`,
          }, 400);
        }
        const r = spec.query.safeParse(raw);
        if (!r.success) {
          return c.json({ error: `Invalid query for ${label}: ${describe(r.error.issues)}` }, 400);
        }
        query = r.data;
      }
      if (spec.body) {
        const text = await c.req.text();
        let raw: unknown = {};
        if (text.trim()) {
          if (jsonDepth(text, this.#maxJsonDepth) > this.#maxJsonDepth) {
            return c.json({
              error: `Invalid JSON body for ${label}: nested deeper than ` +
                `${this.#maxJsonDepth} levels.`,
            }, 400);
          }
          try {
            raw = JSON.parse(text);
          } catch (err) {
            return c.json(
              { error: `Invalid JSON body for ${label}: ${(err as Error).message}` },
              400,
            );
          }
        }
        const r = spec.body.safeParse(raw);
        if (!r.success) {
          return c.json({ error: `Invalid body for ${label}: ${describe(r.error.issues)}` }, 400);
        }
        body = r.data;
      }
      const out = await spec.handler(c, {
        query,
        body,
        params: c.req.param() as Record<string, string>,
      });
      return out instanceof Response ? out : c.json(out as object);
    });
    this.app.on(spec.method.toUpperCase(), [spec.path], ...(handlers as [MiddlewareHandler]));
  }

  /**
   * The OpenAPI 3.1 document of every route added. `needsToken` says which operations carry the
   * bearer requirement (default: the writes); off loopback the app passes one that marks reads
   * too, so the document tells what the service really asks.
   */
  openapi(
    info: { title: string; version: string },
    needsToken: (path: string, write: boolean) => boolean = (_path, write) => write,
  ): unknown {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const s of this.#specs) {
      const path = s.path.replace(/:([A-Za-z_]+)/g, "{$1}");
      const params: unknown[] = [...s.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string" },
      }));
      if (s.query) {
        const js = z.toJSONSchema(s.query, { io: "input", unrepresentable: "any" }) as {
          properties?: Record<string, unknown>;
          required?: string[];
        };
        for (const [name, schema] of Object.entries(js.properties ?? {})) {
          params.push({
            name,
            in: "query",
            required: js.required?.includes(name) ?? false,
            schema,
          });
        }
      }
      const write = s.write ?? s.method !== "get";
      (paths[path] ??= {})[s.method] = {
        summary: s.summary,
        parameters: params,
        ...(s.body
          ? {
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: z.toJSONSchema(s.body, { io: "input", unrepresentable: "any" }),
                },
              },
            },
          }
          : {}),
        ...(needsToken(s.path, write) ? { security: [{ bearer: [] }] } : {}),
        responses: {
          "200": { description: "OK" },
          "400": { description: "Invalid input; the error names the field" },
          ...(write ? { "401": { description: "Missing or wrong bearer token" } } : {}),
        },
      };
    }
    return {
      openapi: "3.1.0",
      info,
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      paths,
    };
  }
}
