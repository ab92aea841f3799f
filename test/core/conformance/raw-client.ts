/**
 * A raw HTTP/1.1 client on node:net for the cases where exact bytes matter
 * (framing, 1xx, Expect, Upgrade, malformed requests): it writes exactly what
 * it is given and parses what comes back itself, keeping header lines as
 * sent, interim (1xx) answers, trailers, and anything that is not valid
 * HTTP. Every wait is bounded; a response that does not come is reported as
 * data (`closed`, `timeout`, `malformed`), never as a hang.
 */
import net from 'node:net';
import { parseBody, parseHead, responseFraming, type RawHeaders } from './http-wire';

export interface RawResponse {
  /** The status, or what happened instead of a response. */
  status: number | 'closed' | 'timeout' | `malformed: ${string}`;
  reason: string;
  headers: RawHeaders;
  body: Buffer;
  trailers: RawHeaders;
  /** Interim (1xx) answers that came before the final one, with their headers. */
  interim: Array<{ status: number; headers: RawHeaders }>;
}

const WAIT_MS = 5000;

export class RawConnection {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  /** Bytes written so far (request heads and bodies). */
  bytesSent = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => {}); // seen as `closed`
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes bytes; resolves once they are handed to the kernel (or the connection is gone). */
  write(bytes: string | Buffer): Promise<void> {
    const b = Buffer.from(bytes);
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    this.bytesSent += b.length;
    return new Promise((resolve) => this.socket.write(b, () => resolve()));
  }

  /** Bytes received and not yet taken by `readResponse`. */
  get pending(): Buffer {
    return this.buf;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Waits until `pred` holds for the bytes received so far, the peer closes, or `ms` pass. */
  async waitUntil(pred: (received: Buffer) => boolean, ms = WAIT_MS): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred(this.buf)) {
      if (this.ended || Date.now() >= deadline) return pred(this.buf);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return true;
  }

  /**
   * Reads one response to a request with `method` (HEAD and 1xx/204/304 have
   * no body), interim 1xx answers first; the bytes after it stay for the next.
   */
  async readResponse(method = 'GET', ms = WAIT_MS): Promise<RawResponse> {
    const interim: RawResponse['interim'] = [];
    let outcome: RawResponse | undefined;
    const parse = (): boolean => {
      const head = parseHead(this.buf);
      if (head.kind === 'more') return false;
      if (head.kind === 'bad') return fail(`malformed: ${head.reason}`);
      const [version, code, reason] = head.value.start;
      const status = Number(code);
      if (!/^HTTP\/1\.[01]$/.test(version) || !/^\d{3}$/.test(code)) return fail(`malformed: bad status line ${JSON.stringify(`${version} ${code} ${reason}`)}`);
      if (status >= 100 && status < 200 && status !== 101) {
        interim.push({ status, headers: head.value.headers });
        this.buf = this.buf.subarray(head.value.length);
        return parse();
      }
      const body = parseBody(this.buf, head.value.length, responseFraming(method, status, head.value.headers), this.ended);
      if (body.kind === 'more') return false;
      if (body.kind === 'bad') return fail(`malformed: ${body.reason}`);
      this.buf = this.buf.subarray(head.value.length + body.value.length);
      outcome = { status, reason, headers: head.value.headers, body: Buffer.from(body.value.body), trailers: body.value.trailers, interim };
      return true;
    };
    const fail = (status: RawResponse['status']): boolean => {
      outcome = { status, reason: '', headers: [], body: Buffer.from(this.buf), trailers: [], interim };
      return true;
    };
    const done = await this.waitUntil(() => parse(), ms);
    if (done && outcome) return outcome;
    return { status: this.ended ? 'closed' : 'timeout', reason: '', headers: [], body: Buffer.from(this.buf), trailers: [], interim };
  }

  /** Resolves true once the peer has closed, false if it has not within `ms`. */
  waitForClose(ms = WAIT_MS): Promise<boolean> {
    return this.waitUntil(() => this.ended, ms);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One request on a new connection, one response, then the connection is closed. */
export async function rawExchange(port: number, request: string | Buffer, method = 'GET'): Promise<RawResponse> {
  const conn = await RawConnection.open(port);
  try {
    await conn.write(request);
    return await conn.readResponse(method);
  } finally {
    conn.close();
  }
}
