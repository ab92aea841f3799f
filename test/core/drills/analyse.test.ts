import { describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../../core/contract/events';
import { noFailures, type LoadSummary } from '../../../core/demo/load/types';
import { buildReport, type Observations } from '../../../core/drills/analyse';
import { reportHtml } from '../../../core/drills/html';
import { DrillSchema } from '../../../core/drills/spec';
import { WorkspaceSchema } from '../../../core/model/spec';
import type { BackendSnapshot, ServiceSnapshot } from '../../../core/stats/types';

const T0 = 1_000_000;

function summary(sent: number, failed: Partial<LoadSummary['failed']> = {}): LoadSummary {
  const f = { ...noFailures(), ...failed };
  const failedTotal = Object.values(f).reduce((a, b) => a + b, 0);
  return {
    reason: 'stopped',
    durationMs: 4000,
    sent,
    ok: sent - failedTotal,
    failed: f,
    skipped: 0,
    cancelled: 0,
    rate: sent / 4,
    throughput: sent / 4,
    latency: { p50: 10, p90: 20, p99: 40, max: 90, count: sent },
    backends: {},
  };
}

function backend(name: string, requests: number, extra: Partial<BackendSnapshot> = {}): BackendSnapshot {
  return {
    id: name,
    name,
    url: `http://127.0.0.1/${name}`,
    weight: 1,
    state: 'active',
    backup: false,
    health: 'healthy',
    lastCheck: null,
    ejected: false,
    ejections: 0,
    available: true,
    share: 0,
    expectedShare: 0,
    totalRequests: 0,
    totalErrors: 0,
    totalBytesIn: 0,
    totalBytesOut: 0,
    downtimeMs: 0,
    faults: [],
    lastError: null,
    requests,
    rps: requests * 10,
    inFlight: 0,
    status: { '1xx': 0, '2xx': requests, '3xx': 0, '4xx': 0, '5xx': 0 },
    errors: { refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 },
    retries: 0,
    bytesIn: 0,
    bytesOut: 0,
    latency: null,
    ...extra,
  };
}

function tick(at: number, bravo: number, retries = 0): { at: number; service: ServiceSnapshot } {
  const backends = [backend('alpha', 10), backend('bravo', bravo, { available: bravo > 0 })];
  return {
    at,
    service: {
      name: 'demo',
      protocol: 'http',
      address: '127.0.0.1:1',
      strategy: 'round-robin',
      noBackend: 0,
      backends,
      requests: 10 + bravo,
      rps: (10 + bravo) * 10,
      inFlight: 0,
      status: { '1xx': 0, '2xx': 10 + bravo, '3xx': 0, '4xx': 0, '5xx': 0 },
      errors: { refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 },
      retries,
      bytesIn: 0,
      bytesOut: 0,
      latency: { p50: 5, p90: 8, p99: 12, max: 20 },
    },
  };
}

const drill = DrillSchema.parse({
  name: 'kill',
  service: 'demo',
  durationMs: 4000,
  load: { rate: 100, requests: [{ method: 'GET', weight: 3 }, { method: 'POST', weight: 1 }] },
  steps: [
    { atMs: 1000, action: 'kill', backend: 'bravo' },
    { atMs: 3000, action: 'revive', backend: 'bravo' },
  ],
});

const base = { service: 'demo', backend: 'bravo', backendId: 'b2' };
const events: WorkbenchEvent[] = [
  { type: 'health:changed', at: T0 + 500, ...base, from: 'unknown', to: 'healthy', cause: 'check passed: 200' },
  { type: 'backend:ejected', at: T0 + 1040, ...base, cause: '5 consecutive connect errors (last: refused)', durationMs: 10_000 },
  { type: 'health:changed', at: T0 + 1400, ...base, from: 'healthy', to: 'unhealthy', cause: 'check failed: ECONNREFUSED' },
  { type: 'health:changed', at: T0 + 3400, ...base, from: 'unhealthy', to: 'healthy', cause: 'check passed: 200' },
  // A passing check returns an ejected backend before its period ends.
  { type: 'backend:returned', at: T0 + 3400, ...base, cause: 'active health check passed' },
  { type: 'config:changed', at: T0 + 3500, cause: 'ignored' },
];

function observations(extra: Partial<Observations> = {}): Observations {
  return {
    drill,
    result: 'completed',
    t0: T0,
    end: T0 + 4000,
    steps: [
      { index: 0, step: drill.steps[0]!, service: 'demo', appliedAt: T0 + 1002 },
      { index: 1, step: drill.steps[1]!, service: 'demo', appliedAt: T0 + 3001 },
    ],
    events,
    samples: [tick(T0 + 900, 10), tick(T0 + 1100, 2, 4), tick(T0 + 2000, 0), tick(T0 + 3300, 0), tick(T0 + 3600, 7)],
    failures: [
      { at: T0 + 750, total: 0 },
      { at: T0 + 1250, total: 2 },
      { at: T0 + 1500, total: 3 },
      { at: T0 + 1750, total: 3 },
      { at: T0 + 4000, total: 3 },
    ],
    parts: [
      { methods: ['GET'], summary: summary(300) },
      { methods: ['POST'], summary: summary(100, { status5xx: 3 }) },
    ],
    resent: { idempotent: 6, nonIdempotent: 0 },
    ...extra,
  };
}

describe('buildReport', () => {
  it('times detection and recovery per step, and counts outcomes per method', () => {
    const r = buildReport(observations());
    expect(r.steps.map((s) => [s.label, s.appliedAtMs, s.detectMs, s.detectedBy, s.recoverMs, s.failuresAfter])).toEqual([
      ['kill bravo', 1002, 38, 'ejected', 498, 3],
      ['revive bravo', 3001, 599, 'healthy again and taking traffic', 599, 0],
    ]);
    expect(r.requests.byMethod.GET).toMatchObject({ sent: 300, failedTotal: 0 });
    expect(r.requests.byMethod.POST).toMatchObject({ sent: 100, failedTotal: 3 });
    expect(r.requests.total).toMatchObject({ sent: 400, ok: 397, failedTotal: 3 });
    expect(r).toMatchObject({ retries: 4, ejections: 1, healthTransitions: 3, durationMs: 4000 });
    expect(r.load).toMatchObject({ rate: 100, achievedRate: 100, latency: { p50: 10, p99: 40, max: 90 } });
    expect(r.events.map((e) => [e.tMs, e.type])).toEqual([
      [500, 'health:changed'],
      [1040, 'backend:ejected'],
      [1400, 'health:changed'],
      [3400, 'health:changed'],
      [3400, 'backend:returned'],
    ]);
    expect(r.samples.map((s) => s.backends[1]!.rps)).toEqual([100, 20, 0, 0, 70]);
    expect(r.verdict).toEqual({
      clean: true,
      failedGets: 0,
      duplicatedPosts: 0,
      failedRequests: 3,
      lines: [
        'No GET failed (300 sent).',
        'No POST was sent twice.',
        '3 of 100 POSTs failed (3 server errors (5xx)); a POST already sent is not retried, so one in flight on a dying backend fails rather than risk running twice.',
        'kill bravo at 1.0 s, detected in 38 ms (ejected), clients recovered in 498 ms, 3 failed request(s) until the next step.',
        'revive bravo at 3.0 s, detected in 599 ms (healthy again and taking traffic), traffic back in 599 ms.',
      ],
    });
  });

  it('detects a revive when the backend is healthy and takes traffic again, not when its ejection timer runs out (issue 16, bug 2)', () => {
    // Killed at 1 s: ejected, then unhealthy. Revived at 3 s: the ejection period ends 484 ms later, but the
    // health check passes only at 4.8 s, and traffic reaches it in the tick that ends at 5 s.
    const revive: WorkbenchEvent[] = [
      { type: 'backend:ejected', at: T0 + 1040, ...base, cause: '5 consecutive connect errors (last: refused)', durationMs: 2445 },
      { type: 'health:changed', at: T0 + 1400, ...base, from: 'healthy', to: 'unhealthy', cause: 'check failed: ECONNREFUSED' },
      { type: 'backend:returned', at: T0 + 3485, ...base, cause: 'ejection period ended' },
      { type: 'health:changed', at: T0 + 4800, ...base, from: 'unhealthy', to: 'healthy', cause: 'check passed: 200' },
    ];
    const r = buildReport(
      observations({
        end: T0 + 6000,
        events: revive,
        samples: [tick(T0 + 900, 10), tick(T0 + 1500, 0), tick(T0 + 3500, 0), tick(T0 + 4000, 0), tick(T0 + 4500, 0), tick(T0 + 5000, 6), tick(T0 + 5500, 9)],
      }),
    );
    const step = r.steps[1]!;
    expect([step.label, step.detectMs, step.detectedBy, step.recoverMs]).toEqual(['revive bravo', 1999, 'healthy again and taking traffic', 1999]);
    expect(r.verdict.lines.at(-1)).toBe('revive bravo at 3.0 s, detected in 1999 ms (healthy again and taking traffic), traffic back in 1999 ms.');
  });

  it('says everything a person reads in plain words, never an internal key (issue 16, bug 3)', () => {
    const r = buildReport(observations());
    const rawKey = /(health|backend|config|service|faults|demo|load|drill|keyspace):[a-z]+|status\dxx/;
    for (const line of r.verdict.lines) expect(line).not.toMatch(rawKey);
    for (const s of r.steps) expect(s.detectedBy ?? '').not.toMatch(rawKey);
    const text = reportHtml(r)
      .replace(/<style>[\s\S]*?<\/style>/, '')
      .replace(/<svg[\s\S]*?<\/svg>/g, '')
      .replace(/<[^>]+>/g, ' ');
    expect(text).not.toMatch(rawKey);
    expect(r.verdict.lines).toContain('3 of 100 POSTs failed (3 server errors (5xx)); a POST already sent is not retried, so one in flight on a dying backend fails rather than risk running twice.');
    expect(r.steps[0]!.detectedBy).toBe('ejected');
    expect(text).toContain('back from ejection');
  });

  it('is not clean when a GET failed or a POST may have run twice, and says why', () => {
    const r = buildReport(
      observations({ parts: [{ methods: ['GET'], summary: summary(300, { status5xx: 2 }) }], resent: { idempotent: 0, nonIdempotent: 1 } }),
    );
    expect(r.verdict.clean).toBe(false);
    expect(r.verdict.lines.slice(0, 2)).toEqual([
      '2 of 300 GETs failed (2 server errors (5xx)).',
      '1 non-idempotent request(s) were sent again after reaching a backend: they may have run twice.',
    ]);
  });

  it('leaves detection null when nothing reacted, and marks steps that never ran', () => {
    const r = buildReport(observations({ events: [], steps: [{ index: 0, step: drill.steps[0]!, service: 'demo', appliedAt: T0 + 1000 }, { index: 1, step: drill.steps[1]!, service: 'demo', appliedAt: null }], result: 'stopped' }));
    expect(r.steps.map((s) => [s.detectMs, s.appliedAtMs])).toEqual([
      [null, 1000],
      [null, null],
    ]);
    expect(r.verdict.clean).toBe(false);
    expect(r.verdict.lines[0]).toBe('The drill was stopped before its end.');
  });

  it('renders a self-contained page that escapes what it shows', () => {
    const r = buildReport(observations());
    r.drill = '<kill & tell>';
    const page = reportHtml(r);
    expect(page).toContain('&lt;kill &amp; tell&gt;');
    expect(page).not.toContain('<kill');
    expect((page.match(/<svg /g) ?? []).length).toBe(3);
    expect(page).not.toMatch(/<script|<link|\ssrc=/i);
  });
});

describe('drill spec in the workspace', () => {
  it('accepts drills, fills their defaults, and refuses duplicate names', () => {
    const ws = WorkspaceSchema.parse({ services: [], drills: [{ name: 'a', service: 'demo', durationMs: 1000 }] });
    expect(ws.drills![0]).toMatchObject({ load: { rate: 200, requests: [{ method: 'GET', path: '/', weight: 1 }] }, steps: [], restore: true });
    const dup = WorkspaceSchema.safeParse({ drills: [{ name: 'a', service: 'x', durationMs: 1000 }, { name: 'a', service: 'x', durationMs: 1000 }] });
    expect(dup.success).toBe(false);
    expect(dup.error!.issues.map((i) => i.message)).toEqual(['duplicate drill name "a"']);
    expect(WorkspaceSchema.parse({}).drills).toBeUndefined();
  });
});
