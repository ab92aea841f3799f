/**
 * One client connection through a TCP service, in two phases.
 *
 * Connecting: a bounded loop picks a backend not tried yet and connects to
 * it, within `timeouts.connectMs`. A failed connect is tried on another
 * backend, up to `retries.attempts` tries in all: nothing has been forwarded
 * yet, so a retry is always safe. Meanwhile the client's first bytes are read
 * into a small buffer (at most EARLY_BYTES_MAX; past it the client is paused
 * and TCP flow control holds the rest), so a client that speaks first, or
 * sends and half-closes at once, loses nothing and a client that leaves is
 * noticed.
 *
 * Bridged: the early bytes go out first, then both directions are piped
 * (pipe's backpressure: a slow reader pauses the other side). Both sockets
 * allow half-open connections, so a FIN from one side is forwarded as a FIN
 * to the other (pipe ends its destination) and the other direction keeps
 * flowing; each socket closes once it has both received and sent a FIN. A
 * socket that closes any other way (an error, a reset, an idle timeout, a
 * destroy) takes the other one with it: an error is passed on as a reset, so
 * the peer learns the stream was cut rather than finished.
 *
 * The backend counts the connection as in flight from the start of its
 * connect until both sockets have closed; the connection reports through the
 * hooks as described in tcp-service.ts.
 *
 * Injected faults (core/faults) are drawn once per connect attempt, from the
 * backend being tried, and keep for the connection's life; a later change
 * applies to new connections. They act where the real failure would, and are
 * reported as it would be: `down` fails the connect as refused (tried on
 * another backend); connect latency waits before dialling, within
 * `connectMs`; a reset at connect fails the attempt and resets the client
 * (no other backend: it is as if the backend accepted and reset); a
 * blackhole reports a connect and then connects nothing, forwards nothing,
 * and closes the client after `idleMs` (not restarted by the client's
 * bytes: nothing moves on the backend's side). The rest shape the bridged
 * stream (core/faults/stream.ts); a reset after N bytes lets N bytes reach
 * the client, then resets both sides and counts as a broken connection.
 */
import net from 'node:net';
import type { Transform } from 'node:stream';
import { faultError, type FaultPlan } from '../faults/fault-set';
import { streamShapers } from '../faults/stream';
import { targetOf } from '../health/probe';
import type { Backend } from '../model/backend';
import type { RetrySpec, TimeoutsSpec } from '../model/spec';
import type { AttemptOutcome, ErrorKind } from '../stats/types';
import type { RequestOutcome } from '../stats/counters';
import type { PickRequest } from '../strategies/types';
import type { PickTrace } from '../strategies/reason';
import type { RequestTrace } from '../lab/request-trace';
import { chain, flushed, halfClosedBothWays, resetQuietly } from './tcp-sockets';
import { errorKind, timeoutError } from './upstream-errors';

/** Client bytes kept while the backend connection is being made; past this the client is paused. */
export const EARLY_BYTES_MAX = 64 * 1024;

export interface TcpServiceHooks {
  /** Chooses a backend, excluding ids already tried for this connection; undefined = none available. */
  pick(req: PickRequest, exclude: ReadonlySet<string>, trace?: PickTrace): Backend | undefined;
  /** A trace of this connection's picks when the lab samples it (decisions only: the access log is per HTTP request). */
  sampleConnection?(): RequestTrace | undefined;
  /** A client connection was accepted (it counts as open until `connectionClosed`). */
  requestStarted(): void;
  /** One connect attempt to a backend ended: connected (latencyMs = connect time) or failed (`error`). */
  attemptEnded(backend: Backend, outcome: AttemptOutcome): void;
  /** The connection is tried on another backend after its connect to `backend` failed. */
  retried(backend: Backend): void;
  /**
   * The client connection reached a backend, or gave up (`error`, or
   * `noBackend`): once per connection, latencyMs = accept to connected.
   */
  connectionSettled(outcome: RequestOutcome): void;
  /** Bytes forwarded on a bridged connection: in = client to backend, out = backend to client. */
  transferred(backend: Backend, bytesIn: number, bytesOut: number): void;
  /** A bridged connection broke on the backend's side: reset, or another socket error. */
  connectionBroke(backend: Backend, kind: ErrorKind): void;
  /** The client connection closed, both sockets are gone. */
  connectionClosed(): void;
}

/** What the connections of one service share. */
export interface TcpContext {
  readonly hooks: TcpServiceHooks;
  now(): number;
  /** Uniform in [0, 1): draws injected faults. */
  random(): number;
  timeouts(): TimeoutsSpec;
  retries(): RetrySpec;
  /** Remembers an upstream socket so the service can wait for it when closing. */
  trackUpstream(socket: net.Socket): void;
}

type ConnectResult =
  | { kind: 'connected'; socket: net.Socket; plan: FaultPlan | undefined }
  /** An injected blackhole: reported as connected, with nothing behind it. */
  | { kind: 'blackholed' }
  /** `final`: an injected reset, which the client gets rather than another backend. */
  | { kind: 'failed'; error: ErrorKind; final?: boolean }
  | { kind: 'cancelled' };

const NO_HEADERS: PickRequest['headers'] = Object.freeze({});

export class TcpConnection {
  private readonly acceptedAt: number;
  private early: Buffer[] = [];
  private earlyBytes = 0;
  /** The client sent its FIN before the bridge was up. */
  private clientEnded = false;
  private clientClosed = false;
  private connecting = true;
  private settled = false;
  private finished = false;
  /** The backend holding this connection in its in-flight count (connecting or bridged). */
  private backend: Backend | undefined;
  private upstream: net.Socket | undefined;
  private upstreamClosed = false;
  private upstreamError: unknown;
  /** An injected reset already reported the connection broken. */
  private broke = false;
  private cancelConnect: (() => void) | undefined;
  /** Injected stream faults between the sockets (both directions); destroyed when the connection finishes. */
  private shapers: Transform[] = [];
  /** Closes a blackholed client after idleMs. */
  private holeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: TcpContext,
    private readonly client: net.Socket,
    private readonly onFinished: (c: TcpConnection) => void,
  ) {
    this.acceptedAt = ctx.now();
  }

  start(): void {
    const client = this.client;
    client.setNoDelay(true);
    client.on('error', () => {}); // seen through 'close'
    client.on('data', this.onEarlyData);
    client.on('end', this.onEarlyEnd);
    client.once('close', (hadError: boolean) => this.onClientClose(hadError));
    this.ctx.hooks.requestStarted();
    this.connectLoop()
      .catch(() => this.client.destroy())
      .finally(() => {
        this.connecting = false;
        this.maybeFinish();
      });
  }

  /** Drops both sides now (the service is shutting down). */
  /** The backend this connection is bridged to (or connecting to), if any. */
  get backendId(): string | undefined {
    return this.backend?.id;
  }

  destroy(): void {
    this.cancelConnect?.();
    this.upstream?.destroy();
    this.client.destroy();
  }

  private readonly onEarlyData = (chunk: Buffer): void => {
    this.early.push(chunk);
    this.earlyBytes += chunk.length;
    if (this.earlyBytes >= EARLY_BYTES_MAX) this.client.pause();
  };

  private readonly onEarlyEnd = (): void => {
    this.clientEnded = true;
  };

  /** Tries backends until one connects, within `retries.attempts`. */
  private async connectLoop(): Promise<void> {
    const maxAttempts = this.ctx.retries().attempts;
    const req: PickRequest = { clientAddress: this.client.remoteAddress ?? '', headers: NO_HEADERS };
    const tried = new Set<string>();
    let last: { backend: Backend; error: ErrorKind } | undefined;
    // A sampled connection records its picks and connect outcomes (core/lab); ended once the loop is left.
    const trace = this.ctx.hooks.sampleConnection?.();
    try {
      for (let attempt = 1; ; attempt++) {
        if (this.clientClosed) return this.settle({});
        const backend = this.ctx.hooks.pick(req, tried, trace?.nextPick());
        trace?.picked(backend);
        if (!backend) return this.giveUp(last ? { error: last.error } : { noBackend: true });
        if (last) this.ctx.hooks.retried(last.backend);
        tried.add(backend.id);
        const result = await this.connect(backend);
        trace?.attempted(backend, result.kind === 'failed' ? { error: result.error } : { clientGone: result.kind === 'cancelled' });
        if (result.kind === 'connected') return this.bridge(backend, result.socket, result.plan);
        if (result.kind === 'blackholed') return this.blackhole();
        if (result.kind === 'cancelled') return this.settle({});
        last = { backend, error: result.error };
        if (result.final || attempt >= maxAttempts) return this.giveUp({ error: result.error });
      }
    } finally {
      trace?.end(0, 0);
    }
  }

  /**
   * One connect attempt, after the backend's injected faults (drawn here);
   * the backend holds the connection in flight while it runs, and after it
   * succeeds. The connect timeout runs from the start, injected delay included.
   */
  private connect(backend: Backend): Promise<ConnectResult> {
    const { hooks } = this.ctx;
    const plan = backend.faults.plan(() => this.ctx.random());
    if (plan?.answer?.kind === 'refuse') {
      const error = errorKind(faultError('refuse', backend.name));
      backend.observeFailure(this.ctx.timeouts().connectMs, this.ctx.now());
      hooks.attemptEnded(backend, { latencyMs: 0, error, bytesIn: 0, bytesOut: 0 });
      return Promise.resolve({ kind: 'failed', error });
    }
    const { connectMs } = this.ctx.timeouts();
    const { host, port } = targetOf(backend.url);
    const startedAt = this.ctx.now();
    backend.inFlight++;
    this.backend = backend;

    return new Promise<ConnectResult>((resolve) => {
      let socket: net.Socket | undefined;
      let delay: NodeJS.Timeout | undefined;
      let done = false;
      const end = (result: ConnectResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(delay);
        socket?.off('connect', onConnect);
        socket?.off('error', onError);
        socket?.off('close', onClose);
        this.cancelConnect = undefined;
        const now = this.ctx.now();
        const latencyMs = now - startedAt;
        if (result.kind === 'connected' || result.kind === 'blackholed') {
          backend.observeLatency(latencyMs, now);
          hooks.attemptEnded(backend, { latencyMs, bytesIn: 0, bytesOut: 0 });
        } else {
          socket?.destroy();
          backend.inFlight--;
          this.backend = undefined;
          // A client that left is not the backend's failure: nothing is reported for a cancelled attempt.
          if (result.kind === 'failed') {
            // A failed connect is a slow one to latency-aware strategies, so a fast-failing backend does not look fast.
            backend.observeFailure(connectMs, now);
            hooks.attemptEnded(backend, { latencyMs, error: result.error, bytesIn: 0, bytesOut: 0 });
          }
        }
        resolve(result);
      };
      const fail = (err: unknown, final = false) => end({ kind: 'failed', error: errorKind(err), final });
      const onConnect = () => end({ kind: 'connected', socket: socket!, plan });
      const onError = (err: Error) => fail(err);
      const onClose = () => fail(new Error('connection closed while connecting'));
      const dial = () => {
        if (plan?.answer?.kind === 'hang') return end({ kind: 'blackholed' });
        if (plan?.answer?.kind === 'reset') return fail(faultError('reset', backend.name), true);
        try {
          socket = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
        } catch (err) {
          return fail(err);
        }
        socket.on('error', () => {}); // a destroyed socket may still report; the handlers below decide
        this.ctx.trackUpstream(socket);
        socket.once('connect', onConnect);
        socket.once('error', onError);
        socket.once('close', onClose);
      };
      const timer = setTimeout(() => fail(timeoutError('connect', connectMs)), connectMs);
      this.cancelConnect = () => end({ kind: 'cancelled' });
      if (plan && plan.delayMs > 0) delay = setTimeout(dial, plan.delayMs);
      else dial();
    });
  }

  /** Connected: the early bytes go first, then both directions are piped (through the injected stream faults, if any). */
  private bridge(backend: Backend, upstream: net.Socket, plan: FaultPlan | undefined): void {
    const { client, ctx } = this;
    const hooks = ctx.hooks;
    this.upstream = upstream;
    this.settle({});
    upstream.on('error', (err) => (this.upstreamError ??= err));
    upstream.once('close', (hadError: boolean) => this.onUpstreamClose(hadError));
    if (this.clientClosed) {
      // The client left between the connect and now.
      upstream.destroy();
      return;
    }

    client.pause();
    client.off('data', this.onEarlyData);
    client.off('end', this.onEarlyEnd);
    const { toBackend, toClient } = streamShapers(plan, () => ctx.random(), () => this.cutInjected(backend));
    this.shapers = [...toBackend, ...toClient];
    for (const s of this.shapers) s.on('error', () => {}); // they only fail once destroyed; the sockets decide
    // Bytes count as transferred when they leave for the other side: after the faults, which may hold or drop them.
    const toUpstream = chain(toBackend, upstream);
    (toBackend.at(-1) ?? client).on('data', (chunk: Buffer) => hooks.transferred(backend, chunk.length, 0));
    (toClient.at(-1) ?? upstream).on('data', (chunk: Buffer) => hooks.transferred(backend, 0, chunk.length));

    for (const chunk of this.early) toUpstream.write(chunk);
    if (this.earlyBytes > 0 && toBackend.length === 0) hooks.transferred(backend, this.earlyBytes, 0);
    this.early = [];
    // A client that already sent its FIN has nothing more to pipe: pass the FIN on.
    if (this.clientEnded) toUpstream.end();
    else client.pipe(toUpstream);
    upstream.pipe(chain(toClient, client));

    const { idleMs } = ctx.timeouts();
    if (idleMs > 0) {
      // Each socket's timer restarts on its reads and writes, so either direction moving keeps the connection.
      const onIdle = () => {
        client.destroy();
        upstream.destroy();
      };
      client.setTimeout(idleMs, onIdle);
      upstream.setTimeout(idleMs, onIdle);
    }
  }

  /**
   * An injected blackhole: the client stays connected to nothing. Its bytes
   * are read and dropped (so its leaving is noticed), and it is closed after
   * idleMs unless it leaves first.
   */
  private blackhole(): void {
    this.settle({});
    const client = this.client;
    if (this.clientClosed) return;
    client.off('data', this.onEarlyData);
    client.off('end', this.onEarlyEnd);
    this.early = [];
    client.on('data', () => {});
    client.resume();
    const { idleMs } = this.ctx.timeouts();
    if (idleMs > 0) this.holeTimer = setTimeout(() => client.destroy(), idleMs);
  }

  /** The client was sent its after-bytes share: once that is out, both sides are reset. */
  private cutInjected(backend: Backend): void {
    const { client, upstream } = this;
    setImmediate(() => {
      void Promise.all([flushed(client), upstream ? flushed(upstream) : undefined]).then(() => {
        if (this.finished || client.destroyed) return;
        this.broke = true;
        this.ctx.hooks.connectionBroke(backend, 'reset');
        resetQuietly(client);
        if (upstream) resetQuietly(upstream);
      });
    });
  }

  private giveUp(outcome: { error?: ErrorKind; noBackend?: boolean }): void {
    this.settle(outcome);
    // A reset says "no service" more plainly than a clean close would.
    resetQuietly(this.client);
  }

  /** Reports the end of the connect phase, once. */
  private settle(outcome: { error?: ErrorKind; noBackend?: boolean }): void {
    if (this.settled) return;
    this.settled = true;
    this.ctx.hooks.connectionSettled({ latencyMs: this.ctx.now() - this.acceptedAt, bytesIn: 0, bytesOut: 0, ...outcome });
  }

  private onClientClose(hadError: boolean): void {
    this.clientClosed = true;
    clearTimeout(this.holeTimer);
    this.cancelConnect?.();
    const up = this.upstream;
    if (up && !up.destroyed) {
      if (hadError) resetQuietly(up);
      else if (!halfClosedBothWays(this.client)) up.destroy();
      // Otherwise the upstream is finishing its own half-close (bounded by its idle timer).
    }
    this.maybeFinish();
  }

  private onUpstreamClose(hadError: boolean): void {
    this.upstreamClosed = true;
    if (hadError && this.backend && !this.broke) this.ctx.hooks.connectionBroke(this.backend, errorKind(this.upstreamError));
    const client = this.client;
    if (!client.destroyed) {
      if (hadError) resetQuietly(client);
      else if (!halfClosedBothWays(this.upstream!)) client.destroy();
    }
    this.maybeFinish();
  }

  /** Both sockets closed and the connect loop is over: the backend lets go, and the connection is reported closed. */
  private maybeFinish(): void {
    if (this.finished || this.connecting || !this.clientClosed) return;
    if (this.upstream && !this.upstreamClosed) return;
    this.finished = true;
    for (const s of this.shapers) s.destroy();
    if (this.backend) {
      this.backend.inFlight--;
      this.backend = undefined;
    }
    this.settle({});
    this.ctx.hooks.connectionClosed();
    this.onFinished(this);
  }
}
