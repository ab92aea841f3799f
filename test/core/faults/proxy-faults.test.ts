/**
 * Each fault's effect as a client of a real Workbench sees it, over real
 * backends on loopback, and what the stats and passive health make of it.
 */
import { describe, expect, it } from 'vitest';
import type { FaultInput } from '../../../core/faults/spec';
import { waitFor } from '../../helpers/wait';
import { expectBinomial, faultFixtures, hit, hitMany, median, seeded, type Lab } from './helpers';

const { backends, startLab } = faultFixtures();

async function setFaults(lab: Lab, backend: string, faults: FaultInput[]): Promise<void> {
  const res = await lab.wb.invoke('faults:set', { service: 'api', backend, faults });
  expect(res.ok, JSON.stringify(res)).toBe(true);
}

describe('latency fault', () => {
  it('adds the delay before forwarding: +200 ms (±50 jitter) delays every request by at least 150 ms, the median by at most 600', async () => {
    const [b] = await backends(1);
    const lab = await startLab([b!]);
    const base = await hitMany(lab.port, 20, 5);
    await setFaults(lab, 'web0', [{ type: 'latency', ms: 200, jitterMs: 50 }]);
    const slow = await hitMany(lab.port, 20, 5);
    expect(slow.every((s) => s.status === 200)).toBe(true);
    // The lower bound holds per request whatever the machine's load (a timer never
    // fires more than ~1 ms early); a difference of medians did not, when the
    // unfaulted round happened to stall.
    expect(Math.min(...slow.map((s) => s.ms))).toBeGreaterThanOrEqual(149);
    const added = median(slow.map((s) => s.ms)) - median(base.map((s) => s.ms));
    expect(added).toBeLessThanOrEqual(600);
  });
});

describe('error fault', () => {
  it('answers 503 for 30% of 2,000 requests (within 4σ), counted as the backend’s 5xx', async () => {
    const [b] = await backends(1);
    const lab = await startLab([b!], {}, { random: seeded(7) });
    await setFaults(lab, 'web0', [{ type: 'error', status: 503, toxicity: 0.3 }]);
    const n = 2000;
    const seen = await hitMany(lab.port, n, 20);
    const errors = seen.filter((s) => s.status === 503).length;
    expect(seen.filter((s) => s.status !== 503 && s.status !== 200)).toEqual([]);
    expectBinomial(errors, n, 0.3);
    // The injected answers never reached the backend, and the stats count them as its own.
    expect(b!.hits).toBe(n - errors);
    const t = lab.totals('web0');
    expect(t).toMatchObject({ requests: n, s5xx: errors, s2xx: n - errors, retries: 0 });
    expect(seen.find((s) => s.status === 503)!.headers['x-lb-fault']).toBe('error');
  });

  it('ejects the backend through passive health like a real run of 5xx would', async () => {
    const bs = await backends(2);
    const lab = await startLab(bs, { passiveHealth: { enabled: true, consecutive5xx: 5, baseEjectionMs: 60_000 } });
    await setFaults(lab, 'web0', [{ type: 'error', status: 500 }]);
    const seen = await hitMany(lab.port, 40, 1);
    await waitFor(() => lab.events.some((e) => e.type === 'backend:ejected' && e.backend === 'web0'));
    const ejected = lab.events.find((e) => e.type === 'backend:ejected')!;
    expect(ejected.type === 'backend:ejected' && ejected.cause).toBe('5 consecutive 5xx (last: 500)');
    // Once ejected, everything goes to web1.
    expect(seen.slice(-10).every((s) => s.status === 200)).toBe(true);
  });

  it('with retries.onStatus [503], every GET is retried elsewhere and answered 200; a POST still gets the 503', async () => {
    const bs = await backends(2);
    const lab = await startLab(bs, { strategy: 'round-robin', retries: { onStatus: [503] } });
    await setFaults(lab, 'web0', [{ type: 'error', status: 503 }]);
    const seen = await hitMany(lab.port, 40, 4);
    expect(seen.map((s) => s.status)).toEqual(Array(40).fill(200));
    // web0 never saw a request (the fault answered for it); web1 answered all of them.
    expect(bs[0]!.hits).toBe(0);
    expect(bs[1]!.hits).toBe(40);
    // The fault's answers still count as web0's 5xx, and each one as a retry.
    const t = lab.totals('web0');
    expect(t.s5xx).toBeGreaterThan(0);
    expect(lab.totals('web1').retries + t.retries).toBe(t.s5xx);
    const posts = await hitMany(lab.port, 4, 1, () => ({ method: 'POST', body: 'x' }));
    expect(posts.map((s) => s.status).sort()).toEqual([200, 200, 503, 503]);
  });
});

describe('reset fault', () => {
  it('before the response: a GET is retried on another backend (200), a POST gets 502 and is never sent twice', async () => {
    const bs = await backends(2);
    const lab = await startLab(bs, { strategy: 'round-robin' });
    await setFaults(lab, 'web0', [{ type: 'reset' }]);
    const gets = await hitMany(lab.port, 40, 4, (i) => ({ path: `/get/${i}` }));
    expect(gets.map((s) => s.status).filter((st) => st !== 200)).toEqual([]);
    const posts = await hitMany(lab.port, 40, 4, (i) => ({ method: 'POST', path: `/post/${i}`, body: 'x' }));
    const failed = posts.filter((s) => s.status === 502);
    expect(failed.length).toBeGreaterThan(0);
    expect(posts.filter((s) => s.status !== 200 && s.status !== 502)).toEqual([]);
    expect(failed.every((s) => s.headers['x-lb-error'] === 'LB_UPSTREAM_RESET')).toBe(true);
    // Every POST reached a backend exactly once; the reset ones reached web0 (which acted on them) and nothing else.
    const postPaths = [...bs[0]!.requests, ...bs[1]!.requests].filter((r) => r.method === 'POST').map((r) => r.url);
    expect(postPaths).toHaveLength(40);
    expect(new Set(postPaths).size).toBe(40);
    expect(bs[0]!.requests.filter((r) => r.method === 'POST')).toHaveLength(failed.length);
    // Each GET that met the reset was counted on web0 and sent again elsewhere.
    const resetGets = bs[0]!.requests.filter((r) => r.method === 'GET').length;
    expect(resetGets).toBeGreaterThan(0);
    expect(lab.totals('web0')).toMatchObject({ reset: resetGets + failed.length, retries: resetGets });
    expect(lab.wb.service('api')!.resends).toEqual({ idempotent: resetGets, nonIdempotent: 0 });
  });

  it('mid-body: the client gets the headers and part of the body, then the connection drops', async () => {
    const body = Buffer.alloc(64 * 1024, 'x');
    const bs = await backends(1, {
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      },
    });
    const lab = await startLab(bs);
    await setFaults(lab, 'web0', [{ type: 'reset', when: 'mid-body', afterBytes: 4096 }]);
    for (let i = 0; i < 5; i++) {
      const seen = await hit(lab.port);
      expect(seen.status).toBe(200);
      expect(seen.aborted).toBe(true);
      expect(seen.body.length).toBeLessThanOrEqual(4096);
    }
    await waitFor(() => lab.totals('web0').reset === 5, { message: '5 resets counted on web0' });
    // Healed, the same request arrives whole.
    await lab.wb.invoke('faults:clear', {});
    const whole = await hit(lab.port);
    expect(whole.aborted).toBe(false);
    expect(whole.body.length).toBe(body.length);
  });
});

describe('hang fault', () => {
  it('never answers: the response timeout fires and the client gets 504, counted as a timeout', async () => {
    const bs = await backends(1);
    const lab = await startLab(bs, { timeouts: { responseMs: 300 } });
    await setFaults(lab, 'web0', [{ type: 'hang' }]);
    const seen = await hit(lab.port);
    expect(seen.status).toBe(504);
    expect(seen.headers['x-lb-error']).toBe('LB_UPSTREAM_TIMEOUT');
    expect(seen.ms).toBeGreaterThanOrEqual(290);
    expect(bs[0]!.hits).toBe(0);
    expect(lab.totals('web0').timeout).toBe(1);
  });

  it('a hung GET is retried on a healthy backend once the timeout fires', async () => {
    const bs = await backends(2);
    const lab = await startLab(bs, { timeouts: { responseMs: 200 } });
    await setFaults(lab, 'web0', [{ type: 'hang' }]);
    const seen = await hitMany(lab.port, 4, 2);
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    expect(Math.max(...seen.map((s) => s.ms))).toBeGreaterThanOrEqual(190);
  });
});

describe('bandwidth fault', () => {
  it('200 KiB at 100 KiB/s takes at least about 1.5 s, and arrives whole', async () => {
    const body = Buffer.alloc(200 * 1024, 'y');
    const bs = await backends(1, { handler: (_req, res) => res.end(body) });
    const lab = await startLab(bs);
    await setFaults(lab, 'web0', [{ type: 'bandwidth', kibPerSec: 100 }]);
    const seen = await hit(lab.port);
    expect(seen.status).toBe(200);
    expect(seen.aborted).toBe(false);
    expect(seen.body.length).toBe(body.length);
    expect(seen.ms).toBeGreaterThanOrEqual(1500);
    expect(seen.ms).toBeLessThan(6000);
  });
});

describe('down fault', () => {
  it('refuses like a closed port: every request is retried on the other backend, POSTs included, and web0 sees nothing', async () => {
    const bs = await backends(2);
    const lab = await startLab(bs, { strategy: 'round-robin' });
    await setFaults(lab, 'web0', [{ type: 'down' }]);
    const seen = await hitMany(lab.port, 20, 2, (i) => (i % 2 ? { method: 'POST', body: 'x' } : {}));
    expect(seen.map((s) => s.status).filter((st) => st !== 200)).toEqual([]);
    expect(bs[0]!.hits).toBe(0);
    expect(bs[1]!.hits).toBe(20);
    expect(lab.totals('web0')).toMatchObject({ refused: 10, retries: 10 });
    // A refused request was never sent, so retrying a POST is no duplicate.
    expect(lab.wb.service('api')!.resends.nonIdempotent).toBe(0);
  });

  it('with a single backend the client gets 502 refused', async () => {
    const bs = await backends(1);
    const lab = await startLab(bs);
    await setFaults(lab, 'web0', [{ type: 'down' }]);
    const seen = await hit(lab.port);
    expect(seen.status).toBe(502);
    expect(seen.headers['x-lb-error']).toBe('LB_UPSTREAM_REFUSED');
  });
});
