/**
 * `Expect: 100-continue` through the proxy: a request body that waits for
 * the backend's `100 Continue` before it goes upstream, as its client waits.
 * The backend's 100 is passed on to the client (once per request, whatever
 * the retries), then the body flows; without a 100 in `waitMs` the body goes
 * anyway and the client is told to go on (RFC 9110 §10.1.1; curl waits 1 s
 * too). A final answer that comes first closes the gate for good: the client
 * gets it before any upload.
 */
import type http from 'node:http';

/** The request's side, shared by its attempts: whether the client was already told to go on. */
export interface ExpectState {
  clientContinued: boolean;
}

/** How long a body waits for the backend's 100 before it is sent anyway. */
export const CONTINUE_WAIT_MS = 1000;

export class ContinueGate {
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  /** `expect` undefined: a request without Expect, whose body goes at `arm()`. */
  constructor(
    private readonly res: http.ServerResponse,
    private readonly expect: ExpectState | undefined,
    private readonly startBody: () => void,
  ) {}

  /** The upstream connection is up: the body goes now, or after the backend's 100 (at most `waitMs`). */
  arm(waitMs: number): void {
    if (this.expect) this.timer = setTimeout(() => this.open(), Math.min(CONTINUE_WAIT_MS, waitMs));
    else this.open();
  }

  /** The backend said 100 Continue. */
  continued(): void {
    this.open();
  }

  /** A final answer came, or the attempt ended: the body never goes through this gate. */
  close(): void {
    clearTimeout(this.timer);
    this.done = true;
  }

  private open(): void {
    clearTimeout(this.timer);
    if (this.done) return;
    this.done = true;
    if (this.expect && !this.expect.clientContinued && !this.res.headersSent) {
      this.expect.clientContinued = true;
      this.res.writeContinue();
    }
    this.startBody();
  }
}
