/**
 * Each strategy's reason for a pick (the decision trace, core/strategies/reason.ts),
 * with exact values from small cases; and that a pick without a trace decides
 * exactly as one with it.
 */
import { describe, expect, it } from 'vitest';
import { murmur3 } from '../../../core/strategies/hash';
import { buildTable } from '../../../core/strategies/maglev';
import type { DecisionReason, PickTrace, WeightRow } from '../../../core/strategies/reason';
import { buildRing, firstAtOrAfter } from '../../../core/strategies/ring-hash';
import { backends, make, none, req, scripted, sequence } from './helpers';

function traced(s: ReturnType<typeof make>, list: Parameters<ReturnType<typeof make>['pick']>[0], r = req(), exclude: ReadonlySet<string> = none): { id: string | undefined; reason: DecisionReason | undefined } {
  const trace: PickTrace = {};
  const b = s.pick(list, r, exclude, trace);
  return { id: b?.id, reason: trace.reason };
}

const column = (table: WeightRow[], key: 'before' | 'after') => table.map((r) => r[key]);

describe('weighted round robin reason: the current-weight table, nginx smooth WRR', () => {
  it('weights 5,1,1: the documented sequence a a b a c a a, table by table', () => {
    const s = make('weighted-round-robin');
    const list = backends({ a: 5, b: 1, c: 1 });
    // nginx's own walk-through lists the current weights after adding the weights (before + weight):
    // 5 1 1, 3 2 2, 1 3 3, 6 -3 4, 4 -2 5, 9 -1 -1, 7 0 0; and after the winner pays back 7:
    const grown = [[5, 1, 1], [3, 2, 2], [1, 3, 3], [6, -3, 4], [4, -2, 5], [9, -1, -1], [7, 0, 0]];
    const after = [[-2, 1, 1], [-4, 2, 2], [1, -4, 3], [-1, -3, 4], [4, -2, -2], [2, -1, -1], [0, 0, 0]];
    const picked: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { id, reason } = traced(s, list);
      picked.push(id!);
      if (reason?.kind !== 'weighted-round-robin') throw new Error(`unexpected reason ${reason?.kind}`);
      expect(reason.total).toBe(7);
      expect(reason.table.map((r) => r.backend)).toEqual(['a', 'b', 'c']);
      expect(reason.table.map((r) => r.before + r.weight)).toEqual(grown[i]);
      expect(column(reason.table, 'after')).toEqual(after[i]);
      expect(column(reason.table, 'before')).toEqual(i === 0 ? [0, 0, 0] : after[i - 1]);
    }
    expect(picked.join(' ')).toBe('a a b a c a a');
  });

  it('a backend tried by this request sits the round out, its current weight untouched', () => {
    const s = make('weighted-round-robin');
    const list = backends({ a: 5, b: 1, c: 1 });
    const { id, reason } = traced(s, list, req(), new Set(['a']));
    expect(id).toBe('b');
    expect(reason).toEqual({
      kind: 'weighted-round-robin',
      total: 2,
      table: [
        { backend: 'a', weight: 5, before: 0, after: 0, inRound: false },
        { backend: 'b', weight: 1, before: 0, after: -1, inRound: true },
        { backend: 'c', weight: 1, before: 0, after: 1, inRound: true },
      ],
    });
  });
});

describe('round robin reason: the position in the round', () => {
  it('a b c: positions 1, 2, 3 of 3', () => {
    const s = make('round-robin');
    const list = backends('a b c');
    const got = [traced(s, list), traced(s, list), traced(s, list)].map(({ id, reason }) => (reason?.kind === 'round-robin' ? `${id}:${reason.position}/${reason.of}` : '?'));
    expect(got).toEqual(['a:1/3', 'b:2/3', 'c:3/3']);
  });

  it('with b down the round is a c: positions 1 and 2 of 2', () => {
    const s = make('round-robin');
    const list = backends('a b c');
    list[1]!.up = false;
    const got = [traced(s, list), traced(s, list)].map(({ id, reason }) => (reason?.kind === 'round-robin' ? `${id}:${reason.position}/${reason.of}` : '?'));
    expect(got).toEqual(['a:1/2', 'c:2/2']);
  });
});

describe('least connections reason: in-flight (+ failures) per weight for each candidate', () => {
  it('names every candidate with its load, the least and the tie count', () => {
    const list = backends({ a: 1, b: 2, c: 1 });
    list[0]!.inFlight = 2;
    list[1]!.inFlight = 1;
    list[2]!.failures = 1;
    const { id, reason } = traced(make('least-connections'), list);
    expect(id).toBe('b');
    expect(reason).toEqual({
      kind: 'least-connections',
      least: 0.5,
      tied: 1,
      candidates: [
        { backend: 'a', inFlight: 2, failures: 0, weight: 1, load: 2 },
        { backend: 'b', inFlight: 1, failures: 0, weight: 2, load: 0.5 },
        { backend: 'c', inFlight: 0, failures: 1, weight: 1, load: 1 },
      ],
    });
  });

  it('counts the tie among equally loaded backends', () => {
    const { reason } = traced(make('least-connections'), backends('a b c'));
    expect(reason?.kind === 'least-connections' && reason.tied).toBe(3);
  });
});

describe('power of two and peak EWMA reasons: the two candidates and their scores', () => {
  it('power-of-two: draws a and c (scripted), keeps c with the lower load', () => {
    const list = backends('a b c');
    list[0]!.inFlight = 3;
    list[2]!.inFlight = 1;
    // i = floor(0 * 3) = 0 (a); j = floor(0.5 * 2) = 1, shifted past i to 2 (c).
    const { id, reason } = traced(make('power-of-two', {}, scripted([0, 0.5])), list);
    expect(id).toBe('c');
    expect(reason).toEqual({
      kind: 'power-of-two',
      candidates: [
        { backend: 'a', inFlight: 3, failures: 0, score: 3 },
        { backend: 'c', inFlight: 1, failures: 0, score: 1 },
      ],
    });
  });

  it('peak-ewma: latency x (in-flight + 1) for each of the two', () => {
    const list = backends('a b c');
    list[0]!.latency = 10;
    list[0]!.inFlight = 1;
    list[2]!.latency = 30;
    const { id, reason } = traced(make('peak-ewma', {}, scripted([0, 0.5])), list);
    expect(id).toBe('a');
    expect(reason).toEqual({
      kind: 'peak-ewma',
      candidates: [
        { backend: 'a', inFlight: 1, latencyMs: 10, score: 20 },
        { backend: 'c', inFlight: 0, latencyMs: 30, score: 30 },
      ],
    });
  });
});

describe('hashing reasons: the key, its hash and the owner', () => {
  it('ring-hash: the point at or after the hash owns the key; past a down owner it walks on', () => {
    const list = backends('a b c');
    const s = make('ring-hash');
    const key = '10.0.0.7';
    const hash = murmur3(key);
    const ring = buildRing(list);
    const slot = firstAtOrAfter(ring.hashes, hash);
    const owner = list[ring.owners[slot]!]!.id;
    const first = traced(s, list, req(key));
    expect(first).toEqual({ id: owner, reason: { kind: 'ring-hash', key, hash, owner, walked: 0, slot } });
    const down = list.find((b) => b.id === owner)!;
    down.up = false;
    const second = traced(s, list, req(key));
    expect(second.id).not.toBe(owner);
    expect(second.reason).toMatchObject({ kind: 'ring-hash', key, hash, owner: second.id });
    expect(second.reason?.kind === 'ring-hash' && second.reason.walked).toBeGreaterThanOrEqual(1);
  });

  it('maglev: slot = hash mod table size, its owner', () => {
    const list = backends('a b c');
    const key = 'user-42';
    const s = make('maglev', { hashOn: 'header', key: 'x-user', tableSize: 5003 });
    const hash = murmur3(key);
    const owner = list[buildTable(list, 5003)[hash % 5003]!]!.id;
    expect(traced(s, list, req('10.0.0.1', { 'x-user': key }))).toEqual({ id: owner, reason: { kind: 'maglev', key, hash, owner, walked: 0, slot: hash % 5003 } });
  });
});

describe('random reason: the draw', () => {
  it('weights 1 and 1: a draw of 0.5 x 2 = 1 falls in b', () => {
    expect(traced(make('random', {}, scripted([0.5])), backends('a b'))).toEqual({ id: 'b', reason: { kind: 'random', draw: 1, total: 2 } });
  });
});

describe('a trace changes no decision', () => {
  it.each(['round-robin', 'weighted-round-robin', 'least-connections'])('%s: the same sequence traced or not', (name) => {
    const list = backends({ a: 3, b: 2, c: 1 });
    const plain = sequence(make(name), list, 12);
    const s = make(name);
    const withTrace = Array.from({ length: 12 }, () => s.pick(list, req(), none, {})?.id).join(' ');
    expect(withTrace).toBe(plain);
  });
});
