/**
 * The key space of the hashing strategies: shares that add up, and the share
 * of 10,000 sampled keys that moves when a 4th backend joins (ideal 1/4).
 */
import { describe, expect, it } from 'vitest';
import { idealMove, keySpace, measureMove, MOVE_SAMPLE_KEYS, type Member } from '../../../core/lab/keyspace';
import { Workbench } from '../../../core/workbench';
import type { WorkbenchEvent } from '../../../core/contract/events';

const member = (name: string, weight = 1): Member => ({ id: `#${name}`, name, hashKey: name, weight, inFlight: 0, available: () => true, latencyEstimate: () => 0, recentFailures: () => 0 });
const three = ['a', 'b', 'c'].map((n) => member(n));
const four = [...three, member('d')];

describe('key moves measured on 10,000 keys', () => {
  // With 160 points per backend (ring) or 65,537 slots (Maglev) a new backend's measured share is its
  // 1/4 within a few percent; Maglev also reshuffles a little beyond the minimum (its known ~1-2 % extra).
  it.each([
    ['ring-hash', 0.03],
    ['maglev', 0.03],
  ])('%s: adding a 4th backend moves about 1/4 of the keys (within %s)', (strategy, tolerance) => {
    const m = measureMove(strategy, {}, three, four)!;
    expect(m.ideal).toBeCloseTo(0.25, 10);
    expect(Math.abs(m.moved - 0.25)).toBeLessThan(tolerance);
    // Every moved key went to the new backend or, for Maglev, a few between the old ones: never fewer than the ideal's sampling noise.
    expect(m.moved).toBeGreaterThan(0.25 - 4 * Math.sqrt((0.25 * 0.75) / MOVE_SAMPLE_KEYS));
  });

  it('removing one of four moves about its quarter back', () => {
    const m = measureMove('ring-hash', {}, four, three)!;
    expect(m.ideal).toBeCloseTo(0.25, 10);
    expect(Math.abs(m.moved - 0.25)).toBeLessThan(0.03);
  });

  it('is not applicable to strategies that do not hash', () => {
    for (const s of ['round-robin', 'weighted-round-robin', 'least-connections', 'random']) expect(measureMove(s, {}, three, four), s).toBeUndefined();
    expect(keySpace('svc', 'round-robin', {}, three)).toMatchObject({ applicable: false, cells: [], backends: [] });
  });

  it('the ideal is the total variation between weight shares', () => {
    expect(idealMove(three, four)).toBeCloseTo(1 / 4, 10);
    // a's weight 1 -> 2 among a, b: shares 1/2,1/2 -> 2/3,1/3: 1/6 of the keys must move.
    expect(idealMove([member('a'), member('b')], [member('a', 2), member('b')])).toBeCloseTo(1 / 6, 10);
  });
});

describe('the key space drawn', () => {
  it.each(['ring-hash', 'maglev'])('%s: shares add up to 1, each near 1/3, cells name owners', (strategy) => {
    const view = keySpace('svc', strategy, { tableSize: 5003 }, three);
    expect(view.applicable).toBe(true);
    expect(view.kind).toBe(strategy === 'ring-hash' ? 'ring' : 'table');
    const total = view.backends.reduce((s, b) => s + b.share, 0);
    expect(total).toBeCloseTo(1, 6);
    for (const b of view.backends) expect(Math.abs(b.share - 1 / 3)).toBeLessThan(strategy === 'maglev' ? 0.001 : 0.06);
    expect(view.cells).toHaveLength(720);
    expect(new Set(view.cells)).toEqual(new Set([0, 1, 2]));
  });
});

describe('keyspace:moved from a running service', () => {
  it('adding a backend to a ring-hash service publishes the moved share, and strategy:keyspace keeps it', async () => {
    const backendsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `http://127.0.0.1:${10_001 + i}`, name: `b${i}` }));
    const wb = new Workbench({ dataPlane: false, workspace: { services: [{ name: 'h', listen: '127.0.0.1:0', strategy: 'ring-hash', backends: backendsOf(3) }] } });
    const events: WorkbenchEvent[] = [];
    wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
    const added = await wb.invoke('backends:add', { service: 'h', backend: { url: 'http://127.0.0.1:10004', name: 'b3' } });
    expect(added.ok).toBe(true);
    const moved = events.filter((e) => e.type === 'keyspace:moved');
    expect(moved).toHaveLength(1);
    const move = moved[0]!.type === 'keyspace:moved' ? moved[0]!.move : undefined;
    expect(move).toMatchObject({ service: 'h', strategy: 'ring-hash', keys: 10_000, before: ['b0', 'b1', 'b2'], after: ['b0', 'b1', 'b2', 'b3'] });
    expect(move!.ideal).toBeCloseTo(0.25, 10);
    expect(Math.abs(move!.moved - 0.25)).toBeLessThan(0.03);
    const ks = await wb.invoke('strategy:keyspace', { service: 'h' });
    expect(ks.ok && ks.value.lastMove).toEqual(move);
    // A change that touches neither membership nor weights measures nothing.
    await wb.invoke('services:update', { service: 'h', patch: { rewriteRedirects: false } });
    expect(events.filter((e) => e.type === 'keyspace:moved')).toHaveLength(1);
  });

  it('a round-robin service publishes no move', async () => {
    const wb = new Workbench({ dataPlane: false, workspace: { services: [{ name: 'r', listen: '127.0.0.1:0', backends: [{ url: 'http://127.0.0.1:10001' }] }] } });
    const events: WorkbenchEvent[] = [];
    wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
    await wb.invoke('backends:add', { service: 'r', backend: { url: 'http://127.0.0.1:10002' } });
    expect(events.some((e) => e.type === 'keyspace:moved')).toBe(false);
    const ks = await wb.invoke('strategy:keyspace', { service: 'r' });
    expect(ks.ok && ks.value).toMatchObject({ applicable: false, lastMove: null });
  });
});
