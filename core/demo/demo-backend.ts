/**
 * A demo backend: a real HTTP server on 127.0.0.1, started in-process, that
 * behaves like a service worth balancing. It answers after a modelled latency
 * (see ./latency), fails a set share of requests, and serves at most
 * `capacity` requests at once; the rest wait in a FIFO queue rather than
 * being refused, so under overload its latency grows the way a real
 * server's does. Every answer carries `x-demo-backend: <name>` so a client
 * can tell which backend served it.
 *
 * `GET /health` follows the `healthy` flag (200 `ok`, or 503) and skips the
 * latency, the error injection and the queue; `healthy: false` changes only
 * the health endpoint, so what a balancer sees is its health checker's doing.
 * Everything can be changed live with `update()`.
 */
import http from 'node:http';
import type net from 'node:net';
import { LbError } from '../model/errors';
import { parseOrThrow } from '../model/validate';
import { sampleLatency, type LatencyInput } from './latency';
import { DemoBackendSpecSchema, type DemoBackendInput, type DemoBackendSpec } from './spec';

export { DemoBackendSpecSchema, type DemoBackendInput, type DemoBackendSpec } from './spec';

const HOST = '127.0.0.1';
/** What a health check costs: not nothing, but never the modelled latency. */
const HEALTH_COST_MS = 1;

/** What `update()` may change: anything but the name and the port; `latency` merges field by field. */
export type DemoBackendUpdate = Partial<Omit<DemoBackendInput, 'name' | 'port' | 'latency'>> & {
  latency?: Partial<LatencyInput>;
};

export interface DemoBackendDeps {
  /** Uniform in [0, 1); drives latency samples and error injection (default Math.random). */
  random?: () => number;
}

export interface DemoBackendStats {
  name: string;
  colour: string;
  /** Where it listens, or undefined while stopped. */
  url: string | undefined;
  healthy: boolean;
  /** Requests answered, health checks excluded. */
  served: number;
  /** Answers by status code, health checks excluded. */
  byStatus: Record<string, number>;
  /** Request body bytes read (and discarded). */
  bodyBytes: number;
  /** Requests holding a capacity slot now. */
  inFlight: number;
  /** Requests waiting for a slot now. */
  queued: number;
  healthChecks: number;
}

/** A request waiting for a capacity slot; `cancelled` when its client left first. */
interface Waiting {
  run: () => void;
  state: 'waiting' | 'running' | 'cancelled';
}

export class DemoBackend {
  private current: DemoBackendSpec;
  private readonly random: () => number;
  private server: http.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** The port last bound, reused on a restart so a balancer's URL stays valid. */
  private boundPort = 0;
  /** Bumped by stop(): callbacks of requests from before a stop change nothing. */
  private epoch = 0;
  private arrived = 0;
  private served = 0;
  private readonly byStatus = new Map<number, number>();
  private bodyBytes = 0;
  private healthChecks = 0;
  private active = 0;
  private waiting: Waiting[] = [];
  private queued = 0;

  constructor(spec: DemoBackendInput, deps: DemoBackendDeps = {}) {
    this.current = parseOrThrow(DemoBackendSpecSchema, spec);
    this.random = deps.random ?? Math.random;
  }

  get spec(): DemoBackendSpec {
    return { ...this.current, latency: { ...this.current.latency } };
  }

  get name(): string {
    return this.current.name;
  }

  get port(): number | undefined {
    return this.server ? this.boundPort : undefined;
  }

  get url(): string | undefined {
    return this.server ? `http://${HOST}:${this.boundPort}` : undefined;
  }

  /**
   * Starts listening (on `spec.port`, or where it last listened, or a free
   * port). Starting a running backend answers where it already listens.
   */
  async start(): Promise<{ url: string; port: number }> {
    if (!this.server) {
      const server = http.createServer((req, res) => this.handle(req, res));
      server.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
      const port = this.current.port || this.boundPort;
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'EADDRINUSE' ? new LbError('PORT_IN_USE', `demo backend "${this.name}": port ${port} is already in use`) : err),
        );
        server.listen(port, HOST, () => resolve());
      });
      this.boundPort = (server.address() as net.AddressInfo).port;
      this.server = server;
    }
    return { url: this.url!, port: this.boundPort };
  }

  /** Stops listening and drops every connection, in-flight and idle keep-alive ones alike. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.epoch += 1;
    this.active = 0;
    this.waiting = [];
    this.queued = 0;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Changes the spec live; requests already being served keep their drawn latency. */
  update(patch: DemoBackendUpdate): DemoBackendSpec {
    const raw = patch as Record<string, unknown>;
    if (raw.name !== undefined && raw.name !== this.current.name) {
      throw new LbError('INPUT_INVALID', `a demo backend cannot be renamed; remove "${this.current.name}" and add a new one`);
    }
    if (raw.port !== undefined && raw.port !== this.current.port) {
      throw new LbError('INPUT_INVALID', `the port of demo backend "${this.current.name}" cannot change while it exists`);
    }
    this.current = parseOrThrow(DemoBackendSpecSchema, {
      ...this.current,
      ...patch,
      name: this.current.name,
      port: this.current.port,
      latency: { ...this.current.latency, ...patch.latency },
    });
    this.drain(); // a larger capacity admits waiting requests now
    return this.spec;
  }

  stats(): DemoBackendStats {
    return {
      name: this.current.name,
      colour: this.current.colour,
      url: this.url,
      healthy: this.current.healthy,
      served: this.served,
      byStatus: Object.fromEntries(this.byStatus),
      bodyBytes: this.bodyBytes,
      inFlight: this.active,
      queued: this.queued,
      healthChecks: this.healthChecks,
    };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.setHeader('x-demo-backend', this.current.name);
    const path = req.url ?? '/';
    const epoch = this.epoch;
    req.on('data', (chunk: Buffer) => {
      if (epoch === this.epoch) this.bodyBytes += chunk.length;
    });
    if (path === '/health' || path.startsWith('/health?')) {
      req.on('end', () => setTimeout(() => this.answerHealth(res, epoch), HEALTH_COST_MS));
      return;
    }
    const n = ++this.arrived;
    // Like a real server, read the whole body before working on the request.
    req.on('end', () => this.admit(epoch, res, () => this.serve(epoch, req, res, n)));
  }

  private answerHealth(res: http.ServerResponse, epoch: number): void {
    if (res.destroyed || epoch !== this.epoch) return;
    this.healthChecks += 1;
    const healthy = this.current.healthy;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(healthy ? 'ok' : 'unhealthy');
  }

  /** Runs `serve` in a free capacity slot, or queues it (FIFO) until one frees up. */
  private admit(epoch: number, res: http.ServerResponse, serve: () => void): void {
    if (epoch !== this.epoch || res.destroyed) return;
    if (this.active < this.current.capacity) {
      this.active += 1;
      serve();
      return;
    }
    const entry: Waiting = { run: serve, state: 'waiting' };
    this.waiting.push(entry);
    this.queued += 1;
    res.on('close', () => {
      if (epoch !== this.epoch || entry.state !== 'waiting') return;
      entry.state = 'cancelled';
      this.queued -= 1;
    });
  }

  /** Hands free slots to waiting requests, oldest first. */
  private drain(): void {
    while (this.active < this.current.capacity && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (next.state === 'cancelled') continue;
      next.state = 'running';
      this.queued -= 1;
      this.active += 1;
      next.run();
    }
  }

  private release(epoch: number): void {
    if (epoch !== this.epoch) return;
    this.active -= 1;
    this.drain();
  }

  private serve(epoch: number, req: http.IncomingMessage, res: http.ServerResponse, n: number): void {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(epoch);
    };
    const timer = setTimeout(() => {
      if (epoch !== this.epoch || res.destroyed) return release();
      const spec = this.current;
      const failed = spec.errorRate > 0 && this.random() < spec.errorRate;
      const status = failed ? spec.errorStatus : 200;
      const body = JSON.stringify({ backend: spec.name, path: req.url ?? '/', method: req.method ?? 'GET', n, ...(failed ? { error: true } : {}) });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      this.served += 1;
      this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
      release();
    }, sampleLatency(this.current.latency, this.random));
    res.on('close', () => {
      clearTimeout(timer);
      release();
    });
  }
}
