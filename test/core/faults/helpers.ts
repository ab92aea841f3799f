/**
 * Helpers for the fault tests: a Workbench over real loopback backends that
 * records every event and stats tick, per-backend totals summed over ticks,
 * and a client that reports what it saw even when the answer was cut short.
 */
import http from 'node:http';
import type { StatsSnapshot } from '../../../core/contract';
import type { WorkbenchEvent } from '../../../core/contract/events';
import type { ServiceInput } from '../../../core/model/spec';
import { Workbench, type WorkbenchOptions } from '../../../core/workbench';
import { startHttpBackend, type HttpBackend, type HttpBackendOptions } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';

export interface Lab {
  wb: Workbench;
  port: number;
  events: WorkbenchEvent[];
  snapshots: StatsSnapshot[];
  /** A backend's counters summed over every tick so far (flushes the current tick first). */
  totals(backend: string): BackendTotals;
}

export interface BackendTotals {
  requests: number;
  s2xx: number;
  s5xx: number;
  refused: number;
  reset: number;
  timeout: number;
  retries: number;
}

export async function startLab(
  defer: (fn: () => unknown) => void,
  backends: HttpBackend[],
  service: Partial<ServiceInput> = {},
  options: Partial<WorkbenchOptions> = {},
): Promise<Lab> {
  const wb = new Workbench({
    tickMs: 100,
    graceMs: 1000,
    workspace: { services: [{ name: 'api', listen: '127.0.0.1:0', backends: backends.map((b, i) => ({ url: b.url, name: `web${i}` })), ...service }] },
    ...options,
  });
  const events: WorkbenchEvent[] = [];
  const snapshots: StatsSnapshot[] = [];
  wb.subscribe((p) => {
    if (p.channel === 'event') events.push(p.event);
    else if (p.channel === 'stats') snapshots.push(p.snapshot);
  });
  await wb.start({ failFast: true });
  defer(() => wb.stop(0));
  const address = wb.service('api')!.view().address!;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return {
    wb,
    port,
    events,
    snapshots,
    totals(name) {
      wb.tick();
      const t: BackendTotals = { requests: 0, s2xx: 0, s5xx: 0, refused: 0, reset: 0, timeout: 0, retries: 0 };
      for (const snap of snapshots) {
        for (const b of snap.services[0]?.backends ?? []) {
          if (b.name !== name) continue;
          t.requests += b.requests;
          t.s2xx += b.status['2xx'];
          t.s5xx += b.status['5xx'];
          t.refused += b.errors.refused;
          t.reset += b.errors.reset;
          t.timeout += b.errors.timeout;
          t.retries += b.retries;
        }
      }
      return t;
    },
  };
}

/** Per-test fixtures for the fault tests: backends and labs closed after each test. */
export function faultFixtures() {
  const { defer, track } = useCleanup();
  return {
    defer,
    track,
    /** `n` HTTP backends named b0, b1, … */
    backends: async (n: number, opts: HttpBackendOptions = {}): Promise<HttpBackend[]> => {
      const list = await Promise.all(Array.from({ length: n }, (_, i) => startHttpBackend({ name: `b${i}`, ...opts })));
      for (const b of list) track(b);
      return list;
    },
    startLab: (backends: HttpBackend[], service: Partial<ServiceInput> = {}, options: Partial<WorkbenchOptions> = {}): Promise<Lab> =>
      startLab(defer, backends, service, options),
  };
}

export interface Seen {
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The response began but did not complete (the connection dropped mid-body). */
  aborted: boolean;
  /** The request failed before any response (e.g. ECONNRESET). */
  error: string | undefined;
  ms: number;
}

export interface HitOptions {
  method?: string;
  path?: string;
  body?: string;
  agent?: http.Agent | false;
}

/** One request; resolves with what the client saw, whatever happened. */
export function hit(port: number, opts: HitOptions = {}): Promise<Seen> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (seen: Omit<Seen, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...seen, ms: performance.now() - started });
    };
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const finish = () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), aborted: !res.complete, error: undefined });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ status: undefined, headers: {}, body: Buffer.alloc(0), aborted: false, error: err.code ?? err.message }));
    req.end(opts.body);
  });
}

/** Sends `n` requests over `concurrency` keep-alive connections; results in completion order. */
export async function hitMany(port: number, n: number, concurrency: number, opts: (i: number) => HitOptions = () => ({})): Promise<Seen[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const out: Seen[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out.push(await hit(port, { agent, ...opts(i) }));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return out;
}

export { expectBinomial, median, seeded } from './sampling';
