/**
 * TCP connections when things go wrong: refused connects retried elsewhere,
 * a backend dying mid-stream, clients aborting in every phase, no backend at
 * all. Each test ends with every socket closed and every count back at zero.
 */
import { describe, expect, it } from 'vitest';
import { closedPort } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { startBlackhole } from '../proxy/helpers';
import { allClosed, connect, dial, mapLimit, startNamedBackend, tcpFixtures, type Client } from './helpers';

const { backend: echoBackend, service, client, track } = tcpFixtures();

/** Sends a message and waits for its echo (after any greeting already read). */
async function roundTrip(c: Client, message: string): Promise<void> {
  const before = c.received.length;
  c.socket.write(message);
  const got = await c.receive(before + message.length);
  expect(got.subarray(before).toString()).toBe(message);
}

describe('TCP failures', () => {
  it('retries a refused connect on another backend: every connection succeeds', async () => {
    const refused = `tcp://127.0.0.1:${await closedPort()}`;
    const bs = [await echoBackend(), await echoBackend()];
    const s = await service([bs[0]!.url, refused, bs[1]!.url], { strategy: 'round-robin', retries: { attempts: 3 } });
    await mapLimit(Array.from({ length: 150 }, (_, i) => i), 30, async (i) => {
      const c = await connect(s.port);
      await roundTrip(c, `message ${i}`);
      c.socket.destroy();
    });
    expect(s.rec.settled).toHaveLength(150);
    expect(s.rec.settled.every((o) => o.error === undefined && !o.noBackend)).toBe(true);
    const refusals = s.rec.attempts.filter((a) => a.outcome.error === 'refused');
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((a) => a.backend === 'b1')).toBe(true);
    expect(s.rec.retried).toHaveLength(refusals.length);
    await allClosed(s, bs);
  });

  it('resets the client when every try is refused, after retries.attempts tries', async () => {
    const urls = await Promise.all([1, 2, 3].map(async () => `tcp://127.0.0.1:${await closedPort()}`));
    const s = await service(urls, { retries: { attempts: 2 } });
    const c = dial(s.port);
    await c.whenClosed();
    expect(c.received.length).toBe(0);
    expect(c.error?.code).toBe('ECONNRESET');
    await waitFor(() => s.rec.settled.length === 1);
    expect(s.rec.attempts.map((a) => a.outcome.error)).toEqual(['refused', 'refused']);
    expect(s.rec.settled[0]).toMatchObject({ error: 'refused' });
    await allClosed(s, []);
  });

  it('resets the client when no backend is available', async () => {
    const b = await echoBackend();
    const s = await service([b.url]);
    s.backends[0]!.state = 'disabled';
    const c = dial(s.port);
    await c.whenClosed();
    expect(c.error?.code).toBe('ECONNRESET');
    expect(s.rec.settled).toEqual([expect.objectContaining({ noBackend: true })]);
    expect(b.connections).toBe(0);
    await allClosed(s, [b]);
  });

  it("closes a killed backend's clients while the others keep echoing", async () => {
    const bs = await Promise.all(['b0', 'b1'].map((n) => startNamedBackend(n)));
    track(bs[1]!);
    const s = await service(bs.map((b) => b.url), { strategy: 'round-robin' });
    const clients: Array<{ c: Client; who: string }> = [];
    for (let i = 0; i < 10; i++) {
      const c = await client(s.port);
      clients.push({ c, who: await c.line() });
    }
    for (const { c } of clients) await roundTrip(c, 'before');
    const onB0 = clients.filter((x) => x.who === 'b0');
    const onB1 = clients.filter((x) => x.who === 'b1');
    expect(onB0).toHaveLength(5);

    await bs[0]!.close(); // drops its connections: the backend is gone
    await waitFor(() => onB0.every((x) => x.c.ended || x.c.closed), { message: "b0's clients see the close" });
    for (let round = 0; round < 5; round++) for (const { c } of onB1) await roundTrip(c, `after ${round}`);
    expect(onB1.every((x) => !x.c.closed)).toBe(true);

    // New connections find b0 refusing and land on b1.
    for (let i = 0; i < 4; i++) {
      const c = await client(s.port);
      expect(await c.line()).toBe('b1');
      await roundTrip(c, 'new');
    }
    for (const { c } of onB1) c.socket.end();
    await waitFor(() => s.backends[0]!.inFlight === 0 && s.backends[1]!.inFlight === 4);
  });

  it('leaves no socket open after 1,000 clients abort in every phase', async () => {
    // Clients that leave at once often do so while the balancer is still connecting to the backend.
    const bs = [await echoBackend(), await echoBackend()];
    const s = await service(bs.map((b) => b.url), { strategy: 'least-connections' });
    const kinds = ['destroy-at-once', 'destroy-after-write', 'reset-after-write', 'end-after-echo', 'reset-after-echo'] as const;
    await mapLimit(Array.from({ length: 1000 }, (_, i) => kinds[i % kinds.length]!), 200, async (kind) => {
      const c = await connect(s.port);
      c.socket.on('error', () => {});
      switch (kind) {
        case 'destroy-at-once':
          c.socket.destroy();
          break;
        case 'destroy-after-write':
          c.socket.write('abandoned');
          c.socket.destroy();
          break;
        case 'reset-after-write':
          c.socket.write('abandoned');
          c.socket.resetAndDestroy();
          break;
        case 'end-after-echo':
          await roundTrip(c, 'ping');
          c.socket.end();
          break;
        case 'reset-after-echo':
          await roundTrip(c, 'ping');
          c.socket.resetAndDestroy();
          break;
      }
    });
    await allClosed(s, bs);
    expect(s.rec.started).toBe(1000);
    expect(s.rec.closed).toBe(1000);
    expect(s.rec.settled).toHaveLength(1000);
  });

  it('abandons the backend connect when the client resets during it', async () => {
    const hole = track(await startBlackhole());
    const s = await service([`tcp://127.0.0.1:${hole.port}`], { timeouts: { connectMs: 20_000 } });
    const c = await client(s.port);
    await waitFor(() => s.backends[0]!.inFlight === 1 && s.service.socketCounts().upstream === 1);
    c.socket.resetAndDestroy();
    await allClosed(s, []);
    // Not the backend's failure: no attempt is reported, and the connection settles without an error.
    expect(s.rec.attempts).toEqual([]);
    expect(s.rec.settled).toHaveLength(1);
    expect(s.rec.settled[0]!.error).toBeUndefined();
  });

  it('keeps connecting for a client that only half-closed, and resets it when the connect times out', async () => {
    const hole = track(await startBlackhole());
    const s = await service([`tcp://127.0.0.1:${hole.port}`], { timeouts: { connectMs: 300 }, retries: { attempts: 1 } });
    const c = await client(s.port, { allowHalfOpen: true });
    c.socket.end('a request, then FIN'); // may still want an answer: not an abort
    await c.whenClosed();
    expect(c.error?.code).toBe('ECONNRESET');
    expect(s.rec.attempts.map((a) => a.outcome.error)).toEqual(['timeout']);
    await allClosed(s, []);
  });

  it('closes a connection idle for timeouts.idleMs, and keeps a busy one', async () => {
    const b = await echoBackend();
    const s = await service([b.url], { timeouts: { idleMs: 1000 } });
    const idle = await client(s.port);
    const busy = await client(s.port);
    await roundTrip(idle, 'once');
    const openedAt = Date.now();
    let busyRounds = 0;
    while (!idle.closed) {
      await roundTrip(busy, `tick ${busyRounds++}`);
      await new Promise((r) => setTimeout(r, 50)); // pacing the busy client, not an assertion
      if (Date.now() - openedAt > 15_000) throw new Error('the idle connection was never closed');
    }
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(900);
    expect(busy.closed).toBe(false);
    await roundTrip(busy, 'still alive');
    await waitFor(() => s.backends[0]!.inFlight === 1);
    busy.socket.end();
    await allClosed(s, [b]);
    expect(s.rec.broke).toEqual([]);
  });
});
