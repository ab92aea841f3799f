/**
 * Helpers for the TCP data plane tests: a TcpService over real backends with
 * a real strategy pool and recording hooks, backends that say who they are,
 * small clients that wait for what they need, a Workbench running one tcp
 * service, and per-test fixtures that close all of these after each test.
 */
import net from 'node:net';
import type { WorkbenchEvent } from '../../../core/contract/events';
import { Backend } from '../../../core/model/backend';
import { RetrySchema, TimeoutsSchema, type RetrySpec, type ServiceInput, type TimeoutsSpec } from '../../../core/model/spec';
import { TcpService, type TcpServiceHooks } from '../../../core/proxy/tcp-service';
import type { RequestOutcome } from '../../../core/stats/counters';
import type { AttemptOutcome, ErrorKind, ServiceSnapshot } from '../../../core/stats/types';
import { Pool } from '../../../core/strategies/pool';
import { getStrategy } from '../../../core/strategies/registry';
import { Workbench, type WorkbenchOptions } from '../../../core/workbench';
import { startTcpBackend, type TcpBackend } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { waitFor } from '../../helpers/wait';

export interface TcpRecorded {
  started: number;
  attempts: Array<{ backend: string; outcome: AttemptOutcome }>;
  retried: string[];
  settled: RequestOutcome[];
  bytesIn: number;
  bytesOut: number;
  broke: Array<{ backend: string; kind: ErrorKind }>;
  closed: number;
}

export interface TestTcpService {
  service: TcpService;
  port: number;
  backends: Backend[];
  pool: Pool<Backend>;
  rec: TcpRecorded;
  close(graceMs?: number): Promise<void>;
}

export interface TcpSetup {
  strategy?: string;
  strategyOptions?: Record<string, unknown>;
  retries?: Partial<RetrySpec>;
  timeouts?: Partial<TimeoutsSpec>;
  /** Replaces the pool's pick. */
  pick?: TcpServiceHooks['pick'];
  /** Draws injected faults (default Math.random). */
  random?: () => number;
}

export async function startTcpService(urls: string[], setup: TcpSetup = {}): Promise<TestTcpService> {
  const backends = urls.map((url, i) => new Backend({ url, name: `b${i}`, weight: 1, state: 'active', backup: false }));
  const pool = new Pool<Backend>(getStrategy(setup.strategy ?? 'round-robin'), setup.strategyOptions ?? {}, { now: Date.now, random: Math.random });
  pool.setBackends(backends);
  const rec: TcpRecorded = { started: 0, attempts: [], retried: [], settled: [], bytesIn: 0, bytesOut: 0, broke: [], closed: 0 };
  const service = new TcpService({
    name: 'tcp',
    host: '127.0.0.1',
    port: 0,
    timeouts: TimeoutsSchema.parse({ connectMs: 2000, ...setup.timeouts }),
    retries: RetrySchema.parse({ ...setup.retries }),
    ...(setup.random ? { random: setup.random } : {}),
    hooks: {
      pick: setup.pick ?? ((req, exclude) => pool.pick(req, exclude)),
      requestStarted: () => rec.started++,
      attemptEnded: (backend, outcome) => rec.attempts.push({ backend: backend.name, outcome }),
      retried: (backend) => rec.retried.push(backend.name),
      connectionSettled: (outcome) => rec.settled.push(outcome),
      transferred: (_backend, bytesIn, bytesOut) => {
        rec.bytesIn += bytesIn;
        rec.bytesOut += bytesOut;
      },
      connectionBroke: (backend, kind) => rec.broke.push({ backend: backend.name, kind }),
      connectionClosed: () => rec.closed++,
    },
  });
  const { port } = await service.listen();
  return { service, port, backends, pool, rec, close: (graceMs = 0) => service.close(graceMs) };
}

/** An echo backend that first writes its name and a newline, so a client can tell who served it. */
export function startNamedBackend(name: string): Promise<TcpBackend> {
  return startTcpBackend({
    onConnection: (socket) => {
      socket.write(`${name}\n`);
      socket.pipe(socket);
    },
  });
}

/** A client connection, with what it has received so far and how it ended. */
export interface Client {
  socket: net.Socket;
  /** Everything received so far. */
  readonly received: Buffer;
  readonly ended: boolean;
  readonly closed: boolean;
  readonly error: NodeJS.ErrnoException | undefined;
  /** Resolves once at least `n` bytes arrived; rejects if the connection closes first. */
  receive(n: number): Promise<Buffer>;
  /** Resolves with the first line (without the newline). */
  line(): Promise<string>;
  /** Resolves when the socket has closed. */
  whenClosed(): Promise<void>;
}

/** Connects to the balancer and resolves once connected. */
export function connect(port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<Client> {
  const client = dial(port, opts);
  return new Promise((resolve, reject) => {
    client.socket.once('connect', () => resolve(client));
    client.socket.once('error', reject);
  });
}

/** Starts connecting to the balancer and returns at once: for connections the balancer may refuse or reset straight away. */
export function dial(port: number, opts: { allowHalfOpen?: boolean } = {}): Client {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: opts.allowHalfOpen ?? false });
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  let closed = false;
  let error: NodeJS.ErrnoException | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    size += c.length;
    wake();
  });
  socket.on('end', () => {
    ended = true;
    wake();
  });
  socket.on('error', (err) => {
    error = err;
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const received = () => {
    if (chunks.length > 1) chunks.splice(0, chunks.length, Buffer.concat(chunks));
    return chunks[0] ?? Buffer.alloc(0);
  };
  const until = <T>(value: () => T | undefined, what: string): Promise<T> =>
    new Promise((res, rej) => {
      const check = () => {
        const v = value();
        if (v !== undefined) {
          waiters.delete(check);
          res(v);
        } else if (closed || ended) {
          waiters.delete(check);
          rej(new Error(`connection ${ended ? 'ended' : 'closed'} before ${what} (got ${size} bytes${error ? `, ${error.code}` : ''})`));
        }
      };
      waiters.add(check);
      check();
    });
  const client: Client = {
    socket,
    get received() {
      return received();
    },
    get ended() {
      return ended;
    },
    get closed() {
      return closed;
    },
    get error() {
      return error;
    },
    receive: (n) => until(() => (size >= n ? received() : undefined), `${n} bytes`),
    line: () =>
      until(() => {
        const buf = received();
        const i = buf.indexOf(10);
        return i >= 0 ? buf.subarray(0, i).toString() : undefined;
      }, 'a line'),
    whenClosed: () => (closed ? Promise.resolve() : new Promise((res) => socket.once('close', () => res()))),
  };
  return client;
}

/** Sends `message` and resolves with the echo of that many bytes; closes the client after. */
export async function echoOnce(port: number, message: string): Promise<string> {
  const client = await connect(port);
  try {
    client.socket.write(message);
    const got = await client.receive(Buffer.byteLength(message));
    return got.toString();
  } finally {
    client.socket.destroy();
  }
}

/** Counts the connections a server holds open right now. */
export function openConnections(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** Runs `fn` over `items` with at most `limit` running at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every socket of the service and its backends is closed, and every count is back at zero. */
export async function allClosed(s: TestTcpService, backends: TcpBackend[]): Promise<void> {
  await waitFor(
    async () => {
      const counts = s.service.socketCounts();
      if ((await s.service.serverConnections()) !== 0 || counts.client !== 0 || counts.upstream !== 0) return false;
      for (const b of backends) if ((await openConnections(b.server)) !== 0) return false;
      return s.backends.every((b) => b.inFlight === 0) && s.rec.closed === s.rec.started;
    },
    { timeoutMs: 15_000, message: 'every socket closed' },
  );
}

export interface TcpLab {
  wb: Workbench;
  port: number;
  events: WorkbenchEvent[];
  /** The service's snapshot from every stats tick so far. */
  snapshots: ServiceSnapshot[];
}

/**
 * A Workbench running one tcp service, `db`, over `urls` (backends named b0,
 * b1, …), recording every event and the service's stats ticks; `defer`
 * receives its stop.
 */
export async function startTcpLab(
  defer: (fn: () => unknown) => void,
  service: Partial<ServiceInput>,
  urls: string[],
  options: Partial<WorkbenchOptions> = {},
): Promise<TcpLab> {
  const wb = new Workbench({
    tickMs: 100,
    graceMs: 1000,
    workspace: { services: [{ name: 'db', protocol: 'tcp', listen: '127.0.0.1:0', backends: urls.map((url, i) => ({ url, name: `b${i}` })), ...service }] },
    ...options,
  });
  const events: WorkbenchEvent[] = [];
  const snapshots: ServiceSnapshot[] = [];
  wb.subscribe((p) => {
    if (p.channel === 'event') events.push(p.event);
    if (p.channel === 'stats') snapshots.push(p.snapshot.services[0]!);
  });
  await wb.start({ failFast: true });
  defer(() => wb.stop(0));
  const address = wb.service('db')!.view().address!;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return { wb, port, events, snapshots };
}

/** Per-test fixtures for the TCP tests: backends, services, workbenches and client connections closed after each test. */
export function tcpFixtures() {
  const { defer, track } = useCleanup();
  /** Starts `n` backends together; they close after the test. */
  const startAll = async (n: number, start: (i: number) => Promise<TcpBackend>): Promise<TcpBackend[]> => {
    const list = await Promise.all(Array.from({ length: n }, (_, i) => start(i)));
    for (const b of list) track(b);
    return list;
  };
  return {
    defer,
    track,
    /** An echo backend, or one that hands each connection to `onConnection`. */
    backend: async (onConnection?: (socket: net.Socket) => void): Promise<TcpBackend> => track(await startTcpBackend(onConnection ? { onConnection } : {})),
    /** `n` echo backends, started together. */
    backends: (n: number): Promise<TcpBackend[]> => startAll(n, () => startTcpBackend()),
    /** An echo backend that greets each connection with `name` and a newline. */
    named: async (name: string): Promise<TcpBackend> => track(await startNamedBackend(name)),
    /** `n` greeting echo backends named b0, b1, …, started together. */
    namedBackends: (n: number): Promise<TcpBackend[]> => startAll(n, (i) => startNamedBackend(`b${i}`)),
    service: async (urls: string[], setup: TcpSetup = {}): Promise<TestTcpService> => track(await startTcpService(urls, setup)),
    workbench: (service: Partial<ServiceInput>, urls: string[], options: Partial<WorkbenchOptions> = {}): Promise<TcpLab> =>
      startTcpLab(defer, service, urls, options),
    /** Connects to the balancer; the socket is destroyed after the test. */
    client: async (port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<Client> => {
      const c = await connect(port, opts);
      defer(() => c.socket.destroy());
      return c;
    },
  };
}
