import { describe, expect, it } from 'vitest';
import { murmur3 } from '../../../core/strategies/hash';
import { buildRing, MAX_RING_POINTS } from '../../../core/strategies/ring-hash';
import { hashingCases } from './hashing-cases';
import { backends, clients, FakeBackend, make, none, req, scripted } from './helpers';

// A backend's points depend only on its own id and weight, so removing one moves none of the other keys.
// 160 points per weight leave each share a few percent off its weight (ketama's known spread): ±4% absolute.
// Retries past a broken backend, 300 keys: the good ones' own shares are that few percent apart, the broken one's
// 160 arcs each spill whole onto the point after them (about ±2% more), and 300 keys sample it all (±2.9%, one
// standard deviation): each good one 50% ± 10% (measured: 58.7% at worst; 54.3% over 30,000 keys), broken first
// at most 1/3 + 5% (it is its own share: 36.3%).
hashingCases('ring-hash', { movedOtherMax: 0, shareTolerance: 0.04, retry: { share: 0.1, brokenFirst: 0.05 } });

describe('ring-hash', () => {
  it('maps a few client addresses to fixed backends', () => {
    const list = backends('b1 b2 b3 b4 b5');
    const s = make('ring-hash', {}, scripted([]));
    const got = ['1.2.3.4', '10.0.0.1', '10.0.0.2', '10.0.0.3', '::1', '192.168.1.7'].map((ip) => s.pick(list, req(ip), none)?.id);
    expect(got.join(' ')).toBe('b5 b5 b5 b3 b2 b4');
  });

  it('goes to the first point clockwise of the key, as a brute-force search finds it', () => {
    const list = backends({ a: 1, b: 2, c: 1 });
    const ring = buildRing(list);
    const s = make('ring-hash', {}, scripted([]));
    s.refresh?.(list);
    for (const r of clients(1000)) {
      const h = murmur3(r.clientAddress);
      let at = -1;
      for (let i = 0; i < ring.hashes.length; i++) if (ring.hashes[i]! >= h && (at === -1 || ring.hashes[i]! < ring.hashes[at]!)) at = i;
      if (at === -1) at = 0; // past the last point: wrap to the first
      expect(s.pick(list, r, none)).toBe(list[ring.owners[at]!]);
    }
  });

  it('puts 160 points per unit of weight on a sorted ring', () => {
    const ring = buildRing(backends({ a: 1, b: 2, c: 3 }));
    expect(ring.hashes.length).toBe(960);
    const count = [0, 0, 0];
    ring.owners.forEach((o) => count[o]!++);
    expect(count).toEqual([160, 320, 480]);
    for (let i = 1; i < ring.hashes.length; i++) expect(ring.hashes[i]!).toBeGreaterThanOrEqual(ring.hashes[i - 1]!);
  });

  it('caps the ring size, scaling every weight alike', () => {
    const ring = buildRing(backends({ a: 1000, b: 1000, c: 1000, d: 1000, e: 1 }));
    // 65,536 / 4,001 = 16.3799 points per unit of weight, rounded down
    const count = [0, 0, 0, 0, 0];
    ring.owners.forEach((o) => count[o]!++);
    expect(count).toEqual([16_379, 16_379, 16_379, 16_379, 16]);
    expect(ring.hashes.length).toBeLessThanOrEqual(MAX_RING_POINTS);
  });

  it('gives every backend at least one point, however small its share', () => {
    const list = Array.from({ length: 70 }, (_, i) => new FakeBackend(`big${i}`, 1000));
    list.push(new FakeBackend('small', 1));
    const ring = buildRing(list);
    expect(ring.hashes.length).toBeLessThanOrEqual(MAX_RING_POINTS);
    expect(Array.from(ring.owners).filter((o) => o === 70)).toEqual([70]);
  });
});
