/**
 * A TCP service through the Workbench, as `lbw run` or the UI drives it:
 * real echo backends on loopback, the stats snapshots counting connections,
 * bytes and connect times, passive ejection on connect errors, and send/expect
 * health checks from the workspace file.
 */
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ServiceInput } from '../../../core/model/spec';
import type { ServiceSnapshot } from '../../../core/stats/types';
import { closedPort } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { tcpFixtures } from './helpers';

const fx = tcpFixtures();
const { backend, client } = fx;

function workbench(service: Partial<ServiceInput>, urls: string[]) {
  return fx.workbench(service, urls, { graceMs: 2000 });
}

/** Sums a field over the snapshots, for the service or one backend. */
function total(snaps: ServiceSnapshot[], pick: (s: ServiceSnapshot) => number): number {
  return snaps.reduce((n, s) => n + pick(s), 0);
}

describe('TCP services through the Workbench', () => {
  it('counts connections, bytes and connect times in the stats snapshots', async () => {
    const bs = [await backend(), await backend()];
    const { snapshots, port } = await workbench({ strategy: 'round-robin' }, bs.map((b) => b.url));
    const payload = 'x'.repeat(1000);
    for (let i = 0; i < 20; i++) {
      const c = await client(port);
      c.socket.write(payload);
      await c.receive(payload.length);
      c.socket.end();
      await c.whenClosed();
    }
    await waitFor(() => total(snapshots, (s) => s.bytesOut) === 20_000 && total(snapshots, (s) => s.requests) === 20, { timeoutMs: 5000 });
    expect(total(snapshots, (s) => s.bytesIn)).toBe(20_000);
    for (const i of [0, 1]) {
      expect(total(snapshots, (s) => s.backends[i]!.requests)).toBe(10);
      expect(total(snapshots, (s) => s.backends[i]!.bytesIn)).toBe(10_000);
      expect(total(snapshots, (s) => s.backends[i]!.bytesOut)).toBe(10_000);
    }
    // Connect times fill the latency histogram; no errors, no statuses.
    const withLatency = snapshots.filter((s) => s.backends[0]!.latency !== null);
    expect(withLatency.length).toBeGreaterThan(0);
    expect(withLatency[0]!.backends[0]!.latency!.p99).toBeGreaterThanOrEqual(withLatency[0]!.backends[0]!.latency!.p50);
    expect(total(snapshots, (s) => s.errors.refused + s.errors.reset + s.errors.timeout + s.errors.other)).toBe(0);
    expect(total(snapshots, (s) => s.status['2xx'])).toBe(0);
    const last = snapshots.at(-1)!;
    expect(last.protocol).toBe('tcp');
    expect(last.backends.map((b) => b.totalRequests)).toEqual([10, 10]);
    await waitFor(() => snapshots.at(-1)!.inFlight === 0);
  });

  it('shows open connections as in flight while they stay open', async () => {
    const bs = [await backend(), await backend()];
    const { snapshots, port } = await workbench({ strategy: 'least-connections' }, bs.map((b) => b.url));
    const held = [await client(port), await client(port), await client(port)];
    await waitFor(() => {
      const s = snapshots.at(-1);
      return s && s.inFlight === 3 && s.backends[0]!.inFlight + s.backends[1]!.inFlight === 3;
    });
    for (const c of held) c.socket.end();
    await waitFor(() => {
      const s = snapshots.at(-1);
      return s && s.inFlight === 0 && s.backends.every((b) => b.inFlight === 0);
    });
  });

  it('ejects a backend that refuses connections, and every client still gets through', async () => {
    const good = await backend();
    const refused = `tcp://127.0.0.1:${await closedPort()}`;
    const { events, snapshots, port } = await workbench(
      { strategy: 'round-robin', passiveHealth: { consecutiveErrors: 3, maxEjectedPercent: 50, baseEjectionMs: 60_000 } },
      [refused, good.url],
    );
    for (let i = 0; i < 12; i++) {
      const c = await client(port);
      c.socket.write(`hello ${i}`);
      expect((await c.receive(`hello ${i}`.length)).toString()).toBe(`hello ${i}`);
      c.socket.destroy();
    }
    const ejected = events.find((e) => e.type === 'backend:ejected');
    expect(ejected).toMatchObject({ backend: 'b0', cause: '3 consecutive connect errors (last: refused)' });
    await waitFor(() => total(snapshots, (s) => s.requests) === 12);
    expect(total(snapshots, (s) => s.backends[0]!.errors.refused)).toBe(3);
    expect(total(snapshots, (s) => s.retries)).toBe(3);
    expect(total(snapshots, (s) => s.errors.refused)).toBe(0); // every client connection got through
  });

  it('checks TCP backends with send/expect from the workspace, and sends traffic only to the passing one', async () => {
    const clientBytes = [0, 0];
    const answering = (i: number, reply: string) => (s: net.Socket) => {
      s.on('data', (d: Buffer) => {
        if (d.toString() === 'PING\r\n') return void s.write(reply);
        clientBytes[i]! += d.length;
        s.write(d); // echo what clients send
      });
    };
    const pong = await backend(answering(0, '+PONG\r\n'));
    const err = await backend(answering(1, '-ERR\r\n'));
    const { events, port } = await workbench(
      { healthCheck: { type: 'tcp', send: 'PING\r\n', expect: '+PONG', intervalMs: 100, timeoutMs: 1000, rise: 1, fall: 2 } },
      [pong.url, err.url],
    );
    await waitFor(() => events.some((e) => e.type === 'health:changed' && e.backend === 'b0' && e.to === 'healthy'));
    await waitFor(() => events.some((e) => e.type === 'health:changed' && e.backend === 'b1' && e.to === 'unhealthy'));
    for (let i = 0; i < 6; i++) {
      const c = await client(port);
      c.socket.write('hi');
      await c.receive(2);
      c.socket.destroy();
    }
    // Only health probes reached the failing backend, never a client.
    expect(clientBytes).toEqual([12, 0]);
    expect(events.find((e) => e.type === 'health:changed' && e.backend === 'b1')).toMatchObject({ cause: expect.stringContaining('-ERR') });
  });

  it('accepts every layer-4 strategy for a TCP service, peak-EWMA included', async () => {
    const b = await backend();
    const { wb, port } = await workbench({}, [b.url]);
    for (const strategy of ['weighted-round-robin', 'least-connections', 'random', 'power-of-two', 'peak-ewma', 'ring-hash', 'maglev']) {
      const res = await wb.invoke('strategy:set', { service: 'db', strategy, options: {} });
      expect(res).toMatchObject({ ok: true });
      const c = await client(port);
      c.socket.write(strategy);
      expect((await c.receive(strategy.length)).toString()).toBe(strategy);
      c.socket.destroy();
    }
  });
});
