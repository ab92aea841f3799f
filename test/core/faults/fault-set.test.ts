import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FaultSet } from '../../../core/faults/fault-set';
import { injectedProbeOutcome } from '../../../core/faults/probe';
import { CutAfter, Throttle, responseShapers } from '../../../core/faults/response';
import { FaultListSchema, faultLabel, type FaultInput } from '../../../core/faults/spec';
import { waitFor } from '../../helpers/wait';

/** random() returns these values in order, then throws: each test states every draw it expects. */
function scripted(values: number[]): { random: () => number; left: () => number } {
  let i = 0;
  return {
    random: () => {
      if (i >= values.length) throw new Error(`random() called more than the ${values.length} scripted times`);
      return values[i++]!;
    },
    left: () => values.length - i,
  };
}

function set(faults: FaultInput[]): FaultSet {
  const s = new FaultSet();
  s.set(FaultListSchema.parse(faults));
  return s;
}

describe('FaultSet.plan', () => {
  it('draws nothing and plans nothing without faults, or with only disabled or zero-toxicity ones', () => {
    const r = scripted([]);
    expect(new FaultSet().plan(r.random)).toBeUndefined();
    expect(set([{ type: 'down', enabled: false }, { type: 'hang', toxicity: 0 }]).plan(r.random)).toBeUndefined();
  });

  it('fires a fault when the draw is below its toxicity; toxicity 1 draws nothing', () => {
    const s = set([{ type: 'error', status: 502, toxicity: 0.3 }, { type: 'latency', ms: 100 }]);
    const r = scripted([0.29, 0.3]);
    expect(s.plan(r.random)).toEqual({ delayMs: 100, answer: { kind: 'error', status: 502 } });
    expect(s.plan(r.random)).toEqual({ delayMs: 100 });
    expect(r.left()).toBe(0);
  });

  it('spreads latency by the jitter, never below zero, and adds latencies up', () => {
    const s = set([{ type: 'latency', ms: 200, jitterMs: 50 }, { type: 'latency', ms: 10 }]);
    expect(s.plan(scripted([0]).random)!.delayMs).toBe(160);
    expect(s.plan(scripted([0.5]).random)!.delayMs).toBe(210);
    expect(s.plan(scripted([0.999999]).random)!.delayMs).toBeCloseTo(260, 3);
    expect(set([{ type: 'latency', ms: 10, jitterMs: 50 }]).plan(scripted([0]).random)!.delayMs).toBe(0);
  });

  it.each([
    [['reset', 'error'], { kind: 'error', status: 503 }],
    [['error', 'hang'], { kind: 'hang' }],
    [['hang', 'down', 'reset'], { kind: 'refuse' }],
    [['reset'], { kind: 'reset' }],
  ] as const)('of %j firing together, the strongest answers: %j', (types, answer) => {
    const s = set(types.map((type) => ({ type }) as FaultInput));
    expect(s.plan(scripted([]).random)!.answer).toEqual(answer);
  });

  it('shapes the body with the lowest rate and the earliest cut', () => {
    const s = set([
      { type: 'bandwidth', kibPerSec: 100 },
      { type: 'bandwidth', kibPerSec: 10 },
      { type: 'reset', when: 'mid-body', afterBytes: 4096 },
      { type: 'reset', when: 'mid-body', afterBytes: 100 },
    ]);
    expect(s.plan(scripted([]).random)).toEqual({ delayMs: 0, bytesPerSec: 10 * 1024, cutAfterBytes: 100 });
  });

  it('plans the layer-4 faults: per-chunk latency and slow close add up, blackhole is a hang, after-bytes a cut', () => {
    const s = set([
      { type: 'latency', ms: 100, perChunk: true },
      { type: 'latency', ms: 50, jitterMs: 10, perChunk: true },
      { type: 'latency', ms: 200 },
      { type: 'slow-close', ms: 300 },
      { type: 'slow-close', ms: 200 },
      { type: 'reset', when: 'after-bytes', afterBytes: 512 },
    ]);
    expect(s.plan(scripted([]).random)).toEqual({ delayMs: 200, chunkDelay: { ms: 150, jitterMs: 10 }, closeDelayMs: 500, cutAfterBytes: 512 });
    expect(set([{ type: 'blackhole' }, { type: 'reset', when: 'connect' }]).plan(scripted([]).random)).toEqual({ delayMs: 0, answer: { kind: 'hang' } });
    expect(set([{ type: 'reset', when: 'connect' }]).plan(scripted([]).random)).toEqual({ delayMs: 0, answer: { kind: 'reset' } });
  });

  it('lists every fault but labels only those that apply, with a new label array on each change', () => {
    const s = set([{ type: 'latency', ms: 300 }, { type: 'error', status: 503, toxicity: 0.5 }, { type: 'down', enabled: false }]);
    expect(s.list().map((f) => f.type)).toEqual(['latency', 'error', 'down']);
    const before = s.labels();
    expect(before).toEqual(['latency +300 ms', 'error 503 @ 50%']);
    s.clear();
    expect(s.labels()).toEqual([]);
    expect(before).toEqual(['latency +300 ms', 'error 503 @ 50%']);
  });
});

describe('fault spec', () => {
  it.each([
    [{ type: 'latency', ms: 300 }, 'latency +300 ms'],
    [{ type: 'latency', ms: 300, jitterMs: 50, toxicity: 0.25 }, 'latency +300 ±50 ms @ 25%'],
    [{ type: 'error' }, 'error 503'],
    [{ type: 'error', status: 500, toxicity: 0.333 }, 'error 500 @ 33.3%'],
    [{ type: 'reset' }, 'reset before response'],
    [{ type: 'reset', when: 'mid-body', afterBytes: 2048 }, 'reset mid-body after 2 KiB'],
    [{ type: 'reset', when: 'mid-body', afterBytes: 100 }, 'reset mid-body after 100 B'],
    [{ type: 'hang' }, 'hang'],
    [{ type: 'bandwidth', kibPerSec: 64 }, 'bandwidth 64 KiB/s'],
    [{ type: 'down' }, 'down'],
    [{ type: 'latency', ms: 100, perChunk: true }, 'latency +100 ms per chunk'],
    [{ type: 'latency', ms: 100, jitterMs: 20, perChunk: true, toxicity: 0.5 }, 'latency +100 ±20 ms per chunk @ 50%'],
    [{ type: 'reset', when: 'connect' }, 'reset at connect'],
    [{ type: 'reset', when: 'after-bytes', afterBytes: 4096 }, 'reset after 4 KiB'],
    [{ type: 'blackhole' }, 'blackhole'],
    [{ type: 'slow-close', ms: 500 }, 'slow close 500 ms'],
  ] as const)('labels %j as "%s"', (input, label) => {
    expect(faultLabel(FaultListSchema.parse([input])[0]!)).toBe(label);
  });

  it('rejects what makes no sense, naming the field', () => {
    const bad = FaultListSchema.safeParse([{ type: 'error', toxicity: 1.5 }, { type: 'bandwidth', kibPerSec: 0 }, { type: 'nope' }]);
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['0.toxicity', '1.kibPerSec', '2.type']));
  });

  it('parses HTTP faults exactly as before: the layer-4 options stay out unless given', () => {
    expect(FaultListSchema.parse([{ type: 'latency', ms: 300 }, { type: 'reset' }])).toEqual([
      { type: 'latency', ms: 300, jitterMs: 0, enabled: true, toxicity: 1 },
      { type: 'reset', when: 'before-response', afterBytes: 1024, enabled: true, toxicity: 1 },
    ]);
    const bad = FaultListSchema.safeParse([{ type: 'slow-close' }, { type: 'slow-close', ms: -1 }, { type: 'latency', ms: 1, perChunk: 'yes' }, { type: 'reset', when: 'later' }]);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['0.ms', '1.ms', '2.perChunk', '3.when']);
  });
});

describe('injected probe outcomes', () => {
  const plan = (answer: NonNullable<ReturnType<FaultSet['plan']>>['answer']) => ({ delayMs: 0, answer });
  it('fails HTTP checks as the real failure would; TCP connect checks only when refused, reply checks on a hang or reset too', () => {
    expect(injectedProbeOutcome(undefined, 'http')).toBeUndefined();
    expect(injectedProbeOutcome(plan({ kind: 'refuse' }), 'http')).toEqual({ ok: false, detail: 'ECONNREFUSED' });
    expect(injectedProbeOutcome(plan({ kind: 'reset' }), 'http')).toEqual({ ok: false, detail: 'ECONNRESET' });
    expect(injectedProbeOutcome(plan({ kind: 'hang' }), 'http')).toBe('hang');
    expect(injectedProbeOutcome(plan({ kind: 'error', status: 500 }), 'http')).toMatchObject({ status: 500 });
    expect(injectedProbeOutcome(plan({ kind: 'refuse' }), 'tcp')).toEqual({ ok: false, detail: 'ECONNREFUSED' });
    expect(injectedProbeOutcome(plan({ kind: 'hang' }), 'tcp')).toBeUndefined();
    expect(injectedProbeOutcome(plan({ kind: 'hang' }), 'tcp-reply')).toBe('hang');
    expect(injectedProbeOutcome(plan({ kind: 'reset' }), 'tcp-reply')).toEqual({ ok: false, detail: 'ECONNRESET' });
    expect(injectedProbeOutcome(plan({ kind: 'error', status: 503 }), 'tcp-reply')).toBeUndefined();
    expect(injectedProbeOutcome({ delayMs: 100, cutAfterBytes: 10 }, 'http')).toBeUndefined();
  });

  it('a reset after 0 bytes fails a TCP reply check (no reply can pass), and leaves connect checks and later cuts alone', () => {
    expect(injectedProbeOutcome({ delayMs: 0, cutAfterBytes: 0 }, 'tcp-reply')).toEqual({ ok: false, detail: 'ECONNRESET' });
    expect(injectedProbeOutcome({ delayMs: 0, cutAfterBytes: 0 }, 'tcp')).toBeUndefined();
    expect(injectedProbeOutcome({ delayMs: 0, cutAfterBytes: 0 }, 'http')).toBeUndefined();
    expect(injectedProbeOutcome({ delayMs: 0, cutAfterBytes: 1 }, 'tcp-reply')).toBeUndefined();
    expect(injectedProbeOutcome({ delayMs: 0, chunkDelay: { ms: 100, jitterMs: 0 }, closeDelayMs: 100, bytesPerSec: 10 }, 'tcp-reply')).toBeUndefined();
  });
});

describe('response shapers', () => {
  it('CutAfter lets `limit` bytes through, then calls onCut once and never ends', async () => {
    let cuts = 0;
    const cut = new CutAfter(5, () => cuts++);
    const got: Buffer[] = [];
    let ended = false;
    cut.on('data', (c: Buffer) => got.push(c));
    cut.on('end', () => (ended = true));
    cut.write(Buffer.from('abc'));
    cut.write(Buffer.from('defgh'));
    cut.write(Buffer.from('ij'));
    cut.end();
    await waitFor(() => cuts === 1);
    expect(Buffer.concat(got).toString()).toBe('abcde');
    expect(ended).toBe(false);
  });

  it('CutAfter cuts at the end of a body shorter than the limit', async () => {
    let cuts = 0;
    const cut = new CutAfter(100, () => cuts++);
    cut.resume();
    cut.end(Buffer.from('short'));
    await waitFor(() => cuts === 1);
  });

  it('never lets a declared body through whole', () => {
    const [c] = responseShapers({ delayMs: 0, cutAfterBytes: 1000 }, 60, () => {}) as [CutAfter];
    expect(c).toBeInstanceOf(CutAfter);
    expect((c as unknown as { limit: number }).limit).toBe(59);
    const shapers = responseShapers({ delayMs: 0, cutAfterBytes: 10, bytesPerSec: 1024 }, undefined, () => {});
    expect(shapers.map((s) => s.constructor.name)).toEqual(['Throttle', 'CutAfter']);
  });

  it('Throttle holds a rate: 64 KiB at 128 KiB/s takes about half a second', async () => {
    const t = new Throttle(128 * 1024);
    const src = new PassThrough();
    let bytes = 0;
    const started = performance.now();
    const done = new Promise<void>((resolve) => t.on('end', () => resolve()));
    t.on('data', (c: Buffer) => (bytes += c.length));
    src.pipe(t);
    src.end(Buffer.alloc(64 * 1024));
    await done;
    const elapsed = performance.now() - started;
    expect(bytes).toBe(64 * 1024);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3000);
  });
});
