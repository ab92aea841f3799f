/**
 * Bytes through the TCP data plane: exact and in order at volume, with
 * backpressure (nothing is buffered whole on either side), half-closes passed
 * on in both directions, and a client's early bytes kept across a connect
 * retry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { startBlackhole } from '../proxy/helpers';
import { connect, tcpFixtures } from './helpers';

const { backend, service, track } = tcpFixtures();

const MB = 1024 * 1024;

/** `total` random bytes in 64 KiB chunks, hashed as they are produced. */
function randomSource(total: number, hash: ReturnType<typeof createHash>): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(64 * 1024, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

describe('TCP streaming', () => {
  it('moves 100 MB each way byte-exact, streamed with backpressure', { timeout: 180_000 }, async () => {
    const total = 100 * MB;
    const atBackend = createHash('sha256');
    let backendBytes = 0;
    let backendDigest = '';
    const b = await backend((socket) => {
      socket.on('data', (chunk: Buffer) => {
        atBackend.update(chunk);
        backendBytes += chunk.length;
      });
      socket.on('end', () => (backendDigest = atBackend.digest('hex')));
      socket.pipe(socket); // echo: ends its side once the client's FIN arrives and everything is written
    });
    const s = await service([b.url]);

    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    const started = performance.now();
    const client = await connect(s.port, { allowHalfOpen: true });
    client.socket.removeAllListeners('data'); // count and hash here instead of keeping the bytes
    client.socket.on('data', (chunk: Buffer) => {
      received.update(chunk);
      receivedBytes += chunk.length;
      if (receivedBytes % (8 * MB) < chunk.length) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    });
    const ended = new Promise<void>((resolve) => client.socket.once('end', () => resolve()));
    randomSource(total, sent).pipe(client.socket);
    await ended;
    const seconds = (performance.now() - started) / 1000;

    expect(receivedBytes).toBe(total);
    expect(backendBytes).toBe(total);
    const sentDigest = sent.digest('hex');
    expect(backendDigest).toBe(sentDigest);
    expect(received.digest('hex')).toBe(sentDigest);
    expect(s.rec.bytesIn).toBe(total);
    expect(s.rec.bytesOut).toBe(total);
    if (process.env.LBW_TCP_REPORT) {
      const rate = (2 * total) / MB / seconds;
      console.log(`100 MB each way in ${seconds.toFixed(2)} s (${rate.toFixed(0)} MB/s through the balancer), RSS grew ${((peakRss - baseRss) / MB).toFixed(0)} MB at most`);
    }
    await client.whenClosed();
    await waitFor(async () => (await s.service.serverConnections()) === 0 && s.service.socketCounts().upstream === 0);
    expect(s.rec.closed).toBe(1);
  });

  it('passes a client FIN on to the backend, and the backend can still answer after it', async () => {
    const b = await backend((socket) => {
      let n = 0;
      socket.on('data', (c: Buffer) => (n += c.length));
      socket.on('end', () => socket.end(`got ${n} bytes`));
    });
    const s = await service([b.url]);
    const client = await connect(s.port, { allowHalfOpen: true });
    client.socket.end('hello world');
    await waitFor(() => client.ended);
    expect(client.received.toString()).toBe('got 11 bytes');
    await client.whenClosed();
    await waitFor(() => s.rec.closed === 1);
    expect(s.backends[0]!.inFlight).toBe(0);
  });

  it('passes a backend FIN on to the client, and the client can still send after it', async () => {
    let afterFin = '';
    let backendSawEnd = false;
    const b = await backend((socket) => {
      socket.end('bye\n'); // the backend is done talking, but keeps listening
      socket.on('data', (c: Buffer) => (afterFin += c.toString()));
      socket.on('end', () => (backendSawEnd = true));
    });
    const s = await service([b.url]);
    const client = await connect(s.port, { allowHalfOpen: true });
    await waitFor(() => client.ended);
    expect(client.received.toString()).toBe('bye\n');
    client.socket.write('still here');
    await waitFor(() => afterFin === 'still here');
    client.socket.end();
    await waitFor(() => backendSawEnd);
    await client.whenClosed();
    await waitFor(() => s.rec.closed === 1 && s.service.socketCounts().upstream === 0);
  });

  it('keeps the bytes a client sent (and its FIN) while the first backend refused', async () => {
    const refused = `tcp://127.0.0.1:${await closedPort()}`;
    const echo = await backend();
    const s = await service([refused, echo.url]);
    const client = await connect(s.port, { allowHalfOpen: true });
    client.socket.end('early bird');
    await waitFor(() => client.ended);
    expect(client.received.toString()).toBe('early bird');
    expect(s.rec.attempts.map((a) => [a.backend, a.outcome.error])).toEqual([
      ['b0', 'refused'],
      ['b1', undefined],
    ]);
    expect(s.rec.retried).toEqual(['b0']);
  });

  it('holds a client that sends more than the early buffer during a slow connect, and loses nothing', async () => {
    const hole = track(await startBlackhole());
    const echo = await backend();
    const s = await service([`tcp://127.0.0.1:${hole.port}`, echo.url], { timeouts: { connectMs: 300 } });
    const payload = randomBytes(2 * MB);
    const client = await connect(s.port, { allowHalfOpen: true });
    client.socket.end(payload);
    await waitFor(() => client.ended, { timeoutMs: 10_000 });
    expect(Buffer.compare(client.received, payload)).toBe(0);
    expect(s.rec.attempts.map((a) => [a.backend, a.outcome.error])).toEqual([
      ['b0', 'timeout'],
      ['b1', undefined],
    ]);
  });
});
