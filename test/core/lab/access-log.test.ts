/**
 * Access-log records and sampled decisions of real requests through the
 * Workbench, on loopback: a retried request's two attempts (the refused
 * backend first), debug headers, and the per-tick 'lab' push.
 */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { Push } from '../../../core/contract/events';
import { AccessLogWriter } from '../../../core/lab/access-log';
import type { AccessRecord, LabBatch } from '../../../core/lab/types';
import type { WorkspaceInput } from '../../../core/model/spec';
import { Workbench } from '../../../core/workbench';
import net from 'node:net';
import { closedPort, startHttpBackend, startTcpBackend } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { send } from '../../helpers/http-client';
import { waitFor } from '../../helpers/wait';

const cleanup = useCleanup();

type ServiceInput = NonNullable<WorkspaceInput['services']>[number];

async function start(service: Partial<ServiceInput>, accessLog?: (r: AccessRecord) => void) {
  const wb = new Workbench({ tickMs: 50, graceMs: 1000, accessLog, workspace: { services: [{ name: 'web', listen: '127.0.0.1:0', ...service }] } });
  const pushes: Push[] = [];
  wb.subscribe((p) => pushes.push(p));
  await wb.start({ failFast: true });
  cleanup.defer(() => wb.stop(0));
  const address = wb.service('web')!.view().address!;
  return { wb, pushes, port: Number(address.slice(address.lastIndexOf(':') + 1)) };
}

/** A refused backend (a closed port) first in a round robin, a good one second. */
async function refusedThenGood() {
  const good = await startHttpBackend({ name: 'good' });
  cleanup.track(good);
  const refused = `http://127.0.0.1:${await closedPort()}`;
  return [
    { url: refused, name: 'dead' },
    { url: good.url, name: 'good' },
  ];
}

describe('access log over real sockets', () => {
  it('a retried request: two attempts, the refused one first, then the backend that answered', async () => {
    const records: AccessRecord[] = [];
    const { port } = await start({ strategy: 'round-robin', backends: await refusedThenGood() }, (r) => records.push(r));
    const res = await send(port, { path: '/hello?x=1' });
    expect(res.status).toBe(200);
    await waitFor(() => records.length === 1, 5000);
    const r = records[0]!;
    expect(r).toMatchObject({ service: 'web', method: 'GET', path: '/hello?x=1', status: 200, backend: 'good' });
    expect(r.attempts.map((a) => [a.backend, a.outcome])).toEqual([
      ['dead', 'refused'],
      ['good', 'ok'],
    ]);
    for (const a of r.attempts) expect(a.ms).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeGreaterThanOrEqual(r.attempts[1]!.ms);
    expect(Number.isNaN(Date.parse(r.time))).toBe(false);
    // The decision's reason, with names: the retry's round had good alone in it (dead, tried, sat it out).
    expect(r.reason).toMatchObject({ kind: 'round-robin', position: 1, of: 1 });
    expect(r.reason?.kind === 'round-robin' && r.reason.table.map((t) => [t.backend, t.inRound])).toEqual([
      ['dead', false],
      ['good', true],
    ]);
  });

  it('the sampled decisions reach UIs in the tick\'s lab push: the retry names what failed before it', async () => {
    const { pushes, port, wb } = await start({ strategy: 'round-robin', backends: await refusedThenGood() });
    expect((await send(port)).status).toBe(200);
    const batch = await waitFor(() => pushes.find((p): p is { channel: 'lab'; batch: LabBatch } => p.channel === 'lab' && p.batch.services.some((s) => s.decisions.length > 0)), 5000);
    const svc = batch.batch.services.find((s) => s.service === 'web')!;
    expect(svc.decisions.map((d) => [d.attempt, d.backend, d.after?.backend ?? null, d.after?.outcome ?? null])).toEqual([
      [1, 'dead', null, null],
      [2, 'good', 'dead', 'refused'],
    ]);
    expect(svc.access).toHaveLength(1);
    const recent = await wb.invoke('strategy:decisions', { service: 'web' });
    expect(recent.ok && recent.value.map((d) => d.backend)).toEqual(['dead', 'good']);
  });

  it('a status the service retries on: outcome "status 503", then the next backend', async () => {
    const bad = cleanup.track(await startHttpBackend({ name: 'bad', status: 503 }));
    const good = cleanup.track(await startHttpBackend({ name: 'good' }));
    const records: AccessRecord[] = [];
    const { port } = await start(
      { strategy: 'round-robin', retries: { onStatus: [503] }, backends: [{ url: bad.url, name: 'bad' }, { url: good.url, name: 'good' }] },
      (r) => records.push(r),
    );
    expect((await send(port)).status).toBe(200);
    await waitFor(() => records.length === 1, 5000);
    expect(records[0]!.attempts.map((a) => `${a.backend}:${a.outcome}`)).toEqual(['bad:status 503', 'good:ok']);
    expect(records[0]!.backend).toBe('good');
  });

  it('no backend at all: status 503, no attempts, no backend', async () => {
    const records: AccessRecord[] = [];
    const { port } = await start({ backends: [] }, (r) => records.push(r));
    expect((await send(port)).status).toBe(503);
    await waitFor(() => records.length === 1, 5000);
    expect(records[0]).toMatchObject({ status: 503, backend: null, attempts: [], reason: null });
  });
});

describe('TCP connections', () => {
  it('are sampled for decisions (a refused connect, then the next backend), and make no access-log record', async () => {
    const echo = cleanup.track(await startTcpBackend());
    const records: AccessRecord[] = [];
    const { pushes, port } = await start(
      { protocol: 'tcp', strategy: 'least-connections', backends: [{ url: `tcp://127.0.0.1:${await closedPort()}`, name: 'dead' }, { url: echo.url, name: 'echo' }] },
      (r) => records.push(r),
    );
    const socket = net.connect(port, '127.0.0.1');
    cleanup.defer(() => socket.destroy());
    socket.write('ping');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    const batch = await waitFor(() => pushes.find((p): p is { channel: 'lab'; batch: LabBatch } => p.channel === 'lab' && p.batch.services.some((s) => s.decisions.length > 0)), 5000);
    const svc = batch.batch.services[0]!;
    expect(svc.decisions.map((d) => [d.method, d.attempt, d.backend, d.after?.outcome ?? null])).toEqual([
      ['TCP', 1, 'dead', null],
      ['TCP', 2, 'echo', 'refused'],
    ]);
    expect(svc.decisions[1]!.reason).toMatchObject({ kind: 'least-connections', tied: 1, candidates: [{ backend: 'echo' }] });
    expect(svc.access).toEqual([]);
    expect(records).toEqual([]);
  });
});

describe('debugHeaders', () => {
  it('adds x-lbw-backend and x-lbw-attempts when on, live, and nothing when off', async () => {
    const { port, wb } = await start({ strategy: 'round-robin', debugHeaders: true, backends: await refusedThenGood() });
    const res = await send(port);
    expect(res.status).toBe(200);
    expect(res.headers['x-lbw-backend']).toBe('good');
    expect(res.headers['x-lbw-attempts']).toBe('2');
    const off = await wb.invoke('services:update', { service: 'web', patch: { debugHeaders: false } });
    expect(off.ok).toBe(true);
    const plain = await send(port);
    expect(plain.status).toBe(200);
    expect(plain.headers['x-lbw-backend']).toBeUndefined();
    expect(plain.headers['x-lbw-attempts']).toBeUndefined();
    expect(wb.getWorkspace().services[0]!.debugHeaders).toBeUndefined();
  });

  it("on the balancer's own 502 after every backend refused: x-lbw-attempts and no x-lbw-backend", async () => {
    const dead = (name: string) => closedPort().then((p) => ({ url: `http://127.0.0.1:${p}`, name }));
    const { port } = await start({ debugHeaders: true, backends: [await dead('d1'), await dead('d2')] });
    const res = await send(port);
    expect(res.status).toBe(502);
    expect(res.headers['x-lbw-attempts']).toBe('2');
    expect(res.headers['x-lbw-backend']).toBeUndefined();
  });
});

describe('AccessLogWriter', () => {
  it('writes one JSON line per record, batched, and drops (counting) beyond its buffer', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const w = new AccessLogWriter(out, { ownsStream: true, maxBufferedBytes: 600 });
    const rec = (i: number): AccessRecord => ({ time: new Date(0).toISOString(), service: 's', method: 'GET', path: `/${i}`, status: 200, ms: 1, backend: 'b', attempts: [{ backend: 'b', outcome: 'ok', ms: 1 }], reason: null });
    for (let i = 0; i < 20; i++) w.write(rec(i));
    expect(chunks).toEqual([]); // nothing until the next turn of the event loop
    await w.close();
    const lines = chunks.join('').trim().split('\n');
    expect(w.dropped).toBeGreaterThan(0);
    expect(lines).toHaveLength(20 - w.dropped);
    expect(lines.map((l) => (JSON.parse(l) as AccessRecord).path)).toEqual(Array.from({ length: lines.length }, (_, i) => `/${i}`));
  });
});
