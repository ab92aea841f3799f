/**
 * One attempt of an HTTP request to one backend, through http-proxy. It owns
 * the attempt's timers (connect, response headers), the backend's in-flight
 * count (up once, down exactly once) and its report; it ends in one of three
 * ways, and the request loop decides what comes next:
 *  - `failed`: no response reached the client, so it may be retried;
 *  - `answered`: a response went to the client (complete, or cut short);
 *  - `clientGone`: the client left before an answer.
 */
import type http from 'node:http';
import tls from 'node:tls';
import type { Backend } from '../model/backend';
import type { ErrorKind, AttemptOutcome } from '../stats/types';
import { downstreamResponseHeaders } from './hop-by-hop';
import type { ReplayBody } from './replay-body';
import { CALL_KEY, CLIENT_CLOSED, type ServiceContext } from './types';
import { errorKind, timeoutError } from './upstream-errors';

export type AttemptResult =
  | { kind: 'failed'; error: ErrorKind; bodySent: boolean; outcome: AttemptOutcome }
  | { kind: 'answered' | 'clientGone'; outcome: AttemptOutcome };

export class Attempt {
  private settled = false;
  private bodySent = false;
  private proxyReq: http.ClientRequest | undefined;
  private proxyRes: http.IncomingMessage | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private responseTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private resolve: (r: AttemptResult) => void = () => {};

  constructor(
    private readonly ctx: ServiceContext,
    private readonly backend: Backend,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly body: ReplayBody,
  ) {}

  run(): Promise<AttemptResult> {
    const done = new Promise<AttemptResult>((resolve) => (this.resolve = resolve));
    const { connectMs } = this.ctx.timeouts();
    this.backend.inFlight++;
    this.startedAt = this.ctx.now();
    this.connectTimer = setTimeout(() => this.fail(timeoutError('connect', connectMs)), connectMs);
    const buffer = this.body.open();
    try {
      this.ctx.proxy.web(
        this.req,
        this.res,
        { target: this.backend.url.href, agent: this.ctx.agents.get(this.backend), selfHandleResponse: true, buffer, [CALL_KEY]: this } as object,
        (err) => this.onProxyError(err),
      );
    } catch (err) {
      this.fail(err);
    }
    buffer.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      this.responseTimer?.refresh();
    });
    return done;
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
    this.settle(this.proxyRes ? 'answered' : 'clientGone', this.proxyRes ? {} : { status: CLIENT_CLOSED });
  }

  /** The upstream connection is up: the request starts to flow, and the wait for headers begins. */
  private onConnected(): void {
    if (this.settled) return;
    clearTimeout(this.connectTimer);
    this.bodySent = true;
    const { responseMs } = this.ctx.timeouts();
    // Measured from the last body byte sent, so a long upload is not cut short, but a stalled one is.
    this.responseTimer = setTimeout(() => this.fail(timeoutError('response', responseMs)), responseMs);
    this.body.start();
  }

  private onResponse(proxyRes: http.IncomingMessage): void {
    if (this.settled) {
      proxyRes.destroy();
      return;
    }
    clearTimeout(this.responseTimer);
    const now = this.ctx.now();
    this.backend.observeLatency(now - this.startedAt, now);
    const headers = downstreamResponseHeaders(proxyRes.rawHeaders, proxyRes.headers);
    if (this.ctx.draining()) headers.push('Connection', 'close');
    try {
      this.res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, headers);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.proxyRes = proxyRes;
    proxyRes.on('error', () => {}); // seen through 'close' below
    proxyRes.on('data', (chunk: Buffer) => (this.bytesOut += chunk.length));
    proxyRes.on('close', () => {
      if (!proxyRes.complete) this.cutShort('reset');
    });
    this.res.once('finish', () => {
      if (!this.settled) this.settle('answered', {});
    });
    proxyRes.pipe(this.res);
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

  private settle(kind: AttemptResult['kind'], extra: { status?: number; error?: ErrorKind }): void {
    this.settled = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.responseTimer);
    this.body.detach();
    const clean = kind === 'answered' && this.proxyRes?.complete && this.proxyReq?.writableFinished;
    // Anything less than a finished exchange leaves the upstream socket unusable: close it rather than leak it.
    if (!clean) {
      this.proxyRes?.destroy();
      this.proxyReq?.destroy();
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
