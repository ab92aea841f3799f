/**
 * The stream shapers of the TCP data plane, on their own: per-chunk delay
 * (order, jitter drawn per chunk, a bounded window), the shared byte budget
 * of a reset after N bytes, and the held FIN of a slow close.
 */
import { PassThrough, type Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChunkDelay, CutAt, DELAY_WINDOW_BYTES, SlowClose, streamShapers } from '../../../core/faults/stream';
import { waitFor } from '../../helpers/wait';

/** Collects what comes out of a stream, and when (ms since `t0`). */
function collect(stream: Transform, t0: number) {
  const out: Array<{ text: string; at: number }> = [];
  let endedAt: number | undefined;
  stream.on('data', (c: Buffer) => out.push({ text: c.toString(), at: performance.now() - t0 }));
  stream.on('end', () => (endedAt = performance.now() - t0));
  return { out, endedAt: () => endedAt };
}

describe('ChunkDelay', () => {
  it('holds each chunk by its own draw, yet never lets one overtake the chunk ahead', async () => {
    // Draws 1, 0, 0.5: delays of 150, 50 and 100 ms around 100 ± 50.
    const draws = [1, 0, 0.5];
    const d = new ChunkDelay(100, 50, () => draws.shift()!);
    const t0 = performance.now();
    const got = collect(d, t0);
    d.write('a');
    d.write('b');
    d.write('c');
    d.end();
    await waitFor(() => got.endedAt() !== undefined, { message: 'the delayed stream ends' });
    expect(got.out.map((o) => o.text).join('')).toBe('abc');
    expect(got.out[0]!.at).toBeGreaterThanOrEqual(145);
    // 'b' drew 50 ms but waits for 'a'; the end waits for the last chunk.
    expect(Math.min(...got.out.map((o) => o.at))).toBeGreaterThanOrEqual(145);
    expect(got.endedAt()!).toBeGreaterThanOrEqual(got.out.at(-1)!.at);
    expect(draws).toEqual([]);
  });

  it('takes at most a window of bytes before it stops accepting more (backpressure)', async () => {
    const d = new ChunkDelay(200, 0, Math.random);
    const chunk = Buffer.alloc(16 * 1024);
    // Nothing reads yet: the window and the stream's buffers fill, and write() asks to stop long before 64 chunks.
    let writes = 0;
    while (writes < 64 && d.write(chunk)) writes++;
    expect(writes * chunk.length).toBeLessThanOrEqual(DELAY_WINDOW_BYTES + 4 * chunk.length);
    let received = 0;
    d.on('data', (c: Buffer) => (received += c.length));
    await waitFor(() => received >= DELAY_WINDOW_BYTES, { message: 'the held window released after the delay' });
    d.destroy();
  });

  it('clears its timer when destroyed', async () => {
    const d = new ChunkDelay(50, 0, Math.random);
    const got = collect(d, performance.now());
    d.write('never');
    d.destroy();
    await new Promise<void>((resolve) => d.once('close', () => resolve()));
    expect(got.out).toEqual([]);
  });
});

describe('CutAt', () => {
  it('lets `limit` bytes through, cutting the chunk that crosses it, then trips once and drops the rest', () => {
    let trips = 0;
    const cut = new CutAt(10, () => trips++);
    const out: Buffer[] = [];
    cut.on('data', (c: Buffer) => out.push(c));
    cut.write('abcd');
    expect(trips).toBe(0);
    cut.write('efghijkl');
    expect(trips).toBe(1);
    cut.write('mn');
    expect(Buffer.concat(out).toString()).toBe('abcdefghij');
    expect(trips).toBe(1);
  });

  it('trips on the first chunk with a limit of 0, and ends cleanly a stream shorter than the limit', async () => {
    let trips = 0;
    const zero = new CutAt(0, () => trips++);
    zero.resume();
    zero.write('x');
    expect(trips).toBe(1);
    const short = new CutAt(100, () => trips++);
    const got = collect(short, performance.now());
    short.end('short');
    await waitFor(() => got.endedAt() !== undefined);
    expect(got.out.map((o) => o.text)).toEqual(['short']);
    expect(trips).toBe(1);
  });
});

describe('SlowClose', () => {
  it('passes data at once and the end `ms` later', async () => {
    const s = new SlowClose(200);
    const t0 = performance.now();
    const got = collect(s, t0);
    s.write('now');
    await waitFor(() => got.out.length === 1);
    expect(got.out[0]!.at).toBeLessThan(100);
    s.end();
    await waitFor(() => got.endedAt() !== undefined, { message: 'the held end' });
    expect(got.endedAt()!).toBeGreaterThanOrEqual(195);
  });
});

describe('streamShapers', () => {
  it('puts one chain on each direction, in order, the cut on the way to the client only; nothing for no plan', () => {
    const names = (ts: Transform[]) => ts.map((t) => t.constructor.name);
    expect(streamShapers(undefined, Math.random, () => {})).toEqual({ toBackend: [], toClient: [] });
    const plan = { delayMs: 0, chunkDelay: { ms: 10, jitterMs: 0 }, bytesPerSec: 1024, cutAfterBytes: 5, closeDelayMs: 100 };
    const { toBackend, toClient } = streamShapers(plan, Math.random, () => {});
    expect(names(toBackend)).toEqual(['ChunkDelay', 'Throttle', 'SlowClose']);
    expect(names(toClient)).toEqual(['ChunkDelay', 'Throttle', 'CutAt', 'SlowClose']);
    // Connect-only faults shape nothing.
    expect(streamShapers({ delayMs: 100, answer: { kind: 'reset' } }, Math.random, () => {})).toEqual({ toBackend: [], toClient: [] });
    for (const t of [...toBackend, ...toClient]) t.destroy();
  });

  it('a chain carries bytes through in order', async () => {
    const { toBackend } = streamShapers({ delayMs: 0, chunkDelay: { ms: 5, jitterMs: 5 }, bytesPerSec: 1024 * 1024, closeDelayMs: 10 }, Math.random, () => {});
    const src = new PassThrough();
    let tail = src.pipe(toBackend[0]!);
    for (const t of toBackend.slice(1)) tail = tail.pipe(t);
    const out: Buffer[] = [];
    tail.on('data', (c: Buffer) => out.push(c));
    const ended = new Promise<void>((resolve) => tail.on('end', () => resolve()));
    const sent = Buffer.from(Array.from({ length: 2000 }, (_, i) => `${i},`).join(''));
    for (let i = 0; i < sent.length; i += 333) src.write(sent.subarray(i, i + 333));
    src.end();
    await ended;
    expect(Buffer.concat(out).equals(sent)).toBe(true);
  });
});
