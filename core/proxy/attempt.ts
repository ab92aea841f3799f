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
 *
 * `Expect: 100-continue` goes to the backend, and the body waits at a
 * ContinueGate for its 100. Once the response began, a gap of
 * `timeouts.idleMs` in its body ends it as a timeout.
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
import { ContinueGate, type ExpectState } from './continue-gate';
import { pairsOf, relayBody } from './relay';
import { clientOrigin, hasRedirectHeader, isHeaderOnly, rewriteRedirects } from './response-head';
import { upstreamPath } from './upstream-path';
import type { ReplayBody } from './replay-body';
import { CALL_KEY, CLIENT_CLOSED, noop, type ServiceContext } from './types';
import { errorDetail, errorKind, timeoutError } from './upstream-errors';

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
 * pipes upstream; all it calls is `pipe`): it reads nothing and adds no
 * listeners; the attempt ends the upstream request itself once it has a
 * socket (see `onProxyReq`), after setting the request target.
 */
const NO_BODY = {
  pipe<T extends NodeJS.WritableStream>(dest: T): T {
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
  /** The relay waits for the client to read (a full socket buffer), not for the backend. */
  private clientStalled = false;
  /** Where the body waits for the upstream connection (and, with Expect, the backend's 100). */
  private readonly gate: ContinueGate;
  private resolve!: (r: AttemptResult) => void;

  /**
   * `body` is undefined for a request without one (nothing to keep: it can be
   * sent again as it is). `expect` carries the request's 100-continue wish
   * and whether the client was already told to go on (by an earlier attempt).
   */
  constructor(
    private readonly ctx: ServiceContext,
    private readonly backend: Backend,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly body: ReplayBody | undefined,
    private readonly expect?: ExpectState,
    /** Which attempt of its request this is (1 = the first), for `x-lbw-attempts`. */
    private readonly attemptNo = 1,
  ) {
    this.gate = new ContinueGate(res, expect, () => this.body?.start());
  }

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
    const { target, agent, secure } = this.ctx.agents.get(this.backend);
    const body = this.body?.open();
    // Request trailers follow the body; this runs before the pipe's own 'end' handler ends the upstream request.
    body?.once('end', () => this.sendTrailers());
    // The headers already carry X-Forwarded-* (see forwarded.ts), so http-proxy's xfwd is off.
    // http-proxy builds the upstream request's options on `ssl` (a fresh object each time): the way to give it the response head limit.
    const ssl = { maxHeaderSize: this.ctx.maxHeaderBytes() };
    const options = { target, agent, secure, ssl, selfHandleResponse: true, xfwd: false, buffer: body ?? NO_BODY, [CALL_KEY]: this };
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
    if (this.ctx.debugHeaders()) {
      headers['x-lbw-backend'] = this.backend.name;
      headers['x-lbw-attempts'] = String(this.attemptNo);
    }
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
    // The request target as the client sent it (http-proxy's join would fold `//` and the like).
    if (!proxyReq.headersSent) proxyReq.path = upstreamPath(this.backend.url.pathname, this.req.url ?? '/');
    if (!this.body) proxyReq.end();
    proxyReq.on('response', (r: http.IncomingMessage) => this.onResponse(r));
    proxyReq.on('information', (info: http.InformationEvent) => this.onInformation(info));
    if (this.expect) {
      // Set here, not in the headers given to http-proxy (it stays silent about requests with Expect); sent at once.
      proxyReq.setHeader('Expect', '100-continue');
      proxyReq.flushHeaders();
      proxyReq.once('continue', () => this.gate.continued());
    }
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
    this.gate.arm(responseMs);
  }

  /** A 1xx from the backend other than 100 and 101: 103 Early Hints go on to the client; others are dropped. */
  private onInformation(info: http.InformationEvent): void {
    if (this.settled || info.statusCode !== 103 || this.res.headersSent) return;
    try {
      this.res.writeEarlyHints(info.headers as Record<string, string | string[]>);
    } catch {
      // Hints are advisory: a hint Node will not write is not worth the request.
    }
  }

  /** Passes the client's request trailers on, once its body has all gone upstream. */
  private sendTrailers(): void {
    const trailers = this.req.rawTrailers;
    if (trailers.length === 0 || !this.proxyReq || this.proxyReq.writableEnded) return;
    this.proxyReq.addTrailers(pairsOf(trailers));
  }

  /** A body chunk went out: counted, and the wait for the response starts over. */
  private bodyProgress(bytes: number): void {
    this.bytesIn += bytes;
    this.deadline.extend('response', this.responseWindowMs);
  }

  /**
   * The connect, the response or a gap in its body took too long (the
   * attempt's Deadline). A gap while the client was not reading is the
   * client's: its connection goes, and the backend is not blamed.
   */
  timedOut(phase: Phase, limitMs: number): void {
    if (phase === 'idle' && this.clientStalled) {
      this.res.destroy();
      return;
    }
    this.fail(timeoutError(phase === 'idle' ? 'response body idle' : phase, limitMs));
  }

  private onResponse(proxyRes: http.IncomingMessage): void {
    if (this.settled) {
      proxyRes.destroy();
      return;
    }
    this.deadline.clear();
    this.gate.close();
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
    const status = proxyRes.statusCode ?? 502;
    const headers = downstreamResponseHeaders(proxyRes.rawHeaders, proxyRes.headers);
    if (this.ctx.rewriteRedirects() && hasRedirectHeader(proxyRes.headers)) rewriteRedirects(headers, this.backend.url, clientOrigin(this.req));
    // An answer before the whole request body was read (a 413, an early error): the rest is not read, so the connection closes after it.
    if (this.ctx.draining() || (this.body && !this.req.complete)) headers.push('Connection', 'close');
    if (this.ctx.debugHeaders()) headers.push('x-lbw-backend', this.backend.name, 'x-lbw-attempts', String(this.attemptNo));
    try {
      this.res.writeHead(status, proxyRes.statusMessage, headers);
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
    if (isHeaderOnly(this.req.method, status)) {
      // Whatever bytes a backend sends after such a head are not a body: the client gets the head alone.
      proxyRes.resume();
      this.res.end();
      return;
    }
    const { idleMs } = this.ctx.timeouts();
    if (idleMs > 0) this.deadline.set('idle', idleMs, idleMs);
    // Injected body faults (bandwidth, mid-body reset) sit between the backend and the client.
    if (this.fault) this.shapers = responseShapers(this.fault, contentLength(proxyRes), () => this.cutAfterFlush());
    if (this.shapers.length === 0) return this.relay(proxyRes);
    proxyRes.on('data', (chunk: Buffer) => {
      this.bytesOut += chunk.length;
      this.deadline.extend('idle', idleMs);
    });
    let body: Readable = proxyRes;
    for (const shaper of this.shapers) body = body.pipe(shaper);
    body.pipe(this.res);
  }

  /** Copies the body to the client (relay.ts), counting it and moving the idle deadline; a wait for the client to read is the client's. */
  private relay(proxyRes: http.IncomingMessage): void {
    const { idleMs } = this.ctx.timeouts();
    relayBody(proxyRes, this.res, {
      moved: (bytes) => {
        this.bytesOut += bytes;
        this.deadline.extend('idle', idleMs);
      },
      clientStalled: (stalled) => {
        this.clientStalled = stalled;
        if (!stalled) this.deadline.extend('idle', idleMs);
      },
    });
  }

  /** http-proxy's per-call error callback: an upstream error, or the client's request failing. */
  private onProxyError(err: Error): void {
    if (this.settled) return;
    if (this.res.destroyed || this.req.socket.destroyed) this.clientGone();
    // The whole answer arrived (a backend's early 413, say, then a reset of the upload it did not read): it still goes out.
    else if (this.proxyRes?.complete) return;
    else this.fail(err);
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    const kind = errorKind(err);
    const detail = errorDetail(err);
    if (this.proxyRes) return this.cutShort(kind, detail);
    this.settle('failed', { error: kind, detail });
  }

  /** The upstream failed after the response began: the client cannot get a clean answer, so its connection goes. */
  private cutShort(kind: ErrorKind, detail?: string): void {
    if (this.settled) return;
    this.res.destroy();
    this.settle('answered', detail ? { error: kind, detail } : { error: kind });
  }

  private settle(kind: 'failed' | 'answered' | 'clientGone', extra: { status?: number; error?: ErrorKind; detail?: string }): void {
    this.settled = true;
    this.deadline.clear();
    clearTimeout(this.faultTimer);
    this.gate.close();
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
    if (extra.detail) outcome.detail = extra.detail;
    // A failed attempt is a slow one to latency-aware strategies (the connect timeout as a penalty), so a fast-failing backend does not look fast.
    if (kind === 'failed' && extra.error) this.backend.observeFailure(this.ctx.timeouts().connectMs, this.ctx.now());
    this.ctx.hooks.attemptEnded(this.backend, outcome);
    if (kind === 'failed') this.resolve({ kind, error: extra.error ?? 'other', bodySent: this.bodySent, outcome });
    else this.resolve({ kind, outcome });
  }
}

function contentLength(res: http.IncomingMessage): number | undefined {
  const n = Number(res.headers['content-length']);
  return res.headers['content-length'] !== undefined && Number.isFinite(n) ? n : undefined;
}
