/**
 * Layer-4 faults on the TCP data plane, as clients on loopback see them:
 * connect and per-chunk latency, bandwidth, resets at connect and after N
 * bytes, blackhole, slow close and down, and toxicity over many connections.
 * Faults are set on the backends as faults:set would set them for a tcp
 * service; each test ends with every socket closed.
 */
import { describe, expect, it } from 'vitest';
import { faultsFor } from '../../../core/faults/protocols';
import { FaultListSchema, type FaultInput } from '../../../core/faults/spec';
import { waitFor } from '../../helpers/wait';
import { expectBinomial, seeded } from '../faults/sampling';
import { allClosed, connect, dial, mapLimit, tcpFixtures, type Client, type TestTcpService } from './helpers';

const { backend, named, service, client, defer } = tcpFixtures();

/** Sets a backend's faults as faults:set does for a tcp service. */
function setFaults(s: TestTcpService, i: number, faults: FaultInput[]): void {
  s.backends[i]!.faults.set(faultsFor('tcp', 'tcp', FaultListSchema.parse(faults)));
}

/** A payload whose every position is distinct enough to catch reordering. */
function pattern(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32BE(i, i);
  return b;
}

describe('TCP latency faults', () => {
  it('delays the connect: +200 ms (±50) puts the first echo 150 ms or more after the client connected', async () => {
    const b = await backend();
    const s = await service([b.url]);
    setFaults(s, 0, [{ type: 'latency', ms: 200, jitterMs: 50 }]);
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const c = await client(s.port);
      c.socket.write('ping');
      await c.receive(4);
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(150);
      expect(ms).toBeLessThan(5000);
      c.socket.destroy();
    }
    // The connect time reported (stats, peak-EWMA) includes the injected delay.
    expect(s.rec.attempts.map((a) => a.outcome.latencyMs >= 150)).toEqual([true, true, true, true, true]);
    await allClosed(s, [b]);
  });

  it('counts the delay toward connectMs: past it the connect times out and goes to another backend', async () => {
    const bs = [await named('b0'), await named('b1')];
    const s = await service(bs.map((b) => b.url), { strategy: 'round-robin', timeouts: { connectMs: 300 } });
    setFaults(s, 0, [{ type: 'latency', ms: 5000 }]);
    for (let i = 0; i < 4; i++) {
      const c = await client(s.port);
      expect(await c.line()).toBe('b1');
      c.socket.destroy();
    }
    const slow = s.rec.attempts.filter((a) => a.backend === 'b0');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.every((a) => a.outcome.error === 'timeout')).toBe(true);
    expect(bs[0]!.connections).toBe(0);
    await allClosed(s, bs);
  });

  it('delays every chunk each way: a round trip takes twice the delay, and a 2 MiB stream arrives whole and in order', async () => {
    const b = await backend();
    const s = await service([b.url]);
    setFaults(s, 0, [{ type: 'latency', ms: 100, perChunk: true }]);
    const c = await client(s.port);
    for (let i = 0; i < 3; i++) {
      const before = c.received.length;
      const started = performance.now();
      c.socket.write(`chunk ${i}`);
      const got = await c.receive(before + `chunk ${i}`.length);
      expect(got.subarray(before).toString()).toBe(`chunk ${i}`);
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(190);
      expect(ms).toBeLessThan(5000);
    }
    c.socket.destroy();

    // With jitter drawn per chunk, order still holds; backpressure keeps the stream moving through the window.
    setFaults(s, 0, [{ type: 'latency', ms: 20, jitterMs: 15, perChunk: true }]);
    const big = await client(s.port);
    const payload = pattern(2 * 1024 * 1024);
    big.socket.write(payload);
    const echoed = await big.receive(payload.length);
    expect(echoed.equals(payload)).toBe(true);
    big.socket.destroy();
    await allClosed(s, [b]);
  });
});

describe('TCP bandwidth fault', () => {
  it('throttles each direction: a 200 KiB echo at 100 KiB/s takes about 2 s, and arrives whole', async () => {
    const b = await backend();
    const s = await service([b.url]);
    setFaults(s, 0, [{ type: 'bandwidth', kibPerSec: 100 }]);
    const c = await client(s.port);
    const payload = pattern(200 * 1024);
    const started = performance.now();
    c.socket.write(payload);
    const echoed = await c.receive(payload.length);
    const ms = performance.now() - started;
    expect(echoed.equals(payload)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(10_000);
    expect(s.rec.bytesIn).toBe(payload.length);
    c.socket.destroy();
    await allClosed(s, [b]);
  });
});

describe('TCP reset faults', () => {
  it('at connect: the client is reset, not sent elsewhere, and the attempt fails as a reset', async () => {
    const bs = [await named('b0'), await named('b1')];
    const s = await service(bs.map((b) => b.url), { strategy: 'round-robin' });
    setFaults(s, 0, [{ type: 'reset' }]);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = dial(s.port);
      defer(() => c.socket.destroy());
      seen.push(await c.line().catch(() => `reset:${c.error?.code ?? 'closed'}`));
      c.socket.destroy();
    }
    expect(seen).toEqual(['reset:ECONNRESET', 'b1', 'reset:ECONNRESET', 'b1', 'reset:ECONNRESET', 'b1']);
    expect(s.rec.attempts.filter((a) => a.backend === 'b0').map((a) => a.outcome.error)).toEqual(['reset', 'reset', 'reset']);
    expect(s.rec.retried).toEqual([]);
    expect(s.rec.settled.filter((o) => o.error === 'reset')).toHaveLength(3);
    expect(bs[0]!.connections).toBe(0);
    await allClosed(s, bs);
  });

  it('after N bytes: the client gets N bytes, then a reset, counted as a broken connection', async () => {
    const b = await backend();
    const s = await service([b.url]);
    setFaults(s, 0, [{ type: 'reset', when: 'after-bytes', afterBytes: 4096 }]);
    const payload = pattern(64 * 1024);
    for (let i = 0; i < 3; i++) {
      const c = await client(s.port);
      c.socket.write(payload);
      await c.whenClosed();
      // At most N bytes, the first N of the stream (a reset may overtake the last of them in the kernel).
      expect(c.received.length).toBeLessThanOrEqual(4096);
      expect(c.received.equals(payload.subarray(0, c.received.length))).toBe(true);
      // A reset that lands on unread data can reach a Node client as a plain end: the stats below show it was a reset.
      expect(c.error?.code ?? 'closed').toMatch(/^(ECONNRESET|closed)$/);
    }
    await waitFor(() => s.rec.broke.length === 3, { message: 'three broken connections' });
    expect(s.rec.broke).toEqual(Array.from({ length: 3 }, () => ({ backend: 'b0', kind: 'reset' })));
    expect(s.rec.bytesOut).toBe(3 * 4096);
    await allClosed(s, [b]);
  });

  it('after N bytes: a stream shorter than N closes cleanly', async () => {
    const b = await backend();
    const s = await service([b.url]);
    setFaults(s, 0, [{ type: 'reset', when: 'after-bytes', afterBytes: 4096 }]);
    const c = await client(s.port);
    c.socket.end('short');
    await c.whenClosed();
    expect(c.received.toString()).toBe('short');
    expect(c.error).toBeUndefined();
    expect(s.rec.broke).toEqual([]);
    await allClosed(s, [b]);
  });
});

describe('TCP blackhole fault', () => {
  it('accepts the client and forwards nothing until the idle timeout, while the healthy backend keeps echoing', async () => {
    const bs = [await named('b0'), await named('b1')];
    const idleMs = 800;
    const s = await service(bs.map((b) => b.url), { strategy: 'round-robin', timeouts: { idleMs } });
    setFaults(s, 0, [{ type: 'blackhole' }]);
    const holed: Array<{ c: Client; at: number }> = [];
    const healthy: Client[] = [];
    for (let i = 0; i < 4; i++) {
      const at = performance.now();
      const c = await client(s.port);
      c.socket.write('hello');
      if (i % 2 === 0) holed.push({ c, at });
      else healthy.push(c);
    }
    // The healthy backend's clients get their greeting and echo, again and again, while the others wait.
    for (const c of healthy) expect((await c.receive('b1\nhello'.length)).toString()).toBe('b1\nhello');
    for (let round = 0; round < 3; round++) {
      for (const c of healthy) {
        const before = c.received.length;
        c.socket.write(`more ${round}`);
        await c.receive(before + `more ${round}`.length);
      }
    }
    for (const { c, at } of holed) {
      await c.whenClosed();
      expect(c.received.length).toBe(0);
      expect(performance.now() - at).toBeGreaterThanOrEqual(idleMs - 50);
    }
    // Nothing was connected: the blackholed backend never saw a connection; the connects were reported as such.
    expect(bs[0]!.connections).toBe(0);
    expect(s.rec.attempts.filter((a) => a.backend === 'b0').every((a) => a.outcome.error === undefined)).toBe(true);
    for (const c of healthy) c.socket.destroy();
    await allClosed(s, bs);
  });
});

describe('TCP slow-close fault', () => {
  it('passes a FIN on N ms late, each way: the backend’s close and the client’s', async () => {
    let backendEndedAt = 0;
    let backendSawEndAt = 0;
    const b = await backend((socket) => {
      socket.on('data', (d: Buffer) => {
        if (d.toString() === 'bye') {
          backendEndedAt = performance.now();
          socket.end();
        } else socket.write(d);
      });
      socket.on('end', () => (backendSawEndAt = performance.now()));
    });
    const s = await service([b.url]);
    setFaults(s, 0, [{ type: 'slow-close', ms: 500 }]);

    // The backend closes: data flows at once, the close arrives 500 ms after it.
    const c1 = await client(s.port, { allowHalfOpen: true });
    c1.socket.write('hi');
    await c1.receive(2);
    c1.socket.write('bye');
    await waitFor(() => c1.ended, { message: 'the client sees the close' });
    expect(performance.now() - backendEndedAt).toBeGreaterThanOrEqual(450);
    c1.socket.end();

    // The client closes: the backend sees it 500 ms later.
    backendSawEndAt = 0;
    const c2 = await client(s.port);
    c2.socket.write('hi');
    await c2.receive(2);
    const endedAt = performance.now();
    c2.socket.end();
    await waitFor(() => backendSawEndAt > 0, { message: 'the backend sees the close' });
    expect(backendSawEndAt - endedAt).toBeGreaterThanOrEqual(450);
    await c2.whenClosed();
    await allClosed(s, [b]);
  });
});

describe('TCP down fault', () => {
  it('refuses the connect, which is tried on another backend: every connection succeeds', async () => {
    const bs = [await backend(), await backend()];
    const s = await service(bs.map((b) => b.url), { strategy: 'round-robin' });
    setFaults(s, 0, [{ type: 'down' }]);
    await mapLimit(Array.from({ length: 40 }, (_, i) => i), 8, async (i) => {
      const c = await connect(s.port);
      c.socket.write(`message ${i}`);
      expect((await c.receive(`message ${i}`.length)).toString()).toBe(`message ${i}`);
      c.socket.destroy();
    });
    expect(s.rec.settled.every((o) => o.error === undefined && !o.noBackend)).toBe(true);
    const refused = s.rec.attempts.filter((a) => a.outcome.error === 'refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.backend === 'b0')).toBe(true);
    expect(s.rec.retried).toHaveLength(refused.length);
    expect(bs[0]!.connections).toBe(0);
    await allClosed(s, bs);
  });
});

describe('TCP fault toxicity', () => {
  it('resets 30% of 500 connections at connect (within 4σ), each drawn once per connection', async () => {
    const b = await backend();
    const s = await service([b.url], { random: seeded(11) });
    setFaults(s, 0, [{ type: 'reset', toxicity: 0.3 }]);
    const n = 500;
    const outcomes = await mapLimit(Array.from({ length: n }, (_, i) => i), 25, async () => {
      const c = dial(s.port);
      c.socket.write('x');
      try {
        await c.receive(1);
        return 'echo';
      } catch {
        return 'reset';
      } finally {
        c.socket.destroy();
      }
    });
    const resets = outcomes.filter((o) => o === 'reset').length;
    expectBinomial(resets, n, 0.3);
    expect(s.rec.attempts.filter((a) => a.outcome.error === 'reset')).toHaveLength(resets);
    expect(s.rec.attempts).toHaveLength(n);
    await allClosed(s, [b]);
  });
});
