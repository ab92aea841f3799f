/**
 * Helpers for the HTTP data plane tests: a service over real backends with a
 * plain round-robin pick and recording hooks, and a small HTTP client that
 * reads whole answers.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Backend } from '../../../core/model/backend';
import { startHttpBackend, type HttpBackend, type HttpBackendOptions } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { RetrySchema, TimeoutsSchema, type RetrySpec, type TimeoutsSpec } from '../../../core/model/spec';
import { HttpService, type HttpServiceHooks } from '../../../core/proxy/http-service';
import type { AttemptOutcome } from '../../../core/stats/types';

export interface Recorded {
  started: number;
  attempts: Array<{ backend: string; outcome: AttemptOutcome }>;
  retried: string[];
  ended: Array<AttemptOutcome & { noBackend?: boolean }>;
}

export interface TestService {
  service: HttpService;
  port: number;
  backends: Backend[];
  rec: Recorded;
  close(graceMs?: number): Promise<void>;
}

export interface ServiceSetup {
  name?: string;
  retries?: Partial<RetrySpec>;
  timeouts?: Partial<TimeoutsSpec>;
  /** Replaces the round-robin pick. */
  pick?: HttpServiceHooks['pick'];
}

/** Retries that no budget gets in the way of, unless a test says otherwise. */
const GENEROUS: Partial<RetrySpec> = { budgetPercent: 100, minRetryConcurrency: 1000 };

export async function startService(urls: string[], setup: ServiceSetup = {}): Promise<TestService> {
  const backends = urls.map((url) => new Backend({ url, weight: 1, state: 'active', backup: false }));
  const rec: Recorded = { started: 0, attempts: [], retried: [], ended: [] };
  let next = 0;
  const roundRobin: HttpServiceHooks['pick'] = (_req, exclude) => {
    for (let i = 0; i < backends.length; i++) {
      const b = backends[next++ % backends.length]!;
      if (b.available() && !exclude.has(b.id)) return b;
    }
    return undefined;
  };
  const service = new HttpService({
    name: setup.name ?? 'api',
    host: '127.0.0.1',
    port: 0,
    timeouts: TimeoutsSchema.parse({ connectMs: 2000, responseMs: 10_000, ...setup.timeouts }),
    retries: RetrySchema.parse({ ...GENEROUS, ...setup.retries }),
    hooks: {
      pick: setup.pick ?? roundRobin,
      requestStarted: () => rec.started++,
      attemptEnded: (backend, outcome) => rec.attempts.push({ backend: backend.id, outcome }),
      retried: (backend) => rec.retried.push(backend.id),
      requestEnded: (outcome) => rec.ended.push(outcome),
    },
  });
  const { port } = await service.listen();
  return { service, port, backends, rec, close: (graceMs = 0) => service.close(graceMs) };
}

export { send, type Answer, type SendOptions } from '../../helpers/http-client';

/** How many connections a server holds open right now. */
export function connectionCount(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** Counts the TCP connections a server accepts from now on. */
export function countConnections(server: net.Server): { readonly count: number } {
  let count = 0;
  server.on('connection', () => count++);
  return {
    get count() {
      return count;
    },
  };
}

export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

/**
 * A port whose connects hang: a child process listens with a tiny backlog and
 * blocks its event loop, so it never accepts; once a few connections fill the
 * accept queue the kernel drops further SYNs and connects stay pending.
 */
export async function startBlackhole(): Promise<Blackhole> {
  const code =
    "const s=require('net').createServer();" +
    "s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port);" +
    'setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,120000),20)})';
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  await new Promise((r) => setTimeout(r, 200)); // let it stop accepting (pacing, not an assertion)
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
  // Wait until the queue is full: some fillers connected, the rest pending.
  const deadline = Date.now() + 5000;
  while (fillers.filter((f) => !f.connecting).length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return {
    port,
    close: async () => {
      fillers.forEach((f) => f.destroy());
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Per-test fixtures for the proxy tests: backends and services closed after each test. */
export function proxyFixtures() {
  const { defer, track } = useCleanup();
  return {
    defer,
    backend: async (opts: HttpBackendOptions = {}): Promise<HttpBackend> => track(await startHttpBackend(opts)),
    service: async (urls: string[], setup: ServiceSetup = {}): Promise<TestService> => track(await startService(urls, setup)),
  };
}
