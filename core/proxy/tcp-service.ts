/**
 * The TCP (layer 4) data plane of one service: a `net` listener whose every
 * connection is bridged to one backend, picked per connection by the
 * service's strategy (`tcp-connection.ts` has a connection's life).
 *
 * The stats: TCP fills the snapshot fields HTTP fills with requests, so the
 * same charts serve both.
 * - Backend `requests` (and rps): connect attempts that ended in the tick;
 *   `latency`: their connect times; `errors.refused/timeout/other`: the
 *   failed ones; `totalRequests`: connect attempts since start.
 * - Service `requests` (and rps): client connections whose connect phase
 *   ended in the tick (connected, gave up, or the client left first);
 *   `latency`: accept to connected, retries included; `errors`: connections
 *   that got no backend after every try; `noBackend`: none was available.
 * - `inFlight`: open connections (a backend's include the one it is
 *   connecting; the service's, every accepted client connection).
 * - `bytesIn` / `bytesOut`: client to backend / backend to client, counted as
 *   they flow rather than when a connection ends, so a long session shows
 *   its throughput tick by tick.
 * - `errors.reset` (or another kind): a bridged connection the backend broke,
 *   counted on the backend and the service without a new request.
 * - `retries`: connects tried again elsewhere; `status`: unused.
 *
 * Passive health (outlier detection) sees each connect attempt: a failed
 * connect is an error, a connect a success. A bridged connection that breaks
 * later is counted in the stats only: TCP peers close abruptly for reasons
 * that say little about a backend's health. Connect retries are bounded by
 * `retries.attempts` but not by the retry budget: a connect retry forwards
 * nothing and costs one SYN, and a refusing backend is soon ejected or
 * marked down.
 *
 * Injected faults (core/faults) are drawn per connect attempt and reported
 * as the failure they stand for: `down` as a refused connect, a reset at
 * connect as a failed one (`errors.reset`; passive health counts both), a
 * blackhole as a connect, a reset after N bytes as a broken connection.
 */
import net from 'node:net';
import type { RetrySpec, TimeoutsSpec } from '../model/spec';
import { listenOn } from './listen';
import { TcpConnection, type TcpContext, type TcpServiceHooks } from './tcp-connection';

export { EARLY_BYTES_MAX, type TcpServiceHooks } from './tcp-connection';

export interface TcpServiceOptions {
  name: string;
  host: string;
  port: number;
  timeouts: TimeoutsSpec;
  retries: RetrySpec;
  hooks: TcpServiceHooks;
  now?: () => number;
  /** Draws injected faults (default Math.random). */
  random?: () => number;
}

const DEFAULT_GRACE_MS = 5000;

export class TcpService {
  private readonly server: net.Server;
  private readonly ctx: TcpContext;
  private readonly connections = new Set<TcpConnection>();
  private readonly clientSockets = new Set<net.Socket>();
  private readonly upstreamSockets = new Set<net.Socket>();
  /** One promise per open socket, settled by its 'close' event (after the connection has seen it). */
  private readonly closes = new Set<Promise<void>>();
  private timeouts: TimeoutsSpec;
  private retries: RetrySpec;
  private onIdle: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private bound: string | null = null;

  constructor(private readonly opts: TcpServiceOptions) {
    this.timeouts = opts.timeouts;
    this.retries = opts.retries;
    this.ctx = {
      hooks: guardHooks(opts.name, opts.hooks),
      now: opts.now ?? Date.now,
      random: opts.random ?? Math.random,
      timeouts: () => this.timeouts,
      retries: () => this.retries,
      trackUpstream: (socket) => this.track(this.upstreamSockets, socket),
    };
    this.server = net.createServer({ allowHalfOpen: true });
    this.server.on('connection', (socket: net.Socket) => this.onConnection(socket));
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

  /** New timeouts and retries apply to connections accepted from now on. */
  update({ timeouts, retries }: { timeouts: TimeoutsSpec; retries: RetrySpec }): void {
    this.timeouts = timeouts;
    this.retries = retries;
  }

  /**
   * Stops accepting, lets open connections run for up to `graceMs`, then
   * destroys what is left. Resolves when every socket is closed.
   */
  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  /** Open sockets right now: accepted client connections, and upstream ones (connecting ones included). */
  socketCounts(): { client: number; upstream: number } {
    return { client: this.clientSockets.size, upstream: this.upstreamSockets.size };
  }

  /** The listener's own count of open client connections. */
  serverConnections(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  /** A removed backend's grace is over: its open connections are closed. */
  forgetBackend(id: string): void {
    for (const c of this.connections) if (c.backendId === id) c.destroy();
  }

  private onConnection(socket: net.Socket): void {
    this.track(this.clientSockets, socket);
    if (this.closing) {
      socket.destroy();
      return;
    }
    const conn = new TcpConnection(this.ctx, socket, (c) => {
      this.connections.delete(c);
      if (this.connections.size === 0) this.onIdle?.();
    });
    this.connections.add(conn);
    conn.start();
  }

  private async shutdown(graceMs: number): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.bound = null;
    await this.idle(graceMs);
    for (const c of this.connections) c.destroy();
    for (const s of this.clientSockets) s.destroy();
    for (const s of this.upstreamSockets) s.destroy();
    await serverClosed;
    await Promise.all(this.closes);
  }

  private track(set: Set<net.Socket>, socket: net.Socket): void {
    set.add(socket);
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.closes.add(closed);
    void closed.then(() => {
      set.delete(socket);
      this.closes.delete(closed);
    });
  }

  /** Resolves when no connection is open, or after `ms`. */
  private async idle(ms: number): Promise<void> {
    if (this.connections.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onIdle = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.onIdle = undefined;
  }
}


/**
 * The hooks, made safe to call from socket events: a hook that throws must
 * not take the process down. A throwing `pick` counts as "none available";
 * the first failure is reported as a process warning, the rest are ignored.
 */
function guardHooks(service: string, hooks: TcpServiceHooks): TcpServiceHooks {
  let warned = false;
  const guard = <A extends unknown[], R>(name: string, fn: (...args: A) => R, fallback: R) => (...args: A): R => {
    try {
      return fn.apply(hooks, args);
    } catch (err) {
      if (!warned) {
        warned = true;
        process.emitWarning(`TcpService hook ${name} threw (service "${service}"): ${err instanceof Error ? err.message : String(err)}`);
      }
      return fallback;
    }
  };
  return {
    pick: guard('pick', hooks.pick, undefined),
    sampleConnection: hooks.sampleConnection ? guard('sampleConnection', hooks.sampleConnection, undefined) : undefined,
    requestStarted: guard('requestStarted', hooks.requestStarted, undefined),
    attemptEnded: guard('attemptEnded', hooks.attemptEnded, undefined),
    retried: guard('retried', hooks.retried, undefined),
    connectionSettled: guard('connectionSettled', hooks.connectionSettled, undefined),
    transferred: guard('transferred', hooks.transferred, undefined),
    connectionBroke: guard('connectionBroke', hooks.connectionBroke, undefined),
    connectionClosed: guard('connectionClosed', hooks.connectionClosed, undefined),
  };
}
