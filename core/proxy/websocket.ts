/**
 * A WebSocket (HTTP upgrade) through the service: one backend, picked like
 * any request, never retried. Other upgrades never get here (plain-upgrade.ts
 * serves them as plain requests). An open tunnel with no byte either way for
 * `timeouts.idleMs` is closed, counted as a timeout. http-proxy pipes the two sockets together but
 * leaves gaps: before the upgrade nothing listens for errors on the client
 * socket (Node removes its own listener on 'upgrade'), and on an error it only
 * half-closes the other side. Here both sockets get error handlers and are
 * destroyed together, and the backend counts the tunnel as in flight while
 * it is open.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Backend } from '../model/backend';
import type { AttemptOutcome } from '../stats/types';
import { Deadline, type Phase, type TimeoutOwner } from './deadline';
import { upstreamUpgradeHeaders } from './hop-by-hop';
import { CALL_KEY, CLIENT_CLOSED, type ServiceContext } from './types';
import { errorKind, failureAnswer, noBackendAnswer, timeoutError, type FailureAnswer } from './upstream-errors';

/** How long a refused or declined upgrade's answer may take to flush before the socket is dropped. */
const FLUSH_WAIT_MS = 2000;

export function proxyUpgrade(ctx: ServiceContext, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => {}); // handled through 'close'
  ctx.hooks.requestStarted();
  const headers = req.headers;
  const backend = ctx.hooks.pick({ clientAddress: req.socket.remoteAddress ?? '', headers }, new Set());
  if (!backend) {
    const answer = noBackendAnswer(ctx.name);
    rejectUpgrade(socket, answer);
    ctx.hooks.requestEnded({ status: answer.status, noBackend: true, latencyMs: 0, bytesIn: 0, bytesOut: answer.body.length });
    return;
  }
  new WsTunnel(ctx, backend, req, socket).run(head);
  req.headers = headers;
}

class WsTunnel implements TimeoutOwner {
  private handshakeDone = false;
  private readonly idle = new Deadline(this);
  private closed = false;
  private proxyReq: http.ClientRequest | undefined;
  private upstream: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly backend: Backend,
    private readonly req: http.IncomingMessage,
    private readonly socket: Duplex,
  ) {}

  run(head: Buffer): void {
    const { connectMs, responseMs } = this.ctx.timeouts();
    this.backend.inFlight++;
    this.startedAt = this.ctx.now();
    this.socket.on('close', () => this.close());
    this.timer = setTimeout(() => this.fail(timeoutError('WebSocket handshake', connectMs + responseMs)), connectMs + responseMs);
    this.req.headers = upstreamUpgradeHeaders(this.req.headers);
    try {
      // No agent: an upgraded connection leaves any pool, so it gets a connection of its own.
      this.ctx.proxy.ws(this.req, this.socket, head, { target: this.backend.url.href, [CALL_KEY]: this } as object, (err) => this.fail(err));
    } catch (err) {
      this.fail(err);
    }
  }

  /** http-proxy made the upstream request (its `proxyReqWs` event, emitted at once). */
  onProxyReq(proxyReq: http.ClientRequest): void {
    this.proxyReq = proxyReq;
    if (this.closed) {
      proxyReq.destroy();
      return;
    }
    proxyReq.on('socket', (s: net.Socket) => this.ctx.trackUpstream(s));
    proxyReq.on('upgrade', (res: http.IncomingMessage, upstream: net.Socket) => this.onUpgrade(res, upstream));
    // The backend declined the upgrade; http-proxy relays its answer and ends the client socket.
    proxyReq.on('response', (res: http.IncomingMessage) => {
      this.report({ status: res.statusCode ?? 502 });
      res.on('error', () => {});
      res.on('close', () => this.close());
    });
  }

  private onUpgrade(res: http.IncomingMessage, upstream: net.Socket): void {
    this.upstream = upstream;
    upstream.on('error', () => {}); // handled through 'close'
    upstream.on('close', () => this.close());
    if (this.closed) {
      upstream.destroy();
      return;
    }
    const now = this.ctx.now();
    this.backend.observeLatency(now - this.startedAt, now);
    this.report({ status: res.statusCode ?? 101 });
    const { idleMs } = this.ctx.timeouts();
    if (idleMs > 0) {
      this.idle.set('idle', idleMs, idleMs);
      // Extra listeners beside http-proxy's pipes: they only move the deadline.
      const seen = () => this.idle.extend('idle', idleMs);
      upstream.on('data', seen);
      this.socket.on('data', seen);
    }
  }

  /** No byte either way for idleMs: the tunnel closes, a timeout for the backend. */
  timedOut(_phase: Phase, limitMs: number): void {
    if (this.closed) return;
    this.ctx.hooks.tunnelTimedOut?.(this.backend, limitMs);
    this.close();
  }

  private fail(err: unknown): void {
    if (this.handshakeDone) return this.close();
    const kind = this.closed ? undefined : errorKind(err);
    if (!kind) return;
    const answer = failureAnswer(this.ctx.name, kind);
    this.report({ status: answer.status, error: kind }, { error: kind });
    rejectUpgrade(this.socket, answer);
    this.close();
  }

  /** Reports the handshake once: to the attempt hook with the backend's side, to the request hook with the client's. */
  private report(client: { status: number; error?: AttemptOutcome['error'] }, attempt: { error?: AttemptOutcome['error'] } = client): void {
    if (this.handshakeDone) return;
    this.handshakeDone = true;
    clearTimeout(this.timer);
    const base = { latencyMs: this.ctx.now() - this.startedAt, bytesIn: 0, bytesOut: 0 };
    this.ctx.hooks.attemptEnded(this.backend, { ...base, ...attempt, ...(attempt.error ? {} : { status: client.status }) });
    this.ctx.hooks.requestEnded({ ...base, ...client });
  }

  /** Either side closed or failed: both go, and the backend's in-flight count drops once. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.idle.clear();
    if (!this.handshakeDone) this.report({ status: CLIENT_CLOSED });
    this.proxyReq?.destroy();
    this.upstream?.destroy();
    // A relayed or error answer may still be flushing: let it go out first.
    if (this.socket.writableEnded) destroyWhenFlushed(this.socket);
    else this.socket.destroy();
    this.backend.inFlight--;
  }
}

/** Answers a refused upgrade with a plain HTTP error, then closes the socket. */
function rejectUpgrade(socket: Duplex, answer: FailureAnswer): void {
  if (socket.destroyed) return;
  const reason = http.STATUS_CODES[answer.status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${answer.status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(answer.body)}\r\n` +
      `X-Lb-Error: ${answer.code}\r\nConnection: close\r\n\r\n${answer.body}`,
  );
  destroyWhenFlushed(socket);
}

/** Destroys an ended socket once its last bytes are out, or after a short wait if the peer does not read. */
function destroyWhenFlushed(socket: Duplex): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), FLUSH_WAIT_MS);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
}
