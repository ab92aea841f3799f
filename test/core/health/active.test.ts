/**
 * The active checker against real servers on loopback. Intervals are short
 * and every expectation waits for a condition with a generous deadline, so a
 * slow machine makes the run longer, not red.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ActiveHealthChecker, type ActiveCheckerDeps, type HealthTransition } from '../../../core/health/active';
import { Backend } from '../../../core/model/backend';
import { HealthCheckSchema, type HealthCheckSpec } from '../../../core/model/spec';
import { closedPort, startHttpBackend, startTcpBackend } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A spec with short timings; built without the schema's minimums so intervals can be 50 ms. */
function spec(over: Partial<HealthCheckSpec> = {}): HealthCheckSpec {
  return { ...HealthCheckSchema.parse({}), intervalMs: 50, timeoutMs: 1000, rise: 2, fall: 2, ...over };
}

function backendAt(url: string): Backend {
  return new Backend({ url, weight: 1, state: 'active', backup: false });
}

function checker(s: HealthCheckSpec, backends: Backend[], extra: Partial<ActiveCheckerDeps> = {}) {
  const transitions: HealthTransition[] = [];
  const passes: Backend[] = [];
  const c = new ActiveHealthChecker(s, {
    now: Date.now,
    onTransition: (t) => transitions.push(t),
    onPass: (b) => passes.push(b),
    ...extra,
  });
  c.setBackends(backends);
  cleanups.push(() => c.stop());
  return { c, transitions, passes };
}

async function http(opts: Parameters<typeof startHttpBackend>[0] = {}) {
  const b = await startHttpBackend(opts);
  cleanups.push(() => b.close());
  return b;
}

const arrows = (ts: HealthTransition[]) => ts.map((t) => `${t.from}->${t.to}`);

describe('ActiveHealthChecker (HTTP)', () => {
  it('marks an answering backend healthy, with the check recorded', async () => {
    const srv = await http();
    const b = backendAt(srv.url);
    const { c, transitions, passes } = checker(spec(), [b]);
    c.start();
    await waitFor(() => b.health === 'healthy');
    expect(transitions).toEqual([{ backend: b, from: 'unknown', to: 'healthy', cause: 'check passed: 200' }]);
    expect(b.lastCheck).toMatchObject({ ok: true, detail: '200' });
    expect(b.lastCheck!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(b.lastCheck!.at).toBeGreaterThan(0);
    expect(passes[0]).toBe(b);
    expect(srv.requests[0]).toMatchObject({ method: 'GET', url: '/health' });
    expect(srv.requests[0]!.headers.connection).toBe('close');
  });

  it('marks a 503 backend unhealthy after exactly `fall` checks, once, naming the status', async () => {
    const srv = await http({ status: 503 });
    const b = backendAt(srv.url);
    let hitsAtTransition = -1;
    const { c, transitions } = checker(spec({ fall: 3 }), [b], {
      onTransition: (t) => {
        transitions.push(t);
        hitsAtTransition = srv.hits;
      },
    });
    c.start();
    await waitFor(() => b.health === 'unhealthy');
    expect(hitsAtTransition).toBe(3);
    expect(transitions).toEqual([{ backend: b, from: 'unknown', to: 'unhealthy', cause: 'check failed: 503 (expected 200-399)' }]);
    expect(b.lastCheck).toMatchObject({ ok: false, detail: '503 (expected 200-399)' });
    await waitFor(() => srv.hits >= 6);
    expect(transitions).toHaveLength(1);
  });

  it('reports ECONNREFUSED for a closed port', async () => {
    const b = backendAt(`http://127.0.0.1:${await closedPort()}`);
    const { c, transitions } = checker(spec(), [b]);
    c.start();
    await waitFor(() => b.health === 'unhealthy');
    expect(transitions.map((t) => t.cause)).toEqual(['check failed: ECONNREFUSED']);
    expect(b.lastCheck).toMatchObject({ ok: false, detail: 'ECONNREFUSED' });
  });

  it('reports a timeout for a backend that never answers', async () => {
    const srv = await http({ handler: () => {} });
    const b = backendAt(srv.url);
    const { c } = checker(spec({ timeoutMs: 150, fall: 1 }), [b]);
    const result = await c.checkNow(b);
    expect(result).toMatchObject({ ok: false, detail: 'timeout after 150 ms' });
    expect(b.health).toBe('unhealthy');
    expect(b.lastCheck).toBe(result);
  });

  it('notices a killed backend within interval x fall (plus margin) and its return', async () => {
    const srv = await http();
    const b = backendAt(srv.url);
    const s = spec({ intervalMs: 100, fall: 2, rise: 2 });
    const { c, transitions } = checker(s, [b]);
    c.start();
    await waitFor(() => b.health === 'healthy');

    const killedAt = Date.now();
    await srv.close();
    await waitFor(() => b.health === 'unhealthy', 10_000);
    expect(Date.now() - killedAt).toBeLessThan(s.intervalMs * s.fall + 3000);
    expect(transitions[1]!.cause).toMatch(/^check failed: (ECONNREFUSED|ECONNRESET|EPIPE)$/);

    const again = await http({ port: srv.port });
    await waitFor(() => b.health === 'healthy', 10_000);
    expect(again.hits).toBeGreaterThanOrEqual(2); // rise = 2
    expect(arrows(transitions)).toEqual(['unknown->healthy', 'healthy->unhealthy', 'unhealthy->healthy']);
  });

  it('uses downIntervalMs while unhealthy', async () => {
    const srv = await http({ status: 500 });
    const b = backendAt(srv.url);
    const { c } = checker(spec({ intervalMs: 60_000, downIntervalMs: 50, fall: 1 }), [b]);
    c.start();
    // At a 60 s interval the third check would come after two minutes.
    await waitFor(() => srv.hits >= 4, 10_000);
    expect(b.health).toBe('unhealthy');
  });

  it('parses expectStatus lists and ranges', async () => {
    const srv = await http();
    const b = backendAt(srv.url);
    const { c } = checker(spec({ expectStatus: '200,204,300-399', fall: 1 }), [b]);
    for (const [status, ok, detail] of [
      [204, true, '204'],
      [302, true, '302'],
      [201, false, '201 (expected 200,204,300-399)'],
    ] as const) {
      srv.status = status;
      expect(await c.checkNow(b)).toMatchObject({ ok, detail });
    }
  });

  it('rejects a malformed expectStatus at creation', () => {
    expect(() => new ActiveHealthChecker(spec({ expectStatus: '399-200' }), { now: Date.now, onTransition: () => {} })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('applies an updated spec to the next checks', async () => {
    const srv = await http();
    const b = backendAt(srv.url);
    const { c } = checker(spec(), [b]);
    c.start();
    await waitFor(() => srv.hits >= 1);
    c.update(spec({ path: '/ready' }));
    await waitFor(() => srv.requests.at(-1)?.url === '/ready');
  });

  it('starts new backends, stops removed ones, keeps the state of kept ones', async () => {
    const one = await http();
    const two = await http({ status: 503 });
    const b1 = backendAt(one.url);
    const b2 = backendAt(two.url);
    const { c, transitions } = checker(spec({ fall: 1 }), [b1]);
    c.start();
    await waitFor(() => b1.health === 'healthy');
    c.setBackends([b1, b2]);
    await waitFor(() => b2.health === 'unhealthy');
    c.setBackends([b2]);
    const hits = one.hits;
    await waitFor(() => two.hits >= 4); // b2 goes on being checked meanwhile
    expect(one.hits).toBeLessThanOrEqual(hits + 1); // at most the probe that was in flight
    expect(arrows(transitions)).toEqual(['unknown->healthy', 'unknown->unhealthy']);
    await expect(c.checkNow(b1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('joins a check in flight instead of starting another', async () => {
    const srv = await http({ delayMs: 100 });
    const b = backendAt(srv.url);
    const { c } = checker(spec(), [b]);
    const [r1, r2] = await Promise.all([c.checkNow(b), c.checkNow(b)]);
    expect(r1).toBe(r2);
    expect(srv.hits).toBe(1);
  });

  it('survives a callback that throws', async () => {
    const srv = await http();
    const b = backendAt(srv.url);
    const errors: unknown[] = [];
    const { c } = checker(spec(), [b], {
      onTransition: () => {
        throw new Error('boom');
      },
      onError: (err) => errors.push(err),
    });
    c.start();
    await waitFor(() => errors.length === 1);
    const hits = srv.hits;
    await waitFor(() => srv.hits >= hits + 3);
    expect(b.health).toBe('healthy');
  });
});

describe('ActiveHealthChecker (TCP)', () => {
  it('passes on connect for a tcp backend and fails on a refused one', async () => {
    const srv = await startTcpBackend();
    cleanups.push(() => srv.close());
    const up = backendAt(srv.url);
    const down = backendAt(`tcp://127.0.0.1:${await closedPort()}`);
    const { c, transitions } = checker(spec({ type: 'tcp' }), [up, down]);
    c.start();
    await waitFor(() => up.health === 'healthy' && down.health === 'unhealthy');
    expect(up.lastCheck).toMatchObject({ ok: true, detail: 'connected' });
    expect(transitions.find((t) => t.backend === down)?.cause).toBe('check failed: ECONNREFUSED');
  });

  it('checks an http backend by connecting when the type is tcp', async () => {
    const srv = await http({ status: 500 });
    const b = backendAt(srv.url);
    const { c } = checker(spec({ type: 'tcp' }), [b]);
    expect(await c.checkNow(b)).toMatchObject({ ok: true, detail: 'connected' });
    expect(srv.hits).toBe(0);
  });
});

describe('ActiveHealthChecker.stop', () => {
  it('aborts probes in flight: stop() resolves at once and the backend can close', async () => {
    const hanging = await http({ handler: () => {} });
    const ok = await http();
    const bh = backendAt(hanging.url);
    const bo = backendAt(ok.url);
    // A long interval and timeout: a probe stop() failed to abort would hold it for a minute.
    const { c } = checker(spec({ intervalMs: 60_000, timeoutMs: 60_000 }), [bh, bo]);
    c.start();
    await waitFor(() => hanging.hits >= 1 && bo.health === 'healthy');

    const stopped = Date.now();
    await c.stop();
    expect(Date.now() - stopped).toBeLessThan(5000); // the hanging probe was aborted, not waited out
    expect(c.isRunning).toBe(false);
    // Without dropping connections, close() completes only once the checker's socket is gone.
    const closed = await Promise.race([
      new Promise<string>((resolve) => hanging.server.close(() => resolve('closed'))),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open'), 5000).unref()),
    ]);
    expect(closed).toBe('closed');
  });

  // Timers left behind are invisible in-process (vitest keeps its own); a child process that must exit sees them.
  it('lets the process exit on its own after stop()', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/checker-exits.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(killer);
    expect(out).toContain('stopped while healthy');
    expect(code).toBe(0);
  });
});
