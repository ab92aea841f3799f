/**
 * The Workbench's demo and load commands: demo backends it starts, balances
 * and stops with itself, and the one load run whose progress is pushed on
 * the same channel as events and stats.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadProgress, Push } from '../../../core/contract';
import type { WorkbenchEvent } from '../../../core/contract/events';
import { Workbench } from '../../../core/workbench';
import { waitFor } from '../../helpers/wait';

const workbenches: Workbench[] = [];
afterEach(async () => {
  await Promise.all(workbenches.splice(0).map((wb) => wb.stop(0)));
});

async function start(services: Array<{ name: string; protocol?: 'http' | 'tcp' }> = [{ name: 'demo' }]) {
  const wb = new Workbench({
    tickMs: 100,
    graceMs: 1000,
    workspace: { services: services.map((s) => ({ listen: '127.0.0.1:0', ...s })) },
  });
  workbenches.push(wb);
  const events: WorkbenchEvent[] = [];
  const loads: LoadProgress[] = [];
  wb.subscribe((p: Push) => {
    if (p.channel === 'event') events.push(p.event);
    else if (p.channel === 'load') loads.push(p.progress);
  });
  await wb.start({ failFast: true });
  const port = (name = 'demo') => {
    const address = wb.service(name)!.view().address!;
    return Number(address.slice(address.lastIndexOf(':') + 1));
  };
  return { wb, events, loads, port };
}

function get(port: number, agent: http.Agent | false = false): Promise<{ status: number; backend: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, backend: res.headers['x-demo-backend'] as string | undefined }));
      })
      .on('error', reject);
  });
}

function refused(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(false);
      })
      .on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('demo commands', () => {
  it('demo:add starts the next free demo backend and balances it; demo:remove takes it out; stop() stops them all', async () => {
    const { wb, events, port } = await start();
    const added = [];
    for (let i = 0; i < 3; i++) {
      const res = await wb.invoke('demo:add', { service: 'demo' });
      expect(res.ok, JSON.stringify(res)).toBe(true);
      if (res.ok) added.push(res.value);
    }
    expect(added.map((a) => [a.demo.name, a.demo.colour, a.backend.name, a.backend.url === a.demo.url])).toEqual([
      ['alpha', '#4e79a7', 'alpha', true],
      ['bravo', '#f28e2b', 'bravo', true],
      ['charlie', '#59a14f', 'charlie', true],
    ]);
    expect(added[1]!.demo.spec.latency).toMatchObject({ distribution: 'long-tail', ms: 60 });
    expect(events.filter((e) => e.type === 'demo:changed').map((e) => e.type === 'demo:changed' && e.change)).toEqual(['added', 'added', 'added']);

    const agent = new http.Agent({ keepAlive: true });
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const r = await get(port(), agent);
      expect(r.status).toBe(200);
      seen.add(r.backend!);
    }
    agent.destroy();
    expect([...seen].sort()).toEqual(['alpha', 'bravo', 'charlie']);

    const list = await wb.invoke('demo:list', {});
    expect(list.ok && list.value.map((d) => [d.name, d.running, d.usedBy.map((u) => `${u.service}/${u.backend}`), d.stats.served > 0])).toEqual([
      ['alpha', true, ['demo/alpha'], true],
      ['bravo', true, ['demo/bravo'], true],
      ['charlie', true, ['demo/charlie'], true],
    ]);

    const named = await wb.invoke('demo:add', { service: 'demo', spec: { name: 'slowpoke', latency: { ms: 200 } } });
    expect(named.ok && [named.value.demo.name, named.value.demo.spec.latency.ms, named.value.demo.colour]).toEqual(['slowpoke', 200, '#e15759']);
    const dup = await wb.invoke('demo:add', { service: 'demo', spec: { name: 'alpha' } });
    expect(!dup.ok && dup.error.code).toBe('CONFLICT');
    expect(wb.service('demo')!.backends).toHaveLength(4);

    const bravoUrl = added[1]!.demo.url;
    const removed = await wb.invoke('demo:remove', { name: 'bravo' });
    expect(removed.ok && [removed.value.removed, removed.value.backends.map((b) => b.name)]).toEqual(['bravo', ['bravo']]);
    expect(wb.service('demo')!.backends.map((b) => b.name)).toEqual(['alpha', 'charlie', 'slowpoke']);
    expect(await refused(bravoUrl)).toBe(true);
    const gone = await wb.invoke('demo:remove', { name: 'bravo' });
    expect(!gone.ok && gone.error.code).toBe('NOT_FOUND');

    await wb.stop(0);
    expect(await refused(added[0]!.demo.url)).toBe(true);
    expect(await refused(added[2]!.demo.url)).toBe(true);
  });

  it('demo:add refuses a TCP service and an unknown one, leaving nothing running', async () => {
    const { wb } = await start([{ name: 'demo' }, { name: 'raw', protocol: 'tcp' }]);
    const tcp = await wb.invoke('demo:add', { service: 'raw' });
    expect(!tcp.ok && tcp.error.code).toBe('INPUT_INVALID');
    const missing = await wb.invoke('demo:add', { service: 'nope' });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    const list = await wb.invoke('demo:list', {});
    expect(list.ok && list.value).toEqual([]);
  });
});

describe('load commands', () => {
  it('load:start holds 500 req/s within 5 % through the workbench, streaming progress on the load channel', async () => {
    const { wb, events, loads } = await start();
    for (let i = 0; i < 3; i++) await wb.invoke('demo:add', { service: 'demo', spec: { latency: { ms: 1 }, capacity: 1000 } });
    const res = await wb.invoke('load:start', { spec: { mode: 'open', rate: 500, durationMs: 4000, maxInFlight: 2000 } });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    expect(res.ok && [res.value.state, res.value.owner, res.value.service, res.value.target]).toEqual(['running', { kind: 'user' }, 'demo', `http://${wb.service('demo')!.view().address}`]);

    const again = await wb.invoke('load:start', { service: 'demo', spec: { mode: 'closed' } });
    expect(!again.ok && again.error.code).toBe('CONFLICT');

    await waitFor(() => events.some((e) => e.type === 'load:done'), { timeoutMs: 20_000, message: 'load:done' });
    const done = events.find((e) => e.type === 'load:done')!;
    if (done.type !== 'load:done') throw new Error('unreachable');
    const summary = done.summary;
    expect(summary.reason).toBe('duration');
    expect(events.find((e) => e.type === 'load:started')).toMatchObject({ service: 'demo', drill: null });

    // The rate over the steady part, from the pushed progress.
    // The rate over the whole run (the open loop sends by the schedule's integral, so a late timer catches up),
    // and the pushed progress: about every 500 ms, totals that only grow, the last one agreeing with the summary.
    console.log(`load:start through the workbench: target 500 req/s, achieved ${summary.rate.toFixed(1)} req/s, p50 ${summary.latency.p50.toFixed(1)} ms, p99 ${summary.latency.p99.toFixed(1)} ms`);
    expect(summary.rate).toBeGreaterThanOrEqual(475);
    expect(summary.rate).toBeLessThanOrEqual(525);
    expect(loads.length).toBeGreaterThanOrEqual(6);
    expect(loads.every((p, i) => i === 0 || (p.sent >= loads[i - 1]!.sent && p.elapsedMs > loads[i - 1]!.elapsedMs))).toBe(true);
    expect(loads.some((p) => p.targetRate === 500)).toBe(true);
    expect(loads.at(-1)!.sent).toBeLessThanOrEqual(summary.sent);
    const failed = Object.values(summary.failed).reduce((a, b) => a + b, 0);
    expect(failed).toBe(0);
    expect(summary.ok + summary.cancelled).toBe(summary.sent);
    expect(Object.keys(summary.backends).sort()).toEqual(['alpha', 'bravo', 'charlie']);

    const status = await wb.invoke('load:status', {});
    expect(status.ok && [status.value.state, status.value.last?.sent]).toEqual(['idle', summary.sent]);
  });

  it('load:stop ends a run early; load:start needs a service when several listen, and a loopback target', async () => {
    const { wb, events } = await start([{ name: 'demo' }, { name: 'other' }]);
    await wb.invoke('demo:add', { service: 'demo' });
    const which = await wb.invoke('load:start', { spec: { mode: 'closed' } });
    expect(!which.ok && which.error.code).toBe('INPUT_INVALID');
    const remote = await wb.invoke('load:start', { spec: { mode: 'closed', target: 'http://10.1.2.3:80' } });
    expect(!remote.ok && remote.error.code).toBe('INPUT_INVALID');

    const started = await wb.invoke('load:start', { service: 'demo', spec: { mode: 'closed', concurrency: 2 } });
    expect(started.ok).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'load:started'));
    const stopping = await wb.invoke('load:stop', {});
    expect(stopping.ok && ['running', 'stopping']).toContain(stopping.ok && stopping.value.state);
    await waitFor(() => events.some((e) => e.type === 'load:done'), { timeoutMs: 20_000 });
    const done = events.find((e) => e.type === 'load:done');
    expect(done?.type === 'load:done' && done.summary.reason).toBe('stopped');
  });
});
