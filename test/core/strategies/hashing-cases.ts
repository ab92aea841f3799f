/** Cases shared by the consistent-hashing strategies (ring-hash, maglev): stickiness, movement, keys, subsets. */
import { describe, expect, it } from 'vitest';
import { LbError } from '../../../core/model/errors';
import { createStrategy } from '../../../core/strategies/registry';
import { backends, clients, FakeBackend, make, req, scripted, shares } from './helpers';

const ids = (s: { pick: (l: FakeBackend[], r: ReturnType<typeof req>) => FakeBackend | undefined }, list: FakeBackend[], keys: ReturnType<typeof req>[]) =>
  keys.map((r) => s.pick(list, r)?.id ?? '-');

function refreshed(name: string, list: FakeBackend[], options: unknown = {}) {
  const s = make(name, options, scripted([])); // hashing never draws randomness
  s.refresh?.(list);
  return s;
}

export function hashingCases(name: string, limits: { movedOtherMax: number; shareTolerance: number }): void {
  describe(`${name}: consistent hashing`, () => {
    const keys = clients(10_000);

    it('sends the same key to the same backend, across picks and instances', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const s = refreshed(name, list);
      const first = ids(s, list, keys.slice(0, 1000));
      expect(ids(s, list, keys.slice(0, 1000))).toEqual(first);
      expect(ids(refreshed(name, list), list, keys.slice(0, 1000))).toEqual(first);
      expect(new Set(first).size).toBe(5);
    });

    it('moves about 1/N of the keys when one of N=5 backends is removed', () => {
      const five = backends('b1 b2 b3 b4 b5');
      const four = five.filter((b) => b.id !== 'b3');
      const before = ids(refreshed(name, five), five, keys);
      const after = ids(refreshed(name, four), four, keys);
      const moved = before.filter((id, i) => id !== after[i]).length / keys.length;
      expect(moved).toBeGreaterThan(0.1);
      expect(moved).toBeLessThan(0.3);
      const stayers = before.map((id, i) => [id, after[i]]).filter(([id]) => id !== 'b3');
      const movedOther = stayers.filter(([a, b]) => a !== b).length / stayers.length;
      expect(movedOther).toBeLessThanOrEqual(limits.movedOtherMax);
      expect(after).not.toContain('b3');
    });

    it('keeps every other key in place when a backend is down, and spreads the down one over the rest', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const s = refreshed(name, list);
      const before = ids(s, list, keys);
      list[2]!.up = false;
      const after = ids(s, list, keys);
      const moved = new Set<string>();
      before.forEach((id, i) => {
        if (id === 'b3') moved.add(after[i]!);
        else expect(after[i]).toBe(id);
      });
      expect(moved.has('b3')).toBe(false);
      expect(moved.size).toBeGreaterThanOrEqual(3);
    });

    it('picks only from a retry subset, keeping keys whose backend is in it', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const s = refreshed(name, list);
      const before = ids(s, list, keys.slice(0, 2000));
      const subset = list.filter((b) => b.id !== 'b2' && b.id !== 'b4');
      const after = ids(s, subset, keys.slice(0, 2000));
      before.forEach((id, i) => {
        if (id !== 'b2' && id !== 'b4') expect(after[i]).toBe(id);
        else expect(['b1', 'b3', 'b5']).toContain(after[i]);
      });
      // The full list again: back to the original mapping.
      expect(ids(s, list, keys.slice(0, 2000))).toEqual(before);
    });

    it('returns the objects it was passed, not the ones it was refreshed with', () => {
      const list = backends('b1 b2 b3');
      const copies = backends('b1 b2 b3');
      const s = refreshed(name, list);
      for (const r of keys.slice(0, 50)) expect(copies).toContain(s.pick(copies, r));
    });

    it('refreshes lazily when picked without a refresh, or with a backend it never saw', () => {
      const five = backends('b1 b2 b3 b4 b5');
      const expected = ids(refreshed(name, five), five, keys.slice(0, 500));
      expect(ids(make(name, {}, scripted([])), five, keys.slice(0, 500))).toEqual(expected);
      const stale = refreshed(name, five.slice(0, 4));
      expect(ids(stale, five, keys.slice(0, 500))).toEqual(expected);
    });

    it('returns undefined when nothing is available', () => {
      const list = backends('b1 b2 b3');
      const s = refreshed(name, list);
      for (const b of list) b.up = false;
      expect(s.pick(list, req())).toBeUndefined();
      expect(s.pick([], req())).toBeUndefined();
    });

    it(`respects weights 1:2:3 over 100,000 keys (within ${limits.shareTolerance * 100}%)`, () => {
      const list = backends({ a: 1, b: 2, c: 3 });
      const s = refreshed(name, list);
      const many = clients(100_000);
      const share = shares(many.length, (i) => s.pick(list, many[i]!));
      expect(Math.abs(share.a! - 1 / 6)).toBeLessThan(limits.shareTolerance);
      expect(Math.abs(share.b! - 2 / 6)).toBeLessThan(limits.shareTolerance);
      expect(Math.abs(share.c! - 3 / 6)).toBeLessThan(limits.shareTolerance);
    });

    it('hashes on a header, case-insensitively by name, falling back to the client address', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const byIp = refreshed(name, list);
      const byHeader = refreshed(name, list, { hashOn: 'header', key: 'X-User' });
      const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
      for (const user of users) {
        const home = byHeader.pick(list, req('10.0.0.1', { 'x-user': user }));
        expect(byHeader.pick(list, req('10.9.9.9', { 'x-user': user }))).toBe(home);
        // The key itself, not the header's name, is what is hashed: the same string as a client address lands alike.
        expect(byIp.pick(list, req(user))).toBe(home);
      }
      for (const r of keys.slice(0, 200)) expect(byHeader.pick(list, r)).toBe(byIp.pick(list, r));
      expect(byHeader.pick(list, req('10.0.0.7', { 'x-user': '' }))).toBe(byIp.pick(list, req('10.0.0.7')));
    });

    it('hashes on a cookie, falling back to the client address', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const byIp = refreshed(name, list);
      const byCookie = refreshed(name, list, { hashOn: 'cookie', key: 'session' });
      for (let i = 0; i < 200; i++) {
        const sid = `s${i}`;
        const home = byCookie.pick(list, req('10.0.0.1', { cookie: `theme=dark; session=${sid}; lang=en` }));
        expect(home).toBe(byIp.pick(list, req(sid)));
        expect(byCookie.pick(list, req('10.1.1.1', { cookie: `session=${sid}` }))).toBe(home);
      }
      expect(byCookie.pick(list, req('10.0.0.9', { cookie: 'theme=dark' }))).toBe(byIp.pick(list, req('10.0.0.9')));
      expect(byCookie.pick(list, req('10.0.0.9'))).toBe(byIp.pick(list, req('10.0.0.9')));
    });

    it.each(['header', 'cookie'])('requires key when hashOn is %s, with a path-named message', (hashOn) => {
      const attempt = () => createStrategy(name, { hashOn }, scripted([]));
      expect(attempt).toThrow(LbError);
      expect(attempt).toThrow(`strategyOptions.key: required when hashOn is "${hashOn}"`);
    });
  });
}
