import { afterEach, describe, expect, it } from 'vitest';
import { DemoBackend, type DemoBackendInput } from '../../../core/demo/demo-backend';
import { LoadGenerator } from '../../../core/demo/load/load-generator';
import type { LoadSpecInput } from '../../../core/demo/load/spec';
import type { LoadProgress, LoadSummary } from '../../../core/demo/load/types';
import { LbError } from '../../../core/model/errors';
import { closedPort, startHttpBackend, type HttpBackend } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';

const backends: DemoBackend[] = [];
const plain: HttpBackend[] = [];
const generators: LoadGenerator[] = [];

async function demo(spec: DemoBackendInput): Promise<DemoBackend> {
  const b = new DemoBackend(spec);
  backends.push(b);
  await b.start();
  return b;
}

/** Starts a generator and collects its progress reports. */
function run(spec: LoadSpecInput): { gen: LoadGenerator; progress: LoadProgress[]; done: Promise<LoadSummary> } {
  const gen = new LoadGenerator(spec);
  generators.push(gen);
  const progress: LoadProgress[] = [];
  gen.on('progress', (p) => progress.push(p));
  const done = new Promise<LoadSummary>((resolve) => gen.on('done', resolve));
  gen.start();
  return { gen, progress, done };
}

const totalFailed = (s: LoadSummary) => Object.values(s.failed).reduce((a, b) => a + b, 0);

afterEach(async () => {
  await Promise.all(generators.splice(0).map((g) => g.stop()));
  await Promise.all(backends.splice(0).map((b) => b.stop()));
  await Promise.all(plain.splice(0).map((b) => b.close()));
});

describe('LoadGenerator', () => {
  it('closed loop: N clients, each with one request outstanding, for the duration', async () => {
    const b = await demo({ name: 'closed', latency: { ms: 50 }, capacity: 4 });
    const peaks = { inFlight: 0, queued: 0 };
    const { progress, done } = run({
      mode: 'closed',
      concurrency: 4,
      target: b.url!,
      durationMs: 1500,
      requests: [
        { method: 'GET', path: '/get', weight: 1 },
        { method: 'POST', path: '/post', weight: 1 },
      ],
      bodyBytes: 1000,
    });
    const sample = setInterval(() => {
      const s = b.stats();
      peaks.inFlight = Math.max(peaks.inFlight, s.inFlight);
      peaks.queued = Math.max(peaks.queued, s.queued);
    }, 5);
    const summary = await done;
    clearInterval(sample);

    expect(summary.reason).toBe('duration');
    expect(summary.durationMs).toBeGreaterThanOrEqual(1490);
    // Each request takes at least 50 ms: at most 4 × (1500 / 50 + 1) can be sent; a slow machine sends fewer.
    expect(summary.sent).toBeLessThanOrEqual(124);
    expect(summary.sent).toBeGreaterThanOrEqual(40);
    expect(summary.ok + totalFailed(summary) + summary.cancelled).toBe(summary.sent);
    expect(totalFailed(summary)).toBe(0);
    expect(summary.ok).toBe(summary.sent); // 50 ms answers finish within the stop grace
    expect(summary.backends).toEqual({ closed: summary.ok });
    expect(summary.latency.p50).toBeGreaterThanOrEqual(49);
    expect(peaks).toEqual({ inFlight: 4, queued: 0 });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const stats = b.stats();
    expect(stats.served).toBe(summary.ok);
    const posts = stats.bodyBytes / 1000;
    expect(Number.isInteger(posts) && posts > 0 && posts < summary.sent).toBe(true);
  });

  it('open loop holds 500 req/s within 5 % over the steady part of a 4 s run', async () => {
    const b = await demo({ name: 'fast', latency: { ms: 0 }, capacity: 1000 });
    const { progress, done } = run({ mode: 'open', rate: 500, target: b.url!, durationMs: 4000, maxInFlight: 2000 });
    const summary = await done;
    // Steady part: from the first report after about 1 s to the last one before the end (reports may come late on a busy machine).
    const steady = progress.filter((p) => p.elapsedMs >= 900 && p.elapsedMs <= 4000);
    const first = steady[0]!;
    const last = steady[steady.length - 1]!;
    expect(last.elapsedMs - first.elapsedMs).toBeGreaterThanOrEqual(1500);
    const rate = ((last.sent - first.sent) * 1000) / (last.elapsedMs - first.elapsedMs);
    console.log(`open loop: target 500 req/s, achieved ${rate.toFixed(1)} req/s steady, ${summary.rate.toFixed(1)} overall`);
    expect(rate).toBeGreaterThanOrEqual(475);
    expect(rate).toBeLessThanOrEqual(525);
    expect(summary.skipped).toBe(0);
    expect(totalFailed(summary)).toBe(0);
    expect(summary.ok).toBe(summary.sent);
    expect(last.targetRate).toBe(500);
    expect(last.latency.count).toBeGreaterThan(0);
  });

  it('open loop ramps the rate up from rampFromRate', async () => {
    const b = await demo({ name: 'ramp', latency: { ms: 0 }, capacity: 1000 });
    const { progress, done } = run({ mode: 'open', rampFromRate: 40, rate: 400, rampMs: 2000, target: b.url!, durationMs: 2000, maxInFlight: 2000 });
    const summary = await done;
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const firstRate = progress[0]!.rate.interval; // about 0-500 ms: ~85 req/s scheduled
    const lastRate = progress[progress.length - 1]!.rate.interval; // about 1500-2000 ms: ~355 req/s scheduled
    expect(lastRate).toBeGreaterThan(2 * firstRate);
    expect(progress[progress.length - 1]!.targetRate!).toBeGreaterThan(progress[0]!.targetRate!);
    // The whole ramp schedules (40 + 400) / 2 × 2 s = 440 requests.
    expect(summary.sent).toBeGreaterThanOrEqual(400);
    expect(summary.sent).toBeLessThanOrEqual(441);
  });

  it('carries one of K keys in a header, and follows the weighted mix', async () => {
    const b = await startHttpBackend();
    plain.push(b);
    const { gen } = run({
      mode: 'closed',
      concurrency: 4,
      target: b.url,
      key: { header: 'x-user', count: 7 },
      requests: [
        { method: 'GET', path: '/a', weight: 3 },
        { method: 'DELETE', path: '/b', weight: 1 },
      ],
      durationMs: 20_000,
    });
    await waitFor(() => b.hits >= 800, { timeoutMs: 15_000 });
    const summary = await gen.stop();
    expect(summary.reason).toBe('stopped');
    const keys = new Set(b.requests.map((r) => r.headers['x-user']));
    expect([...keys].sort()).toEqual(Array.from({ length: 7 }, (_, k) => `user-${k}`).sort());
    const n = b.requests.length;
    const a = b.requests.filter((r) => r.method === 'GET' && r.url === '/a').length;
    const del = b.requests.filter((r) => r.method === 'DELETE' && r.url === '/b').length;
    expect(a + del).toBe(n);
    expect(Math.abs(a - n * 0.75)).toBeLessThanOrEqual(4 * Math.sqrt(n * 0.75 * 0.25));
  });

  it('carries the key as a cookie when asked', async () => {
    const b = await startHttpBackend();
    plain.push(b);
    const { gen } = run({ mode: 'closed', concurrency: 2, target: b.url, key: { cookie: 'sid', count: 3, prefix: 's' } });
    await waitFor(() => b.hits >= 100, { timeoutMs: 15_000 });
    await gen.stop();
    expect(new Set(b.requests.map((r) => r.headers.cookie))).toEqual(new Set(['sid=s0', 'sid=s1', 'sid=s2']));
  });

  it('counts failures by kind: 5xx, 4xx, refused and timeout', async () => {
    const e5 = await demo({ name: 'e5', latency: { ms: 0 }, errorRate: 1 });
    const e4 = await demo({ name: 'e4', latency: { ms: 0 }, errorRate: 1, errorStatus: 429 });
    const slow = await demo({ name: 'slow', latency: { ms: 5000 } });
    const refused = `http://127.0.0.1:${await closedPort()}`;
    const spec = { mode: 'open', rate: 40, durationMs: 500 } as const;
    const [s5, s4, sr, st] = await Promise.all([
      run({ ...spec, target: e5.url! }).done,
      run({ ...spec, target: e4.url! }).done,
      run({ ...spec, target: refused }).done,
      run({ ...spec, target: slow.url!, timeoutMs: 100 }).done,
    ]);
    for (const s of [s5, s4, sr, st]) expect(s.error).toBeUndefined();
    expect(s5.failed.status5xx).toBe(s5.sent);
    expect(s5.backends).toEqual({ e5: s5.sent });
    expect(s4.failed.status4xx).toBe(s4.sent);
    expect(sr.failed.refused).toBe(sr.sent);
    expect(st.failed.timeout).toBe(st.sent);
    for (const s of [s5, s4, sr, st]) expect(s.sent).toBeGreaterThan(5);
  });

  it('cancels requests still in flight a short grace after stop()', async () => {
    const b = await demo({ name: 'stuck', latency: { ms: 20_000 } });
    const { gen } = run({ mode: 'closed', concurrency: 3, target: b.url! });
    await waitFor(() => b.stats().inFlight === 3);
    const t0 = performance.now();
    const summary = await gen.stop();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(summary).toMatchObject({ reason: 'stopped', sent: 3, ok: 0, cancelled: 3 });
    expect(gen.running).toBe(false);
  });

  it('stops by itself at durationMs', async () => {
    const b = await demo({ name: 'short', latency: { ms: 0 } });
    const { gen, done } = run({ mode: 'open', rate: 100, target: b.url!, durationMs: 300 });
    const summary = await done;
    expect(summary.reason).toBe('duration');
    expect(summary.durationMs).toBeGreaterThanOrEqual(295);
    expect(summary.sent).toBeGreaterThanOrEqual(20);
    expect(summary.sent).toBeLessThanOrEqual(30);
    expect(gen.running).toBe(false);
    expect(await gen.stop()).toBe(summary);
  });

  it('rejects targets that are not on loopback, with a clear error', () => {
    for (const target of ['http://example.com', 'http://10.0.0.1:8080', 'http://[::2]:80', 'http://0.0.0.0:8080']) {
      expect(() => new LoadGenerator({ mode: 'open', rate: 10, target })).toThrow(/loopback address \(127\.0\.0\.0\/8, ::1 or localhost\)/);
    }
    try {
      new LoadGenerator({ mode: 'closed', target: 'http://192.168.1.10:80' });
    } catch (err) {
      expect(err).toBeInstanceOf(LbError);
      expect((err as LbError).code).toBe('INPUT_INVALID');
    }
    expect(() => new LoadGenerator({ mode: 'open', rate: 10, target: 'https://127.0.0.1:443' })).toThrow(/http:\/\//);
    for (const target of ['http://localhost:1', 'http://127.1.2.3:1', 'http://[::1]:1']) {
      expect(() => new LoadGenerator({ mode: 'open', rate: 10, target })).not.toThrow();
    }
  });

  it('caps durationMs at ten minutes and defaults to it', () => {
    expect(new LoadGenerator({ mode: 'closed', target: 'http://127.0.0.1:1' }).spec.durationMs).toBe(600_000);
    expect(() => new LoadGenerator({ mode: 'closed', target: 'http://127.0.0.1:1', durationMs: 600_001 })).toThrow(/durationMs/);
  });

  it('runs once: stop() before start() ends it empty, and start() after that is a conflict', async () => {
    const gen = new LoadGenerator({ mode: 'closed', target: 'http://127.0.0.1:1' });
    const summary = await gen.stop();
    expect(summary).toMatchObject({ reason: 'stopped', sent: 0 });
    expect(() => gen.start()).toThrow(/already run/);
  });
});
