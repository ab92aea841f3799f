import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import type { BackendSpec } from '../../../core/model/spec';
import { HISTORY_MS, StatsCollector, type ServiceInfo } from '../../../core/stats/collector';
import type { AttemptOutcome, BackendSnapshot, ServiceSnapshot } from '../../../core/stats/types';

const T0 = 1_000_000;

let port = 1;
function backend(over: Partial<BackendSpec> = {}): Backend {
  return new Backend({ url: `http://127.0.0.1:${port++}`, weight: 1, state: 'active', backup: false, ...over });
}

function svc(backends: Backend[], name = 'web'): ServiceInfo {
  return { name, protocol: 'http', address: '127.0.0.1:8080', strategy: 'round-robin', backends };
}

function outcome(over: Partial<AttemptOutcome> = {}): AttemptOutcome {
  return { status: 200, latencyMs: 10, bytesIn: 0, bytesOut: 0, ...over };
}

function only(snapService: ServiceSnapshot, b: Backend): BackendSnapshot {
  const found = snapService.backends.find((x) => x.id === b.id);
  if (!found) throw new Error(`no snapshot for ${b.id}`);
  return found;
}

describe('StatsCollector counts', () => {
  it('gives exact counts per status class and error kind, for the service and each backend', () => {
    const a = backend();
    const b = backend();
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');

    const script: Array<[Backend, Partial<AttemptOutcome>]> = [
      [a, { status: 200 }],
      [a, { status: 204 }],
      [a, { status: 101 }],
      [a, { status: 302 }],
      [b, { status: 404 }],
      [b, { status: 503 }],
      [b, { status: 502 }],
      [b, { status: undefined, error: 'refused' }],
      [b, { status: undefined, error: 'timeout' }],
      [a, { status: undefined, error: 'reset' }],
      [a, { status: undefined, error: 'other' }],
      [a, { status: undefined, error: 'refused' }],
    ];
    for (const [to, o] of script) web.attemptEnded(to, outcome(o));
    web.retried(b);
    web.retried(b);
    web.retried(a);

    for (let i = 0; i < 7; i++) web.requestStarted();
    web.requestEnded(12, 200, 100, 2000);
    web.requestEnded(30, 200, 100, 3000);
    web.requestEnded(5, 404, 50, 10);
    web.requestEnded(1, 503, 0, 0);
    web.requestEnded(500, undefined, 10, 0, 'timeout');
    web.noBackend();

    const snap = stats.snapshot(T0 + 500, [svc([a, b])]);
    const s = snap.services[0]!;
    expect(s.requests).toBe(5);
    expect(s.status).toEqual({ '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 1 });
    expect(s.errors).toEqual({ refused: 0, reset: 0, timeout: 1, tls: 0, other: 0 });
    expect(s.retries).toBe(3);
    expect(s.noBackend).toBe(1);
    expect(s.bytesIn).toBe(260);
    expect(s.bytesOut).toBe(5010);
    expect(s.inFlight).toBe(2);
    expect(s.latency?.max).toBe(500);
    expect(s.latency?.p50).toBeCloseTo(12, 1);

    const sa = only(s, a);
    expect(sa.requests).toBe(7);
    expect(sa.status).toEqual({ '1xx': 1, '2xx': 2, '3xx': 1, '4xx': 0, '5xx': 0 });
    expect(sa.errors).toEqual({ refused: 1, reset: 1, timeout: 0, tls: 0, other: 1 });
    expect(sa.retries).toBe(1);
    const sb = only(s, b);
    expect(sb.requests).toBe(5);
    expect(sb.status).toEqual({ '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 1, '5xx': 2 });
    expect(sb.errors).toEqual({ refused: 1, reset: 0, timeout: 1, tls: 0, other: 0 });
    expect(sb.retries).toBe(2);
    expect(sb.totalRequests).toBe(5);
  });

  it('takes a request outcome as one object too', () => {
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');
    web.requestStarted();
    web.requestStarted();
    web.requestEnded({ status: 503, latencyMs: 1, bytesIn: 5, bytesOut: 7, noBackend: true });
    web.requestEnded({ latencyMs: 9, error: 'reset', bytesIn: 0, bytesOut: 0 });
    const s = stats.snapshot(T0 + 500, [svc([])]).services[0]!;
    expect(s.requests).toBe(2);
    expect(s.noBackend).toBe(1);
    expect(s.status['5xx']).toBe(1);
    expect(s.errors.reset).toBe(1);
    expect(s.bytesIn).toBe(5);
    expect(s.bytesOut).toBe(7);
    expect(s.inFlight).toBe(0);
  });

  it("keeps a backend's last failure, its code and reason, across ticks until the next one", () => {
    const a = backend();
    let clock = T0 + 100;
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0, now: () => clock });
    const web = stats.service('web');
    web.attemptEnded(a, outcome({ status: undefined, error: 'tls', detail: 'self-signed certificate' }));
    let sa = only(stats.snapshot(T0 + 500, [svc([a])]).services[0]!, a);
    expect(sa.errors.tls).toBe(1);
    expect(sa.lastError).toEqual({ code: 'LB_UPSTREAM_TLS', message: 'self-signed certificate', at: T0 + 100 });
    web.attemptEnded(a, outcome({ status: 200 }));
    sa = only(stats.snapshot(T0 + 1000, [svc([a])]).services[0]!, a);
    expect(sa.errors.tls).toBe(0);
    expect(sa.lastError?.code).toBe('LB_UPSTREAM_TLS');
    clock = T0 + 1200;
    web.attemptEnded(a, outcome({ status: undefined, error: 'refused' }));
    sa = only(stats.snapshot(T0 + 1500, [svc([a])]).services[0]!, a);
    expect(sa.lastError).toEqual({ code: 'LB_UPSTREAM_REFUSED', message: 'refused', at: T0 + 1200 });
  });

  it('computes rps from the actual tick length', () => {
    const a = backend();
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');
    for (let i = 0; i < 30; i++) {
      web.attemptEnded(a, outcome());
      web.requestEnded(10, 200, 0, 0);
    }
    const first = stats.snapshot(T0 + 500, [svc([a])]);
    expect(first.intervalMs).toBe(500);
    expect(first.at).toBe(T0 + 500);
    expect(first.services[0]!.rps).toBe(60);
    expect(first.services[0]!.backends[0]!.rps).toBe(60);

    // A late tick: 30 requests over 750 ms.
    for (let i = 0; i < 30; i++) web.requestEnded(10, 200, 0, 0);
    const second = stats.snapshot(T0 + 1250, [svc([a])]);
    expect(second.intervalMs).toBe(750);
    expect(second.services[0]!.rps).toBe(40);
    expect(second.services[0]!.backends[0]!.rps).toBe(0);
  });

  it('takes tick 1 as nominal length when no start time was given', () => {
    const stats = new StatsCollector({ tickMs: 250 });
    const web = stats.service('web');
    for (let i = 0; i < 5; i++) web.requestEnded(1, 200, 0, 0);
    const snap = stats.snapshot(T0, [svc([])]);
    expect(snap.intervalMs).toBe(250);
    expect(snap.services[0]!.rps).toBe(20);
  });

  it('reads backend in-flight from the backend and reports its state', () => {
    const a = backend({ name: 'alpha', weight: 3 });
    a.inFlight = 4;
    a.health = 'healthy';
    a.lastCheck = { ok: true, at: T0, latencyMs: 2, detail: '200' };
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const sa = stats.snapshot(T0 + 500, [svc([a])]).services[0]!.backends[0]!;
    expect(sa).toMatchObject({
      id: a.id,
      name: 'alpha',
      url: a.urlString(),
      weight: 3,
      state: 'active',
      backup: false,
      health: 'healthy',
      lastCheck: { ok: true, at: T0, latencyMs: 2, detail: '200' },
      ejected: false,
      ejections: 0,
      available: true,
      inFlight: 4,
      requests: 0,
      latency: null,
      totalRequests: 0,
    });
  });
});

describe('StatsCollector shares', () => {
  function tickWith(backends: Backend[], counts: number[]): ServiceSnapshot {
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');
    backends.forEach((b, i) => {
      for (let k = 0; k < counts[i]!; k++) web.attemptEnded(b, outcome());
    });
    return stats.snapshot(T0 + 500, [svc(backends)]).services[0]!;
  }

  it('splits 1:3 weights into 0.25 and 0.75', () => {
    const a = backend({ weight: 1 });
    const b = backend({ weight: 3 });
    const s = tickWith([a, b], [26, 74]);
    expect(only(s, a).share).toBeCloseTo(0.26, 12);
    expect(only(s, b).share).toBeCloseTo(0.74, 12);
    expect(only(s, a).expectedShare).toBe(0.25);
    expect(only(s, b).expectedShare).toBe(0.75);
  });

  it('gives an unavailable backend no expected share', () => {
    const a = backend({ weight: 1 });
    const b = backend({ weight: 3 });
    const c = backend({ weight: 2 });
    b.health = 'unhealthy';
    const d = backend({ weight: 5, state: 'disabled' });
    const e = backend({ weight: 5 });
    e.ejected = true;
    const s = tickWith([a, b, c, d, e], [1, 0, 2, 0, 0]);
    expect(s.backends.map((x) => x.available)).toEqual([true, false, true, false, false]);
    expect(s.backends.map((x) => x.expectedShare)).toEqual([1 / 3, 0, 2 / 3, 0, 0]);
    expect(s.backends.map((x) => x.share)).toEqual([1 / 3, 0, 2 / 3, 0, 0]);
  });

  it('gives backups nothing while a primary is available, and all when none is', () => {
    const p1 = backend({ weight: 2 });
    const p2 = backend({ weight: 2 });
    const k1 = backend({ weight: 1, backup: true });
    const k2 = backend({ weight: 3, backup: true });
    let s = tickWith([p1, p2, k1, k2], [5, 5, 0, 0]);
    expect(s.backends.map((x) => x.expectedShare)).toEqual([0.5, 0.5, 0, 0]);

    p1.health = 'unhealthy';
    s = tickWith([p1, p2, k1, k2], [0, 10, 0, 0]);
    expect(s.backends.map((x) => x.expectedShare)).toEqual([0, 1, 0, 0]);

    p2.state = 'drain';
    s = tickWith([p1, p2, k1, k2], [0, 0, 1, 3]);
    expect(s.backends.map((x) => x.expectedShare)).toEqual([0, 0, 0.25, 0.75]);
    expect(s.backends.map((x) => x.share)).toEqual([0, 0, 0.25, 0.75]);
  });

  it('is 0 everywhere when nothing can take traffic or nothing was sent', () => {
    const a = backend({ state: 'disabled' });
    const b = backend({ backup: true });
    b.health = 'unhealthy';
    const s = tickWith([a, b], [0, 0]);
    expect(s.backends.map((x) => [x.share, x.expectedShare])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

describe('StatsCollector ticks and history', () => {
  it('numbers ticks from 1 and resets tick counters but keeps totals', () => {
    const a = backend();
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');
    web.attemptEnded(a, outcome({ status: 500, bytesIn: 3, bytesOut: 4, latencyMs: 80 }));
    web.retried(a);
    web.requestStarted();
    web.requestEnded(80, 500, 3, 4);
    web.noBackend();
    stats.ejected(a.id);
    const one = stats.snapshot(T0 + 500, [svc([a])]);
    expect(one.tick).toBe(1);
    expect(one.services[0]!.requests).toBe(1);

    web.requestStarted();
    const two = stats.snapshot(T0 + 1000, [svc([a])]);
    expect(two.tick).toBe(2);
    const s = two.services[0]!;
    expect(s).toMatchObject({ requests: 0, rps: 0, retries: 0, bytesIn: 0, bytesOut: 0, noBackend: 0, latency: null, inFlight: 1 });
    expect(s.status).toEqual({ '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 });
    const sa = s.backends[0]!;
    expect(sa).toMatchObject({ requests: 0, retries: 0, latency: null, share: 0, totalRequests: 1, ejections: 1 });
    expect(sa.errors).toEqual({ refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 });
    // The first snapshot, kept in history, is unchanged.
    expect(one.services[0]!.backends[0]!.requests).toBe(1);
    expect(one.services[0]!.latency?.max).toBe(80);
  });

  it('bounds history at ten minutes of ticks', () => {
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    expect(stats.historyCapacity).toBe(HISTORY_MS / 500);
    for (let i = 1; i <= 1300; i++) stats.snapshot(T0 + i * 500, []);
    const all = stats.history();
    expect(all).toHaveLength(1200);
    expect(all[0]!.tick).toBe(101);
    expect(all.at(-1)!.tick).toBe(1300);
    expect(stats.latest()?.tick).toBe(1300);
    expect(new StatsCollector({ tickMs: 700, startedAt: T0 }).historyCapacity).toBe(858);
  });

  it('returns history newer than a tick', () => {
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    expect(stats.history()).toEqual([]);
    expect(stats.latest()).toBeUndefined();
    for (let i = 1; i <= 10; i++) stats.snapshot(T0 + i * 500, []);
    expect(stats.history(7).map((s) => s.tick)).toEqual([8, 9, 10]);
    expect(stats.history(10)).toEqual([]);
    expect(stats.history(0)).toHaveLength(10);
    expect(stats.history(-5)).toHaveLength(10);
  });

  it('forgets a removed backend and keeps counters across a rename', () => {
    const a = backend({ name: 'old' });
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');
    web.attemptEnded(a, outcome());
    stats.ejected(a.id);
    stats.snapshot(T0 + 500, [svc([a])]);

    a.update({ url: a.urlString(), name: 'new', weight: 1, state: 'active', backup: false });
    web.attemptEnded(a, outcome());
    let sa = stats.snapshot(T0 + 1000, [svc([a])]).services[0]!.backends[0]!;
    expect(sa).toMatchObject({ name: 'new', totalRequests: 2, ejections: 1, requests: 1 });

    web.attemptEnded(a, outcome());
    stats.forgetBackend(a.id);
    sa = stats.snapshot(T0 + 1500, [svc([a])]).services[0]!.backends[0]!;
    expect(sa).toMatchObject({ totalRequests: 0, ejections: 0, requests: 0 });
  });

  it('moves a service\'s counters on rename and drops them when forgotten', () => {
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const handle = stats.service('web');
    handle.requestStarted();
    stats.renameService('web', 'www');
    expect(stats.service('www')).toBe(handle);
    expect(stats.snapshot(T0 + 500, [svc([], 'www')]).services[0]!.inFlight).toBe(1);
    stats.forgetService('www');
    expect(stats.service('www')).not.toBe(handle);
  });

  it('builds a correct snapshot for 50 backends', () => {
    const backends = Array.from({ length: 50 }, (_, i) => backend({ weight: i + 1, backup: i >= 40 }));
    backends[0]!.health = 'unhealthy';
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');
    let sent = 0;
    for (let i = 0; i < 40; i++) {
      for (let k = 0; k <= i; k++) {
        web.attemptEnded(backends[i]!, outcome({ latencyMs: i + 1, status: k % 10 === 0 ? 503 : 200, bytesOut: 100 }));
        sent += 1;
      }
    }
    const s = stats.snapshot(T0 + 500, [svc(backends)]).services[0]!;
    expect(s.backends).toHaveLength(50);
    // Primaries 2..40 (weights 2..40) are the tier; weight sum 2+...+40 = 819.
    const tierWeight = (40 * 41) / 2 - 1;
    backends.forEach((b, i) => {
      const x = s.backends[i]!;
      expect(x.id).toBe(b.id);
      const requests = i < 40 ? i + 1 : 0;
      expect(x.requests).toBe(requests);
      expect(x.totalRequests).toBe(requests);
      expect(x.rps).toBe(requests * 2);
      expect(x.bytesOut).toBe(requests * 100);
      expect(x.status['5xx']).toBe(i < 40 ? Math.ceil(requests / 10) : 0);
      expect(x.status['2xx'] + x.status['5xx']).toBe(requests);
      expect(x.share).toBeCloseTo(requests / sent, 12);
      expect(x.expectedShare).toBeCloseTo(i === 0 || i >= 40 ? 0 : (i + 1) / tierWeight, 12);
      expect(x.available).toBe(i !== 0);
      expect(x.latency).toEqual(i < 40 ? { p50: i + 1, p90: i + 1, p99: i + 1, max: i + 1 } : null);
    });
    const shareSum = s.backends.reduce((t, x) => t + x.share, 0);
    const expectedSum = s.backends.reduce((t, x) => t + x.expectedShare, 0);
    expect(shareSum).toBeCloseTo(1, 12);
    expect(expectedSum).toBeCloseTo(1, 12);
  });
});
