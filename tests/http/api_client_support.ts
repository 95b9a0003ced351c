// A small client of the service's HTTP API for tests: answers as status and parsed JSON body.

/** What a Hono app (or the service's) offers to send a request to. */
interface Requestable {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** `json` (any request), `send` (with the bearer `token` and a JSON body) and `post`. */
export function apiClient(app: Requestable, token: string) {
  const auth = { Authorization: `Bearer ${token}`, "content-type": "application/json" };
  const json = async (path: string, init: RequestInit = {}) => {
    const res = await app.request(path, init);
    return { status: res.status, body: await res.json() };
  };
  const send = (method: string, path: string, body?: unknown) =>
    json(path, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { json, send, post: (path: string, body?: unknown) => send("POST", path, body) };
}
