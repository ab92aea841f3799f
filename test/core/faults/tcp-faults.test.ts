/**
 * Layer-4 faults through the Workbench, as the UI drives them: faults:set on
 * a tcp service, what passive health and the TCP health checks (connect, and
 * send/expect) make of them, and live toggles that apply to new connections.
 */
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { FaultInput } from '../../../core/faults/spec';
import type { ServiceInput } from '../../../core/model/spec';
import type { TcpBackend } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { dial, tcpFixtures } from '../tcp/helpers';

const fx = tcpFixtures();
const { backend, client } = fx;

/** An echo backend that answers PING with +PONG, for send/expect checks. */
function pinged(s: net.Socket): void {
  s.on('data', (d: Buffer) => s.write(d.toString() === 'PING\r\n' ? '+PONG\r\n' : d));
}

/** The tcp service `db` over `backends`, with faults:set and a backend lookup by name. */
async function workbench(service: Partial<ServiceInput>, backends: TcpBackend[]) {
  const lab = await fx.workbench(service, backends.map((b) => b.url));
  const { wb } = lab;
  const set = async (name: string, faults: FaultInput[]) => {
    const res = await wb.invoke('faults:set', { service: 'db', backend: name, faults });
    expect(res.ok, JSON.stringify(res)).toBe(true);
  };
  const find = (name: string) => wb.service('db')!.findBackend(name);
  return { ...lab, set, find };
}

/** One connection: the echo of `message`, or how it ended. */
async function echoOrEnd(port: number, message: string): Promise<string> {
  const c = dial(port);
  c.socket.write(message);
  try {
    return (await c.receive(message.length)).toString();
  } catch {
    return c.error?.code ?? 'closed';
  } finally {
    c.socket.destroy();
  }
}

describe('TCP faults and passive health', () => {
  it('a reset at connect is counted like a real one: the client sees the reset, and the backend is ejected', async () => {
    const bs = [await backend(), await backend()];
    const { port, events, snapshots, set } = await workbench(
      { strategy: 'round-robin', passiveHealth: { consecutiveErrors: 3, maxEjectedPercent: 50, baseEjectionMs: 60_000 } },
      bs,
    );
    await set('b0', [{ type: 'reset' }]);
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) seen.push(await echoOrEnd(port, `hello ${i}`));
    // Round-robin sends every other connection to b0 until it is ejected after its third reset.
    expect(seen.slice(0, 6)).toEqual(['ECONNRESET', 'hello 1', 'ECONNRESET', 'hello 3', 'ECONNRESET', 'hello 5']);
    expect(seen.slice(6)).toEqual(['hello 6', 'hello 7', 'hello 8', 'hello 9', 'hello 10', 'hello 11']);
    expect(events.find((e) => e.type === 'backend:ejected')).toMatchObject({ backend: 'b0', cause: '3 consecutive connect errors (last: reset)' });
    expect(bs[0]!.connections).toBe(0);
    await waitFor(() => snapshots.reduce((n, s) => n + s.requests, 0) === 12, { message: 'every connection counted' });
    expect(snapshots.reduce((n, s) => n + s.backends[0]!.errors.reset, 0)).toBe(3);
  });
});

describe('TCP health checks through faults', () => {
  const CHECK = { intervalMs: 100, timeoutMs: 300, rise: 2, fall: 2 };

  it('a connect check fails on down (ECONNREFUSED), passes through a blackhole, and recovers after faults:clear', async () => {
    const bs = [await backend(), await backend()];
    const { wb, events, set, find } = await workbench({ healthCheck: { type: 'tcp', ...CHECK } }, bs);
    await waitFor(() => find('b0').health === 'healthy' && find('b1').health === 'healthy', { message: 'both healthy' });

    await set('b0', [{ type: 'down' }]);
    await waitFor(() => find('b0').health === 'unhealthy', { message: 'b0 unhealthy' });
    expect(find('b0').lastCheck?.detail).toBe('ECONNREFUSED');
    expect(events.find((e) => e.type === 'health:changed' && e.backend === 'b0' && e.to === 'unhealthy')).toMatchObject({ cause: 'check failed: ECONNREFUSED' });
    expect(find('b1').health).toBe('healthy');

    expect((await wb.invoke('faults:clear', { service: 'db' })).ok).toBe(true);
    await waitFor(() => find('b0').health === 'healthy', { message: 'b0 healthy again' });

    // The port still accepts under a blackhole: a bare connect check cannot tell.
    await set('b0', [{ type: 'blackhole' }]);
    const from = find('b0').lastCheck!.at;
    await waitFor(() => find('b0').lastCheck!.at > from + 4 * CHECK.intervalMs, { message: 'a few more checks' });
    expect(find('b0').health).toBe('healthy');
  });

  it('a send/expect check fails on a blackhole (its timeout) and on down, and recovers after faults:clear', async () => {
    const bs = [await backend(pinged), await backend(pinged)];
    const { wb, set, find, port } = await workbench({ healthCheck: { type: 'tcp', send: 'PING\r\n', expect: '+PONG', ...CHECK } }, bs);
    await waitFor(() => find('b0').health === 'healthy' && find('b1').health === 'healthy', { message: 'both healthy' });

    await set('b0', [{ type: 'blackhole' }]);
    await waitFor(() => find('b0').health === 'unhealthy', { message: 'b0 unhealthy' });
    expect(find('b0').lastCheck?.detail).toBe('timeout after 300 ms');
    // Unhealthy, b0 gets no clients: they all reach b1.
    for (let i = 0; i < 4; i++) expect(await echoOrEnd(port, `hi ${i}`)).toBe(`hi ${i}`);

    await wb.invoke('faults:clear', {});
    await waitFor(() => find('b0').health === 'healthy', { message: 'b0 healthy again' });

    await set('b0', [{ type: 'down' }]);
    await waitFor(() => find('b0').health === 'unhealthy', { message: 'b0 unhealthy on down' });
    expect(find('b0').lastCheck?.detail).toBe('ECONNREFUSED');
    await wb.invoke('faults:clear', {});
    await waitFor(() => find('b0').health === 'healthy', { message: 'b0 healthy after down' });
  });
});

describe('live toggles on a TCP service', () => {
  it('turning a fault off restores new connections at once; an open connection keeps what it drew', async () => {
    const b = await backend();
    const { port, set } = await workbench({ retries: { attempts: 1 } }, [b]);

    await set('b0', [{ type: 'down' }]);
    expect(await echoOrEnd(port, 'refused')).toBe('ECONNRESET');
    await set('b0', [{ type: 'down', enabled: false }]);
    expect(await echoOrEnd(port, 'back')).toBe('back');

    await set('b0', [{ type: 'blackhole' }]);
    const holed = await client(port);
    holed.socket.write('into the hole');
    await set('b0', [{ type: 'blackhole', enabled: false }]);
    for (let i = 0; i < 3; i++) expect(await echoOrEnd(port, `after ${i}`)).toBe(`after ${i}`);
    // The blackholed connection, opened before the toggle, is still held and still silent.
    expect(holed.closed).toBe(false);
    expect(holed.received.length).toBe(0);
  });
});
