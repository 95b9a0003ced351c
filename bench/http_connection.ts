// A keep-alive HTTP/1.1 connection over raw TCP for the benches' load generators: writes request
// bytes, reads Content-Length answers; a fraction of what `fetch` costs per request.

const CRLF2 = [13, 10, 13, 10];

/** Index of the blank line ending the head in `buf[0..len)`, or -1. */
function headEnd(buf: Uint8Array, len: number): number {
  for (let i = 3; i < len; i++) {
    if (
      buf[i] === CRLF2[3] && buf[i - 1] === CRLF2[2] && buf[i - 2] === CRLF2[1] &&
      buf[i - 3] === CRLF2[0]
    ) return i + 1;
  }
  return -1;
}

/**
 * One keep-alive connection: sends a request, reads its whole answer (the head, then
 * Content-Length bytes of body), and returns its status, head and body.
 */
export class Connection {
  #buf = new Uint8Array(64 * 1024);
  #len = 0;
  readonly #latin1 = new TextDecoder("latin1");

  constructor(private readonly conn: Deno.TcpConn) {}

  /** Opens a keep-alive connection to `url`'s host and port. */
  static async open(url: string): Promise<Connection> {
    const u = new URL(url);
    return new Connection(await Deno.connect({ hostname: u.hostname, port: Number(u.port) }));
  }

  async request(bytes: Uint8Array): Promise<{ status: number; head: string; body: Uint8Array }> {
    let written = 0;
    while (written < bytes.length) written += await this.conn.write(bytes.subarray(written));
    let end = headEnd(this.#buf, this.#len);
    while (end < 0) {
      await this.#fill();
      end = headEnd(this.#buf, this.#len);
    }
    const head = this.#latin1.decode(this.#buf.subarray(0, end));
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) throw new Error(`answer without Content-Length: ${head.slice(0, 200)}`);
    const total = end + Number(length[1]);
    while (this.#len < total) await this.#fill();
    const body = this.#buf.slice(end, total);
    this.#buf.copyWithin(0, total, this.#len);
    this.#len -= total;
    return { status, head, body };
  }

  async #fill(): Promise<void> {
    if (this.#len === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#len));
    if (n === null) throw new Error("the service closed a keep-alive connection");
    this.#len += n;
  }

  close(): void {
    this.conn.close();
  }
}
