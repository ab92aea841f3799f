/**
 * A plain TCP client for tests that must control the exact bytes sent and
 * when (dribbled headers, CONNECT, `OPTIONS *`, pipelined requests): it
 * writes what it is given, keeps everything received as latin1 text, and
 * notes when the peer closed. Every wait is bounded and reports a miss as
 * `false`, never as a hang.
 */
import net from 'node:net';

export class RawSocket {
  private chunks: Buffer[] = [];
  private wake: (() => void) | undefined;
  /** `performance.now()` when the peer closed (or the socket failed); undefined while open. */
  closedAt: number | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.wake?.();
    });
    socket.on('error', () => {}); // a reset is seen as the close
    socket.on('close', () => {
      this.closedAt = performance.now();
      this.wake?.();
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  /** Everything received so far, as latin1 text. */
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  /** Writes bytes unless the socket is gone; resolves once they are handed to the kernel. */
  write(bytes: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(bytes, (err) => resolve(!err)));
  }

  /** Waits until `pred(text)` holds or the socket closes or `ms` pass; returns whether it holds. */
  async until(pred: (text: string) => boolean, ms = 5000): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!pred(this.text)) {
      const left = deadline - performance.now();
      if (this.closed || left <= 0) return pred(this.text);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return true;
  }

  /** Waits for the peer to close, up to `ms`; returns whether it did. */
  async untilClosed(ms = 5000): Promise<boolean> {
    await this.until(() => this.closed, ms);
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** How many complete `HTTP/1.x NNN` status lines `text` holds, in order. */
export function statusLines(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/g)].map((m) => Number(m[1]));
}
