/**
 * The HTTP data plane of one service: a listener, one http-proxy instance and
 * a keep-alive agent per backend. Requests go through the retry loop in
 * `http-request.ts`, upgrades through `websocket.ts`. http-proxy 1.18 throws
 * on an `error` event nobody handles, so the proxy always has a listener and
 * every call passes its own error callback; every socket has an error handler.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import HttpProxy from 'http-proxy';
import { LimitsSchema, type LimitsSpec, type RetrySpec, type TimeoutsSpec } from '../model/spec';
import { AgentPool } from './agent-pool';
import { proxyRequest } from './http-request';
import { closed, listenOn } from './listen';
import { isWebSocketUpgrade, serveAsPlainRequest } from './plain-upgrade';
import type { UpstreamTls } from './upstream-tls';
import { RetryBudget } from './retry-budget';
import { CALL_KEY, guardHooks, type HttpServiceHooks, type ServiceContext } from './types';
import { proxyUpgrade } from './websocket';

export type { HttpServiceHooks } from './types';

export interface HttpServiceOptions {
  name: string;
  host: string;
  port: number;
  timeouts: TimeoutsSpec;
  retries: RetrySpec;
  /** Default: 16 KiB request heads. */
  limits?: LimitsSpec;
  /** https:// backends: the service's TLS settings, resolved once by its runtime (default: verify against the bundled CAs). */
  tls?: UpstreamTls | undefined;
  /** Rewrite redirects that point at a backend's origin (default true). */
  rewriteRedirects?: boolean;
  /** Answers name the backend and the attempts (`x-lbw-backend`, `x-lbw-attempts`), for local debugging. */
  debugHeaders?: boolean | undefined;
  hooks: HttpServiceHooks;
  now?: () => number;
  /** Draws injected faults (default Math.random). */
  random?: () => number;
}

/** Something that can take the upstream request http-proxy made for it. */
interface ProxyCall {
  onProxyReq(proxyReq: http.ClientRequest): void;
}

/** What `update()` may change live. */
export type HttpServiceSettings = Pick<HttpServiceOptions, 'timeouts' | 'retries' | 'limits' | 'tls' | 'rewriteRedirects' | 'debugHeaders'>;

const DEFAULT_GRACE_MS = 5000;
/** How often Node looks for clients that are too slow to send their headers (its default, 30 s, would make a 10 s limit 40 s). */
const CLIENT_CHECK_INTERVAL_MS = 500;
/** A safety cap on waiting for requests to notice their sockets were destroyed. */
const CUT_WAIT_MS = 5000;

export class HttpService {
  private readonly server: http.Server;
  private readonly proxy: HttpProxy;
  private readonly agents = new AgentPool();
  private readonly budget: RetryBudget;
  private readonly ctx: ServiceContext;
  private readonly clientSockets = new Set<net.Socket>();
  private readonly upstreamSockets = new Set<net.Socket>();
  private timeouts: TimeoutsSpec;
  private retries: RetrySpec;
  private rewriteRedirects: boolean;
  private debugHeaders: boolean;
  private maxHeaderBytes: number;
  private active = 0;
  private onIdle: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private bound: string | null = null;

  constructor(private readonly opts: HttpServiceOptions) {
    this.timeouts = opts.timeouts;
    this.retries = opts.retries;
    this.rewriteRedirects = opts.rewriteRedirects ?? true;
    this.debugHeaders = opts.debugHeaders ?? false;
    this.maxHeaderBytes = (opts.limits ?? LimitsSchema.parse({})).maxHeaderBytes;
    this.budget = new RetryBudget(opts.retries);
    this.agents.setTls(opts.tls);
    this.proxy = createProxy();
    this.ctx = {
      name: opts.name,
      proxy: this.proxy,
      hooks: guardHooks(opts.hooks),
      agents: this.agents,
      budget: this.budget,
      now: opts.now ?? Date.now,
      random: opts.random ?? Math.random,
      timeouts: () => this.timeouts,
      retries: () => this.retries,
      rewriteRedirects: () => this.rewriteRedirects,
      debugHeaders: () => this.debugHeaders,
      maxHeaderBytes: () => this.maxHeaderBytes,
      draining: () => this.closing !== undefined,
      trackUpstream: (socket) => this.track(this.upstreamSockets, socket),
    };

    this.server = http.createServer({
      maxHeaderSize: this.maxHeaderBytes,
      headersTimeout: opts.timeouts.clientHeadersMs,
      // A whole request may take as long as its body keeps moving: stalls are the response timeout's job.
      requestTimeout: 0,
      connectionsCheckingInterval: CLIENT_CHECK_INTERVAL_MS,
    });
    this.server.on('connection', (socket: net.Socket) => this.track(this.clientSockets, socket));
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res));
    // `Expect: 100-continue` goes to the backend, whose 100 (or final answer) the client waits for.
    this.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => refuseConnect(socket));
  }

  /** The bound `host:port` (IPv6 in brackets), or null when not listening. */
  get address(): string | null {
    return this.bound;
  }

  async listen(): Promise<{ address: string; port: number }> {
    const bound = await listenOn(this.server, this.opts.host, this.opts.port);
    this.bound = bound.address;
    return bound;
  }

  /**
   * Applies settings live: each new attempt takes the current timeouts, each
   * new request the retry and redirect settings, each new client connection
   * the header limits, each new upstream connection the TLS settings.
   */
  update({ timeouts, retries, limits, tls, rewriteRedirects, debugHeaders }: HttpServiceSettings): void {
    this.timeouts = timeouts;
    this.retries = retries;
    this.rewriteRedirects = rewriteRedirects ?? true;
    this.debugHeaders = debugHeaders ?? false;
    this.budget.update(retries);
    this.server.headersTimeout = timeouts.clientHeadersMs;
    if (limits) {
      this.maxHeaderBytes = limits.maxHeaderBytes;
      (this.server as http.Server & { maxHeaderSize: number }).maxHeaderSize = limits.maxHeaderBytes;
    }
    this.agents.setTls(tls);
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for up to
   * `graceMs`, then destroys every remaining socket and the agents. Resolves
   * when every client and upstream socket is closed.
   */
  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  /** Open sockets right now: client connections, and upstream ones (pooled keep-alive sockets included). */
  socketCounts(): { client: number; upstream: number } {
    return { client: this.clientSockets.size, upstream: this.upstreamSockets.size };
  }

  /** Destroys a removed backend's keep-alive agent and its pooled connections. */
  forgetBackend(id: string): void {
    this.agents.forget(id);
  }

  private async shutdown(graceMs: number): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.bound = null;
    this.server.closeIdleConnections();
    await this.idle(graceMs);
    for (const s of this.clientSockets) s.destroy();
    for (const s of this.upstreamSockets) s.destroy();
    this.agents.destroyAll();
    // With their sockets gone, the remaining requests end at once (each reports its outcome).
    await this.idle(CUT_WAIT_MS);
    await serverClosed;
    await Promise.all([...this.clientSockets, ...this.upstreamSockets].map(closed));
  }

  /** Resolves when no request or tunnel is running, or after `ms`. */
  private async idle(ms: number): Promise<void> {
    if (this.active === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onIdle = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.onIdle = undefined;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url === '*') return answerAsterisk(req, res);
    this.begin();
    void proxyRequest(this.ctx, req, res).then(this.requestDone);
  }

  /** Made once: ends each request's count (proxyRequest never rejects). */
  private readonly requestDone = (): void => this.end();

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (!isWebSocketUpgrade(req)) {
      serveAsPlainRequest(this.server, req, socket, head);
      return;
    }
    this.begin();
    socket.once('close', () => this.end());
    try {
      proxyUpgrade(this.ctx, req, socket, head);
    } catch {
      socket.destroy();
    }
  }

  private begin(): void {
    this.active++;
  }

  private end(): void {
    this.active--;
    if (this.closing) {
      // Connections that just went idle would otherwise wait for the keep-alive timeout.
      setImmediate(() => this.server.closeIdleConnections());
      if (this.active === 0) this.onIdle?.();
    }
  }

  private track(set: Set<net.Socket>, socket: net.Socket): void {
    if (set.has(socket)) return;
    set.add(socket);
    socket.on('error', () => {}); // Node reports client resets here; nothing to do but let it close
    socket.once('close', () => set.delete(socket));
  }
}

const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * `OPTIONS *` asks about the server itself, which here is the balancer: it
 * answers for itself (200 with Allow), as no single backend can. Any other
 * method on `*` is malformed (RFC 9112 §3.2.4): 400.
 */
function answerAsterisk(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.on('error', () => {});
  req.resume();
  if (req.method === 'OPTIONS') {
    res.writeHead(200, { allow: METHODS, 'content-length': 0 }).end();
    return;
  }
  const body = `${req.method} * is not a valid request: only OPTIONS may ask about "*"\n`;
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-lb-error': 'INPUT_INVALID' }).end(body);
}

/** A reverse proxy is no tunnel: CONNECT gets a clear 405 and the connection closes. */
function refuseConnect(socket: Duplex): void {
  socket.on('error', () => {});
  const body = 'CONNECT is not supported: this is a reverse proxy, not a forward proxy\n';
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${METHODS}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Lb-Error: INPUT_INVALID\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 2000).unref();
}

/**
 * One http-proxy instance with the guards it needs: an `error` listener
 * (without one it throws), and the `deleteLength` pass removed (it rewrites a
 * chunked DELETE/OPTIONS body to `Content-Length: 0`; Node frames bodies itself).
 */
function createProxy(): HttpProxy {
  const proxy = HttpProxy.createProxyServer({ xfwd: true, changeOrigin: false });
  const passes = proxy as unknown as { webPasses: Array<{ name: string }> };
  passes.webPasses = passes.webPasses.filter((p) => p.name !== 'deleteLength');
  proxy.on('error', (_err: Error, _req: http.IncomingMessage, res: http.ServerResponse | net.Socket) => {
    // Only reached for calls without a callback, which this service never makes; close whatever it was.
    res?.destroy();
  });
  const route = (proxyReq: http.ClientRequest, options: object) => (options as Record<string, ProxyCall | undefined>)[CALL_KEY]?.onProxyReq(proxyReq);
  proxy.on('proxyReq', (proxyReq: http.ClientRequest, _req: http.IncomingMessage, _res: http.ServerResponse, options: object) => route(proxyReq, options));
  proxy.on('proxyReqWs', (proxyReq: http.ClientRequest, _req: http.IncomingMessage, _socket: net.Socket, options: object) => route(proxyReq, options));
  return proxy;
}
