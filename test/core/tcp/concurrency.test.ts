/**
 * Many connections at once, and closing a service that has open ones:
 * 1,000 clients hold their connections open together and all echo, and a
 * closing service stops accepting, waits for open connections up to its
 * grace period, then drops the rest.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { connect, dial, mapLimit, openConnections, tcpFixtures, type Client } from './helpers';

const { backends: echoBackends, service, client, defer } = tcpFixtures();

describe('TCP concurrency', () => {
  it('holds 1,000 connections open at once, and every one echoes', { timeout: 60_000 }, async () => {
    const bs = await echoBackends(3);
    const s = await service(bs.map((b) => b.url), { strategy: 'least-connections' });
    const n = 1000;
    const started = performance.now();
    // Opened in waves of 250 so the listen backlog never overflows (a dropped SYN costs a 1 s retransmit); all stay open.
    const clients = await mapLimit(Array.from({ length: n }, (_, i) => i), 250, () => client(s.port));
    await waitFor(async () => (await s.service.serverConnections()) === n && s.backends.reduce((sum, b) => sum + b.inFlight, 0) === n, {
      timeoutMs: 20_000,
      message: '1,000 connections open through the balancer',
    });
    // Least-connections spread them evenly.
    for (const b of s.backends) expect(b.inFlight).toBeGreaterThanOrEqual(333);

    await Promise.all(
      clients.map(async (c: Client, i) => {
        const message = `client ${i} says hello`;
        c.socket.write(message);
        expect((await c.receive(message.length)).toString()).toBe(message);
      }),
    );
    const openedAndEchoed = performance.now() - started;
    expect(s.rec.settled).toHaveLength(n);
    expect(s.rec.settled.every((o) => o.error === undefined)).toBe(true);

    for (const c of clients) c.socket.end();
    await waitFor(async () => (await s.service.serverConnections()) === 0 && s.rec.closed === n, { timeoutMs: 20_000 });
    for (const b of bs) await waitFor(async () => (await openConnections(b.server)) === 0);
    if (process.env.LBW_TCP_REPORT) console.log(`1,000 concurrent connections opened and echoed in ${openedAndEchoed.toFixed(0)} ms`);
  });
});

describe('TCP drain on close', () => {
  it('stops accepting, lets an open connection finish, then resolves', async () => {
    const [b] = await echoBackends(1);
    const s = await service([b!.url]);
    const c = await connect(s.port);
    c.socket.write('before');
    await c.receive(6);

    let closedAt = 0;
    const closing = s.service.close(10_000).then(() => (closedAt = Date.now()));
    expect(s.service.address).toBeNull();
    // New connections are refused...
    const late = dial(s.port);
    await late.whenClosed();
    expect(late.error?.code).toBe('ECONNREFUSED');
    // ...while the open one keeps working.
    c.socket.write(' and after');
    await c.receive(16);
    expect(c.received.toString()).toBe('before and after');
    expect(closedAt).toBe(0);

    const endedAt = Date.now();
    c.socket.end();
    await closing;
    // Well before the 10 s bound: it resolved because the connection ended.
    expect(closedAt - endedAt).toBeLessThan(5000);
    expect(s.service.socketCounts()).toEqual({ client: 0, upstream: 0 });
    expect(await openConnections(b!.server)).toBe(0);
    expect(s.backends[0]!.inFlight).toBe(0);
  });

  it('drops connections still open when the grace period ends', async () => {
    const [b] = await echoBackends(1);
    const s = await service([b!.url]);
    const clients = await Promise.all([connect(s.port), connect(s.port)]);
    for (const c of clients) defer(() => c.socket.destroy());
    await waitFor(() => s.backends[0]!.inFlight === 2);
    const started = Date.now();
    await s.service.close(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    for (const c of clients) await c.whenClosed();
    expect(s.service.socketCounts()).toEqual({ client: 0, upstream: 0 });
    await waitFor(async () => (await openConnections(b!.server)) === 0);
    expect(s.backends[0]!.inFlight).toBe(0);
    expect(s.rec.closed).toBe(2);
  });
});
