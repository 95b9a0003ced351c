// The page's client of the service's API: JSON in and out, the session's CSRF token on every
// write, and errors carrying the service's own message.

/** An answer other than 2xx: its status and the service's `error` text. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {unknown} [body]
   */
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Calls the API as the page's session. */
export class Api {
  /** @param {string | null} csrf the session's CSRF token (null before login) */
  constructor(csrf) {
    this.csrf = csrf;
  }

  /**
   * GET a JSON answer.
   * @param {string} path
   * @param {Record<string, string | number | undefined>} [query]
   */
  get(path, query) {
    const q = query
      ? new URLSearchParams(
        Object.entries(query).filter(([, v]) => v !== undefined && v !== "").map((
          [k, v],
        ) => [k, String(v)]),
      ).toString()
      : "";
    return this.#send("GET", q ? `${path}?${q}` : path);
  }

  /**
   * POST (or another write) with an optional JSON body.
   * @param {string} path
   * @param {unknown} [body]
   * @param {string} [method]
   */
  post(path, body, method = "POST") {
    return this.#send(method, path, body);
  }

  /** @param {string} path */
  delete(path) {
    return this.#send("DELETE", path);
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async #send(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json" };
    if (method !== "GET") {
      if (this.csrf) headers["x-csrf-token"] = this.csrf;
      if (body !== undefined) headers["content-type"] = "application/json";
    }
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const text = await res.text();
    let data;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) {
      const message = data && typeof data === "object" && "error" in data
        ? String(data.error)
        : `HTTP ${res.status}`;
      throw new ApiError(res.status, message, data);
    }
    return data;
  }
}
