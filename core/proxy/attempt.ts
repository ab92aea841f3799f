/**
 * One attempt of an HTTP request to one backend, through http-proxy. It owns
 * the attempt's timeout (connect, then response headers), the backend's
 * in-flight count (up once, down exactly once) and its report; it ends in one
 * of three ways, and the request loop decides what comes next:
 *  - `failed`: no response reached the client, so it may be retried;
 *  - `answered`: a response went to the client (complete, or cut short);
 *  - `clientGone`: the client left before an answer.
 * A response whose status the service retries on (`retries.onStatus`) is
 * first `held`, unread: the loop then either `release()`s it to the client
 * (no retry, or no backend left) or `discard()`s it and tries another backend.
 * Injected faults (core/faults) are drawn once per attempt and act here, so
 * that what they cause is reported exactly as the real failure would be.
 */
import type http from 'node:http';
import type { Readable, Transform } from 'node:stream';
import tls from 'node:tls';
import { faultError, type FaultPlan } from '../faults/fault-set';
import { responseShapers } from '../faults/response';
import type { Backend } from '../model/backend';
import type { ErrorKind, AttemptOutcome } from '../stats/types';
import { Deadline, type Phase, type TimeoutOwner } from './deadline';
import { downstreamResponseHeaders } from './hop-by-hop';
import type { ReplayBody } from './replay-body';
import { CALL_KEY, CLIENT_CLOSED, noop, type ServiceContext } from './types';
import { errorKind, timeoutError } from './upstream-errors';

export type AttemptResult =
  | { kind: 'failed'; error: ErrorKind; bodySent: boolean; outcome: AttemptOutcome }
  | { kind: 'held'; status: number; bodySent: boolean }
  | { kind: 'answered' | 'clientGone'; outcome: AttemptOutcome };

/** A response held back from the client: how to send it on, and how to drop it. */
interface Held {
  status: number;
  release: () => void;
  drop: () => void;
}

/**
 * The body of a request without one, as http-proxy's `buffer` (the stream it
 * pipes upstream; all it calls is `pipe`): it ends the upstream request at
 * once, as piping the empty client request would a few ticks later, without
 * reading the client request or adding listeners to either.
 */
const NO_BODY = {
  pipe<T extends NodeJS.WritableStream>(dest: T): T {
    dest.end();
    return dest;
  },
};

export class Attempt implements TimeoutOwner {
  private settled = false;
  private bodySent = false;
  private proxyReq: http.ClientRequest | undefined;
  private proxyRes: http.IncomingMessage | undefined;
  private readonly deadline = new Deadline(this);
  /** How far each body chunk sent pushes the response deadline. */
  private responseWindowMs = 0;
  private startedAt = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private fault: FaultPlan | undefined;
  /** Injected latency already spent; it counts toward the response timeout. */
  private faultDelayMs = 0;
  private faultTimer: NodeJS.Timeout | undefined;
  private shapers: Transform[] = [];
  private held: Held | undefined;
  private resolve!: (r: AttemptResult) => void;

  /** `body` is undefined for a request without one (nothing to keep: it can be sent again as it is). */
  constructor(
    private readonly ctx: ServiceContext,
    private readonly backend: Backend,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly body: ReplayBody | undefined,
  ) {}

  run(): Promise<AttemptResult> {
    const done = new Promise<AttemptResult>((resolve) => (this.resolve = resolve));
    this.backend.inFlight++;
    this.startedAt = this.ctx.now();
    this.fault = this.backend.faults.plan(this.ctx.random);
    if (this.fault) this.injectFault(this.fault);
    else this.forward();
    return done;
  }

  /** Sends the request to the backend through http-proxy. */
  private forward(): void {
    if (this.settled) return;
    const { connectMs } = this.ctx.timeouts();
    this.deadline.set('connect', connectMs, connectMs);
    const { target, agent } = this.ctx.agents.get(this.backend);
    const body = this.body?.open();
    // The headers already carry X-Forwarded-* (see forwarded.ts), so http-proxy's xfwd is off.
    const options = { target, agent, selfHandleResponse: true, xfwd: false, buffer: body ?? NO_BODY, [CALL_KEY]: this };
    try {
      this.ctx.proxy.web(this.req, this.res, options as object, (err) => this.onProxyError(err));
    } catch (err) {
      this.fail(err);
    }
    body?.on('data', (chunk: Buffer) => this.bodyProgress(chunk.length));
  }

  /**
   * Applies an injected fault plan: `down` refuses at once; otherwise the
   * latency passes first (counting toward the response timeout), then a hang
   * waits for that timeout, an error status is answered on the backend's
   * behalf, and anything else is forwarded (a reset or a shaped body acts on
   * the response).
   */
  private injectFault(plan: FaultPlan): void {
    const answer = plan.answer;
    if (answer?.kind === 'refuse') return this.fail(faultError('refuse', this.backend.name));
    const { responseMs } = this.ctx.timeouts();
    this.faultDelayMs = Math.min(plan.delayMs, responseMs);
    const next = () => {
      if (answer?.kind === 'hang' || plan.delayMs >= responseMs) {
        // As if sent and never answered: only the response timeout ends it.
        this.bodySent = true;
        this.deadline.set('response', responseMs - this.faultDelayMs, responseMs);
      } else if (answer?.kind === 'error') {
        this.answerForBackend(answer.status);
      } else {
        this.forward();
      }
    };
    if (this.faultDelayMs > 0) this.faultTimer = setTimeout(next, this.faultDelayMs);
    else next();
  }

  /** An injected error status: the proxy answers, and it counts as the backend's answer (stats, passive health). */
  private answerForBackend(status: number): void {
    const now = this.ctx.now();
    this.backend.observeLatency(now - this.startedAt, now);
    if (this.retriesOn(status)) return this.hold({ status, release: () => this.sendInjectedAnswer(status), drop: noop });
    this.sendInjectedAnswer(status);
  }

  private sendInjectedAnswer(status: number): void {
    const payload = Buffer.from(`injected fault: ${status} for backend ${this.backend.name}\n`);
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8', 'content-length': payload.length, 'x-lb-fault': 'error' };
    // Rather than read the rest of an unread request body, close the connection after the answer.
    if ((this.body && !this.req.complete) || this.ctx.draining()) headers.connection = 'close';
    try {
      this.res.writeHead(status, headers);
      this.res.end(payload);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.bytesOut = payload.length;
    this.settle('answered', { status });
  }

  /** An injected mid-body reset: what was written reaches the client, then the connection drops. */
  private cutAfterFlush(): void {
    setImmediate(() => {
      const socket = this.res.socket;
      if (socket && socket.writableLength > 0) socket.once('drain', () => this.cutShort('reset'));
      else this.cutShort('reset');
    });
  }

  /** http-proxy made the upstream request and it has a socket (its `proxyReq` event). */
  onProxyReq(proxyReq: http.ClientRequest): void {
    if (this.settled) {
      proxyReq.destroy();
      return;
    }
    this.proxyReq = proxyReq;
    proxyReq.on('response', (r: http.IncomingMessage) => this.onResponse(r));
    const socket = proxyReq.socket;
    if (!socket) return;
    this.ctx.trackUpstream(socket);
    if (!socket.connecting) this.onConnected();
    else socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => this.onConnected());
  }

  /** The client went away (its response closed before it finished). */
  clientGone(): void {
    if (this.settled) return;
    this.held?.drop();
    this.held = undefined;
    this.settle(this.proxyRes ? 'answered' : 'clientGone', this.proxyRes ? {} : { status: CLIENT_CLOSED });
    // A complete response still being relayed is read to its end, so its connection goes back to the pool.
    if (this.shapers.length === 0) this.proxyRes?.resume();
  }

  /** The upstream connection is up: the request starts to flow, and the wait for headers begins. */
  private onConnected(): void {
    if (this.settled) return;
    this.bodySent = true;
    const { responseMs } = this.ctx.timeouts();
    // Measured from the last body byte sent, so a long upload is not cut short, but a stalled one is.
    this.responseWindowMs = Math.max(1, responseMs - this.faultDelayMs);
    this.deadline.set('response', this.responseWindowMs, responseMs);
    this.body?.start();
  }

  /** A body chunk went out: counted, and the wait for the response starts over. */
  private bodyProgress(bytes: number): void {
    this.bytesIn += bytes;
    this.deadline.extend('response', this.responseWindowMs);
  }

  /** The connect or the response took too long (the attempt's Deadline). */
  timedOut(phase: Phase, limitMs: number): void {
    this.fail(timeoutError(phase, limitMs));
  }

  private onResponse(proxyRes: http.IncomingMessage): void {
    if (this.settled) {
      proxyRes.destroy();
      return;
    }
    this.deadline.clear();
    if (this.fault?.answer?.kind === 'reset') {
      // An injected reset: the backend got the request, its answer never arrives.
      proxyRes.destroy();
      this.fail(faultError('reset', this.backend.name));
      return;
    }
    const now = this.ctx.now();
    this.backend.observeLatency(now - this.startedAt, now);
    const status = proxyRes.statusCode ?? 502;
    if (this.retriesOn(status)) {
      proxyRes.on('error', noop); // dropped or released later; a reset meanwhile is seen when it is read
      return this.hold({ status, release: () => this.respond(proxyRes), drop: () => proxyRes.destroy() });
    }
    this.respond(proxyRes);
  }

  /** The service retries on this status (and the client has not started getting a response). */
  private retriesOn(status: number): boolean {
    const on = this.ctx.retries().onStatus;
    return on.length > 0 && on.includes(status) && !this.res.headersSent;
  }

  /** Holds a response back (unread) and lets the request loop decide: `release()` or `discard()`. */
  private hold(held: Held): void {
    this.held = held;
    this.resolve({ kind: 'held', status: held.status, bodySent: this.bodySent });
  }

  /** Sends the held response on to the client; resolves as `run()` would have. */
  release(): Promise<AttemptResult> {
    const done = new Promise<AttemptResult>((resolve) => (this.resolve = resolve));
    const held = this.held;
    this.held = undefined;
    if (!this.settled && held) held.release();
    return done;
  }

  /** Drops the held response: the attempt ends as failed, its status counted for the backend. */
  discard(): void {
    const held = this.held;
    this.held = undefined;
    if (this.settled || !held) return;
    held.drop();
    this.settle('failed', { status: held.status });
  }

  /** Relays a backend's response to the client. */
  private respond(proxyRes: http.IncomingMessage): void {
    const headers = downstreamResponseHeaders(proxyRes.rawHeaders, proxyRes.headers);
    if (this.ctx.draining()) headers.push('Connection', 'close');
    try {
      this.res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, headers);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.proxyRes = proxyRes;
    proxyRes.on('error', noop); // seen through 'close' below
    proxyRes.on('close', () => {
      if (!proxyRes.complete) this.cutShort('reset');
    });
    this.res.once('finish', () => {
      if (!this.settled) this.settle('answered', {});
    });
    // Injected body faults (bandwidth, mid-body reset) sit between the backend and the client.
    if (this.fault) this.shapers = responseShapers(this.fault, contentLength(proxyRes), () => this.cutAfterFlush());
    if (this.shapers.length === 0) return this.relay(proxyRes);
    proxyRes.on('data', (chunk: Buffer) => (this.bytesOut += chunk.length));
    let body: Readable = proxyRes;
    for (const shaper of this.shapers) body = body.pipe(shaper);
    body.pipe(this.res);
  }

  /**
   * Copies the response body to the client, counting it: what `pipe` does
   * here, with one listener on each chunk instead of two, and on the client's
   * response only a 'drain' when it pushes back. Once the client is gone the
   * rest is read and dropped, so the upstream connection finishes its response.
   */
  private relay(proxyRes: http.IncomingMessage): void {
    const res = this.res;
    proxyRes.on('data', (chunk: Buffer) => {
      this.bytesOut += chunk.length;
      if (!res.write(chunk) && !res.destroyed) {
        proxyRes.pause();
        res.once('drain', () => proxyRes.resume());
      }
    });
    proxyRes.once('end', () => res.end());
  }

  /** http-proxy's per-call error callback: an upstream error, or the client's request failing. */
  private onProxyError(err: Error): void {
    if (this.settled) return;
    if (this.res.destroyed || this.req.socket.destroyed) this.clientGone();
    else this.fail(err);
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    const kind = errorKind(err);
    if (this.proxyRes) return this.cutShort(kind);
    this.settle('failed', { error: kind });
  }

  /** The upstream failed after the response began: the client cannot get a clean answer, so its connection goes. */
  private cutShort(kind: ErrorKind): void {
    if (this.settled) return;
    this.res.destroy();
    this.settle('answered', { error: kind });
  }

  private settle(kind: 'failed' | 'answered' | 'clientGone', extra: { status?: number; error?: ErrorKind }): void {
    this.settled = true;
    this.deadline.clear();
    clearTimeout(this.faultTimer);
    this.body?.detach();
    const clean = kind === 'answered' && this.proxyRes?.complete && this.proxyReq?.writableFinished;
    // Anything less than a finished exchange leaves the upstream socket unusable: close it rather than leak it.
    if (!clean) {
      this.proxyRes?.destroy();
      this.proxyReq?.destroy();
      for (const shaper of this.shapers) shaper.destroy();
    }
    this.backend.inFlight--;
    const outcome: AttemptOutcome = {
      latencyMs: this.ctx.now() - this.startedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
    const status = extra.status ?? this.proxyRes?.statusCode;
    if (status !== undefined) outcome.status = status;
    if (extra.error) outcome.error = extra.error;
    this.ctx.hooks.attemptEnded(this.backend, outcome);
    if (kind === 'failed') this.resolve({ kind, error: extra.error ?? 'other', bodySent: this.bodySent, outcome });
    else this.resolve({ kind, outcome });
  }
}

function contentLength(res: http.IncomingMessage): number | undefined {
  const n = Number(res.headers['content-length']);
  return res.headers['content-length'] !== undefined && Number.isFinite(n) ? n : undefined;
}
