/**
 * Live changes through the Workbench that must never stop anything: a
 * listener moved onto a busy port is refused while the service keeps
 * serving, a removed backend drains, and turning health checks off goes
 * through the checkers so every change of state is announced.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../../core/contract/events';
import type { ServiceInput } from '../../../core/model/spec';
import { Workbench } from '../../../core/workbench';
import { startHttpBackend, startTcpBackend, type HttpBackend } from '../../helpers/backends';
import { send } from '../../helpers/http-client';
import { waitFor } from '../../helpers/wait';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function backend(opts: Parameters<typeof startHttpBackend>[0] = {}): Promise<HttpBackend> {
  const b = await startHttpBackend(opts);
  cleanups.push(() => b.close());
  return b;
}

async function workbench(service: Partial<ServiceInput>, graceMs = 2000) {
  const wb = new Workbench({ tickMs: 100, graceMs, workspace: { services: [{ name: 'api', listen: '127.0.0.1:0', ...service }] } });
  const events: WorkbenchEvent[] = [];
  wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
  await wb.start({ failFast: true });
  cleanups.push(() => wb.stop(0));
  return { wb, events, port: () => portOf(wb.service('api')!.view().address) };
}

function portOf(address: string | null): number {
  if (address === null) throw new Error('not listening');
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** A port some other program holds for the test's length. */
async function busyPort(): Promise<number> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
  return (holder.address() as net.AddressInfo).port;
}

/** A free port now (closed again at once). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('a listener change binds before it releases', () => {
  it('refuses a move onto a busy port, keeps serving on the old one, and says why', async () => {
    const b = await backend({ name: 'b0' });
    const { wb, events, port } = await workbench({ backends: [{ url: b.url }] });
    const before = port();
    const taken = await busyPort();

    const result = await wb.invoke('services:update', { service: 'api', patch: { listen: `127.0.0.1:${taken}` } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('PORT_IN_USE');
      expect(result.error.message).toContain(String(taken));
    }
    const rejected = events.find((e) => e.type === 'config:rejected');
    expect(rejected, 'a config:rejected event').toBeDefined();
    if (rejected?.type === 'config:rejected') expect(rejected.error.message).toContain(`port ${taken}`);
    expect(events.filter((e) => e.type === 'service:stopped')).toEqual([]);

    const list = await wb.invoke('services:list', {});
    expect(list.ok && list.value[0]!.address).toBe(`127.0.0.1:${before}`);
    expect(list.ok && list.value[0]!.listen).toBe('127.0.0.1:0');
    expect((await send(before)).status).toBe(200);
  });

  it('moves to a free port: the new one serves, then the old one is released', async () => {
    const b = await backend({ name: 'b0' });
    const { wb, port } = await workbench({ backends: [{ url: b.url }] });
    const before = port();
    const target = await freePort();
    const result = await wb.invoke('services:update', { service: 'api', patch: { listen: `127.0.0.1:${target}` } });
    expect(result.ok).toBe(true);
    expect(port()).toBe(target);
    expect((await send(target)).status).toBe(200);
    await expect(send(before)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('serves a request that was in flight on the old listener to its end while the move happens', async () => {
    const b = await backend({ name: 'b0', delayMs: 400 });
    const { wb, port } = await workbench({ backends: [{ url: b.url }] });
    const before = port();
    const inFlight = send(before, { agent: false });
    await waitFor(() => b.hits === 1);
    const target = await freePort();
    const moved = wb.invoke('services:update', { service: 'api', patch: { listen: `127.0.0.1:${target}` } });
    expect((await inFlight).status).toBe(200);
    expect((await moved).ok).toBe(true);
  });

  it('changes the protocol on its own port (release, then bind): http to tcp', async () => {
    const http1 = await backend({ name: 'b0' });
    const { wb, port } = await workbench({ backends: [{ url: http1.url }] });
    const p = await freePort();
    expect((await wb.invoke('services:update', { service: 'api', patch: { listen: `127.0.0.1:${p}` } })).ok).toBe(true);
    const tcp = await wb.invoke('workspace:replace', {
      workspace: { services: [{ name: 'api', protocol: 'tcp', listen: `127.0.0.1:${p}`, backends: [{ url: `tcp://127.0.0.1:${http1.port}` }] }] },
    });
    expect(tcp.ok).toBe(true);
    expect(port()).toBe(p);
    // HTTP bytes through the TCP balancer still reach the HTTP backend.
    expect((await send(p)).status).toBe(200);
    expect(wb.service('api')!.spec.protocol).toBe('tcp');
  });

  it('a refused move of one service changes no other service of the same change', async () => {
    const b = await backend({ name: 'b0' });
    const wb = new Workbench({
      tickMs: 100,
      workspace: {
        services: [
          { name: 'one', listen: '127.0.0.1:0', backends: [{ url: b.url }] },
          { name: 'two', listen: '127.0.0.1:0', backends: [{ url: b.url }] },
        ],
      },
    });
    await wb.start({ failFast: true });
    cleanups.push(() => wb.stop(0));
    const one = portOf(wb.service('one')!.address);
    const two = portOf(wb.service('two')!.address);
    const free = await freePort();
    const taken = await busyPort();
    const ws = wb.getWorkspace();
    ws.services[0]!.listen = `127.0.0.1:${free}`;
    ws.services[1]!.listen = `127.0.0.1:${taken}`;
    const result = await wb.invoke('workspace:replace', { workspace: ws });
    expect(result.ok).toBe(false);
    expect([portOf(wb.service('one')!.address), portOf(wb.service('two')!.address)]).toEqual([one, two]);
    expect((await send(one)).status).toBe(200);
    expect((await send(two)).status).toBe(200);
    // The port the refused change had bound for "one" is free again.
    await expect(send(free)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('removing a backend drains it', () => {
  it('a POST the backend had received finishes; new requests go to the others', async () => {
    const slow = await backend({ name: 'slow', delayMs: 600 });
    const other = await backend({ name: 'other' });
    const { wb, port } = await workbench({ backends: [{ url: slow.url, name: 'slow' }, { url: other.url, name: 'other' }] });
    const p = port();
    const post = send(p, { method: 'POST', body: 'order-1', agent: false });
    await waitFor(() => slow.hits === 1, { message: 'the POST reached the slow backend' });
    const removed = await wb.invoke('backends:remove', { service: 'api', backend: 'slow' });
    expect(removed.ok).toBe(true);
    for (let i = 0; i < 5; i++) expect((await send(p)).headers['x-backend']).toBe('other');
    const answer = await post;
    expect(answer.status).toBe(200);
    expect(answer.headers['x-backend']).toBe('slow');
    expect(slow.hits).toBe(1);
  });

  it('what is still running when the grace period ends is cut (a POST gets 502; it is not sent again)', async () => {
    let started = 0;
    const hung = await backend({ name: 'hung', handler: () => void started++ });
    const other = await backend({ name: 'other' });
    const { wb, port } = await workbench({ backends: [{ url: hung.url, name: 'hung' }, { url: other.url, name: 'other' }], timeouts: { responseMs: 60_000 } }, 300);
    const pending = send(port(), { method: 'POST', body: 'x', agent: false }).then(
      (a) => a.status,
      () => 'cut',
    );
    await waitFor(() => started === 1);
    const t0 = performance.now();
    expect((await wb.invoke('backends:remove', { service: 'api', backend: 'hung' })).ok).toBe(true);
    const outcome = await pending;
    const waited = performance.now() - t0;
    // Cut at the 300 ms grace, not at the 60 s response timeout (margins for a busy machine).
    expect(outcome).toBe(502);
    expect(other.hits, 'the POST was not sent again elsewhere').toBe(0);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5000);
  });
});

describe('removing a tcp backend drains its connections', () => {
  it('an open connection keeps working through the grace period, then closes; new ones go elsewhere', async () => {
    const gone = await startTcpBackend();
    const stays = await startTcpBackend();
    cleanups.push(() => gone.close(), () => stays.close());
    const { wb, port } = await workbench(
      { protocol: 'tcp', backends: [{ url: gone.url, name: 'gone' }, { url: stays.url, name: 'stays' }] },
      600,
    );
    const client = net.connect(port(), '127.0.0.1');
    cleanups.push(async () => client.destroy());
    let echoed = '';
    client.on('data', (d: Buffer) => (echoed += d.toString()));
    const closed = new Promise<number>((resolve) => client.once('close', () => resolve(performance.now())));
    client.write('one;');
    await waitFor(() => echoed === 'one;');
    expect(gone.connections, 'the first connection went to "gone" (round-robin)').toBe(1);

    const t0 = performance.now();
    expect((await wb.invoke('backends:remove', { service: 'api', backend: 'gone' })).ok).toBe(true);
    client.write('two;');
    await waitFor(() => echoed === 'one;two;', { message: 'the open connection still works within the grace period' });
    const other = net.connect(port(), '127.0.0.1');
    cleanups.push(async () => other.destroy());
    await waitFor(() => stays.connections === 1, { message: 'a new connection goes to the backend that stays' });
    const waited = (await closed) - t0;
    // Closed at the 600 ms grace (polled every 50 ms), not before it and not never.
    expect(waited).toBeGreaterThanOrEqual(550);
    expect(waited).toBeLessThan(5000);
  });
});

describe('turning checks off goes through their one writer', () => {
  it('active checks off: an unhealthy backend is reported back to unknown and takes traffic', async () => {
    const bad = await backend({ name: 'bad', status: 500 });
    const good = await backend({ name: 'good' });
    const { wb, events, port } = await workbench({
      backends: [{ url: bad.url, name: 'bad' }, { url: good.url, name: 'good' }],
      healthCheck: { path: '/', intervalMs: 100, timeoutMs: 200, rise: 1, fall: 1 },
    });
    await waitFor(() => wb.service('api')!.findBackend('bad').health === 'unhealthy');
    expect((await wb.invoke('services:update', { service: 'api', patch: { healthCheck: null } })).ok).toBe(true);
    const back = events.find((e) => e.type === 'health:changed' && e.backend === 'bad' && e.to === 'unknown');
    expect(back, 'a health:changed event to unknown').toMatchObject({ from: 'unhealthy', cause: 'health checks turned off' });
    expect(wb.service('api')!.findBackend('bad').health).toBe('unknown');
    bad.status = 200;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(String((await send(port())).headers['x-backend']));
    expect(seen).toEqual(new Set(['bad', 'good']));
  });

  it('passive ejection off: an ejected backend returns, with its event', async () => {
    const bad = await backend({ name: 'bad', status: 503 });
    const good = await backend({ name: 'good' });
    const { wb, events, port } = await workbench({
      backends: [{ url: bad.url, name: 'bad' }, { url: good.url, name: 'good' }],
      passiveHealth: { consecutive5xx: 2, baseEjectionMs: 60_000 },
    });
    for (let i = 0; i < 6 && !wb.service('api')!.findBackend('bad').ejected; i++) await send(port());
    expect(wb.service('api')!.findBackend('bad').ejected).toBe(true);
    expect((await wb.invoke('services:update', { service: 'api', patch: { passiveHealth: null } })).ok).toBe(true);
    expect(wb.service('api')!.findBackend('bad').ejected).toBe(false);
    expect(events.find((e) => e.type === 'backend:returned' && e.backend === 'bad')).toMatchObject({ cause: 'passive health turned off' });
  });
});
