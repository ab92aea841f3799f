import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReplayBody } from '../../../core/proxy/replay-body';

function collect(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (c: Buffer) => (text += c));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

describe('ReplayBody', () => {
  it('reads nothing until started, so a failed connect loses nothing', async () => {
    const src = new PassThrough();
    src.end('whole body');
    const body = new ReplayBody(src, 4);
    body.open(); // an attempt that never connected
    const second = body.open();
    body.start();
    expect(await collect(second)).toBe('whole body');
    // Bigger than the buffer: once sent it cannot be replayed.
    expect(body.replayable()).toBe(false);
  });

  it('replays what was kept, then continues with the rest of the source', async () => {
    const src = new PassThrough();
    const body = new ReplayBody(src, 1024);
    const first = body.open();
    body.start();
    const got: string[] = [];
    first.on('data', (c: Buffer) => got.push(String(c)));
    src.write('part one, ');
    await new Promise((r) => setImmediate(r));
    expect(got.join('')).toBe('part one, ');
    // The attempt fails mid-body; the next one gets the kept part and what follows.
    const second = body.open();
    body.start();
    const all = collect(second);
    src.end('part two');
    expect(await all).toBe('part one, part two');
    expect(body.replayable()).toBe(true);
    expect(body.bytesRead).toBe(18);
    // A third replay of a finished body needs no source.
    const third = body.open();
    body.start();
    expect(await collect(third)).toBe('part one, part two');
  });

  it('an empty body is replayable', async () => {
    const src = new PassThrough();
    src.end();
    const body = new ReplayBody(src, 0);
    const out = body.open();
    body.start();
    expect(await collect(out)).toBe('');
    expect(body.replayable()).toBe(true);
  });
});
