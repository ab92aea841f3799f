/**
 * One cell of the failover matrix: real backends (good and broken) behind an
 * in-process Workbench with a one-service workspace on 127.0.0.1:0, a fixed
 * number of requests from keep-alive clients, and the numbers both sides saw.
 *
 * The service runs with the default retry policy and no health checks,
 * active or passive: the matrix measures what retries alone make of a broken
 * backend (as issue 11 measured it), so the broken backend keeps its share of
 * first picks for the whole cell. The timeouts are small so that a `hang`
 * cell ends in bounded time: connect 500 ms, response headers 500 ms.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Workbench } from '../../../core/workbench';
import { RetrySchema } from '../../../core/model/spec';
import { startBackend, type BackendKind, type BrokenKind, type MatrixBackend } from './backends';
import { Ledger } from './ledger';
import { HASH_HEADER, runLoad, type Outcome } from './load';

export const TIMEOUTS = { connectMs: 500, responseMs: 500 };
/** The default `retries.attempts` the cells run with. */
export const ATTEMPTS = RetrySchema.parse({}).attempts;
/**
 * Slack on top of the longest a request may take by its timeouts, for a busy
 * 2-core machine: at a load average of 13 the first round of 50 clients took
 * up to 2 s to be answered through the balancer with nothing timing out.
 */
export const MARGIN_MS = 2500;
/** The longest any client may wait for an answer: every attempt timing out, plus the margin. */
export const ANSWER_BOUND_MS = ATTEMPTS * (TIMEOUTS.connectMs + TIMEOUTS.responseMs) + MARGIN_MS;
/** The client gives up waiting at this point (well past the bound, so a slow answer is seen as slow, not lost). */
const CLIENT_TIMEOUT_MS = 3 * ANSWER_BOUND_MS;
/** Every 10th request is a POST. */
export const POST_EVERY = 10;

export const STRATEGIES = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'random',
  'power-of-two',
  'peak-ewma',
  'ring-hash',
  'maglev',
] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** Hashing strategies hash on a header that carries a key of its own per request. */
function strategyOptions(strategy: StrategyName): Record<string, unknown> {
  return strategy === 'ring-hash' || strategy === 'maglev' ? { hashOn: 'header', key: HASH_HEADER } : {};
}

export interface CellSpec {
  kind: BrokenKind;
  strategy: StrategyName;
  backends: 2 | 3;
  clients: number;
  requests: number;
  /** Every backend is broken (the bounded-attempts set); otherwise exactly one is. */
  allBroken?: boolean;
}

export interface CellResult {
  spec: CellSpec;
  /** The backends in the service's order. */
  backends: Array<{ name: string; kind: BackendKind }>;
  outcomes: Outcome[];
  ledger: Ledger;
  /** The index of the request at whose sending the killed backends were killed. */
  killAt: number | undefined;
  seconds: number;
  /**
   * The longest the process's event loop stalled during the load, in ms. The
   * clients, the balancer and the backends share this process, so a stall
   * near the 500 ms timeouts (a busy machine) can time out an attempt at a
   * good backend; the table shows it so such a failure can be told apart.
   */
  maxLagMs: number;
}

/** The service's backends: one broken among good ones (in the middle of three), or all broken. */
export function layout(spec: CellSpec): Array<{ name: string; kind: BackendKind }> {
  if (spec.allBroken) return Array.from({ length: spec.backends }, (_, i) => ({ name: `${spec.kind}-${i + 1}`, kind: spec.kind }));
  const broken = { name: spec.kind, kind: spec.kind };
  return spec.backends === 2 ? [{ name: 'good-1', kind: 'good' }, broken] : [{ name: 'good-1', kind: 'good' }, broken, { name: 'good-2', kind: 'good' }];
}

export async function runCell(spec: CellSpec, cellId: string): Promise<CellResult> {
  const ledger = new Ledger();
  const plan = layout(spec);
  const backends: MatrixBackend[] = [];
  let wb: Workbench | undefined;
  const started = performance.now();
  try {
    for (const b of plan) backends.push(await startBackend(b.kind, b.name, ledger));
    wb = new Workbench({
      graceMs: 0,
      workspace: {
        services: [
          {
            name: 'matrix',
            listen: '127.0.0.1:0',
            strategy: spec.strategy,
            strategyOptions: strategyOptions(spec.strategy),
            backends: backends.map((b) => ({ url: b.url, name: b.name })),
            timeouts: TIMEOUTS,
          },
        ],
      },
    });
    await wb.start({ failFast: true });
    const address = wb.service('matrix')!.address!;
    const port = Number(address.slice(address.lastIndexOf(':') + 1));

    // A killed backend dies as a third of the requests have been sent, with requests in flight.
    const killAt = spec.kind === 'killed' ? Math.floor(spec.requests / 3) : undefined;
    const kills: Array<Promise<void>> = [];
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const outcomes = await runLoad({
      port,
      requests: spec.requests,
      concurrency: spec.clients,
      postEvery: POST_EVERY,
      idPrefix: cellId,
      timeoutMs: CLIENT_TIMEOUT_MS,
      onSend: (index) => {
        if (index === killAt) for (const b of backends) kills.push(b.kill());
      },
    });
    lag.disable();
    await Promise.all(kills);
    return { spec, backends: plan, outcomes, ledger, killAt, seconds: (performance.now() - started) / 1000, maxLagMs: Math.round(lag.max / 1e6) };
  } finally {
    await wb?.stop(0);
    await Promise.all(backends.map((b) => b.close()));
  }
}

/** What the cell's assertions and the results table read. */
export interface CellNumbers {
  failedGets: number;
  failedPosts: number;
  duplicatedPosts: number;
  /** Requests with no answer, or an answer later than the cell's bound. */
  late: number;
  maxMs: number;
  /** GETs answered, per backend, in the service's order. */
  getsServed: Array<[string, number]>;
  /** Tries that reached the broken backends: connections (reset), requests (hang, killed). */
  brokenTries: number;
  /** The most times one client request reached any backend. */
  maxArrivals: number;
  /** Client-side failures by what was seen (status and balancer error code, or client error), e.g. { "GET 502 LB_UPSTREAM_RESET": 3, "POST ECONNRESET": 1 }. */
  failures: Record<string, number>;
}

/** The longest a client of this cell may wait: with every backend broken by a reset or a kill no timeout is involved, so only the margin. */
export function answerBoundMs(spec: CellSpec): number {
  return spec.allBroken && spec.kind !== 'hang' ? MARGIN_MS : ANSWER_BOUND_MS;
}

export function numbers(r: CellResult): CellNumbers {
  const bound = answerBoundMs(r.spec);
  const failed = (o: Outcome) => o.error !== undefined || o.status === undefined || o.status < 200 || o.status > 299;
  const failures: Record<string, number> = {};
  for (const o of r.outcomes.filter(failed)) {
    const what = o.error !== undefined ? `${o.method} ${o.error}` : `${o.method} ${o.status}${o.lbError ? ` ${o.lbError}` : ''}`;
    failures[what] = (failures[what] ?? 0) + 1;
  }
  const broken = r.backends.filter((b) => b.kind !== 'good');
  const brokenTries = broken.reduce((n, b) => n + r.ledger.count(b.kind === 'reset' ? r.ledger.connections : r.ledger.requests, b.name), 0);
  return {
    failedGets: r.outcomes.filter((o) => o.method === 'GET' && failed(o)).length,
    failedPosts: r.outcomes.filter((o) => o.method === 'POST' && failed(o)).length,
    duplicatedPosts: r.ledger.duplicatedPosts().length,
    late: r.outcomes.filter((o) => o.error === 'NO_ANSWER' || o.ms > bound).length,
    maxMs: Math.max(0, ...r.outcomes.map((o) => o.ms)),
    getsServed: r.backends.map((b) => [b.name, r.ledger.count(r.ledger.getsServed, b.name)]),
    brokenTries,
    maxArrivals: Math.max(0, ...r.ledger.arrivals.values()),
    failures,
  };
}
