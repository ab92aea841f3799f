/** Cases shared by the consistent-hashing strategies (ring-hash, maglev): stickiness, movement, keys, retries. */
import { describe, expect, it } from 'vitest';
import { LbError } from '../../../core/model/errors';
import { createStrategy } from '../../../core/strategies/registry';
import type { PickRequest, Strategy } from '../../../core/strategies/types';
import { backends, clients, FakeBackend, make, none, req, scripted, shares } from './helpers';
import { distinctUsers, expectEvenSplit, HASH_ON_USER, POSITIONS, runRetries } from './retry-split';

const ids = (s: Strategy, list: FakeBackend[], keys: PickRequest[], exclude: ReadonlySet<string> = none) => keys.map((r) => s.pick(list, r, exclude)?.id ?? '-');

function refreshed(name: string, list: FakeBackend[], options: unknown = {}) {
  const s = make(name, options, scripted([])); // hashing never draws randomness
  s.refresh?.(list);
  return s;
}

export function hashingCases(name: string, limits: { movedOtherMax: number; shareTolerance: number; retry: { share: number; brokenFirst: number } }): void {
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

    it('walks past the backends a retry excludes, keeping every other key in place', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const s = refreshed(name, list);
      const before = ids(s, list, keys.slice(0, 2000));
      const tried = new Set(['b2', 'b4']);
      const after = ids(s, list, keys.slice(0, 2000), tried);
      const movedTo = new Set<string>();
      before.forEach((id, i) => {
        if (!tried.has(id)) expect(after[i]).toBe(id);
        else movedTo.add(after[i]!);
      });
      // The excluded backends' keys spread over all three others, none is left without a backend.
      expect([...movedTo].sort()).toEqual(['b1', 'b3', 'b5']);
      // Nothing excluded: back to the original mapping.
      expect(ids(s, list, keys.slice(0, 2000))).toEqual(before);
      expect(ids(s, list, keys.slice(0, 10), new Set(['b1', 'b2', 'b3', 'b4', 'b5']))).toEqual(Array(10).fill('-'));
    });

    it('returns the objects it was passed, not the ones it was refreshed with', () => {
      const list = backends('b1 b2 b3');
      const copies = backends('b1 b2 b3');
      const s = refreshed(name, list);
      for (const r of keys.slice(0, 50)) expect(copies).toContain(s.pick(copies, r, none));
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
      expect(s.pick(list, req(), none)).toBeUndefined();
      expect(s.pick([], req(), none)).toBeUndefined();
    });

    it(`respects weights 1:2:3 over 100,000 keys (within ${limits.shareTolerance * 100}%)`, () => {
      const list = backends({ a: 1, b: 2, c: 3 });
      const s = refreshed(name, list);
      const many = clients(100_000);
      const share = shares(many.length, (i) => s.pick(list, many[i]!, none));
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
        const home = byHeader.pick(list, req('10.0.0.1', { 'x-user': user }), none);
        expect(byHeader.pick(list, req('10.9.9.9', { 'x-user': user }), none)).toBe(home);
        // The key itself, not the header's name, is what is hashed: the same string as a client address lands alike.
        expect(byIp.pick(list, req(user), none)).toBe(home);
      }
      for (const r of keys.slice(0, 200)) expect(byHeader.pick(list, r, none)).toBe(byIp.pick(list, r, none));
      expect(byHeader.pick(list, req('10.0.0.7', { 'x-user': '' }), none)).toBe(byIp.pick(list, req('10.0.0.7'), none));
    });

    it('hashes on a cookie, falling back to the client address', () => {
      const list = backends('b1 b2 b3 b4 b5');
      const byIp = refreshed(name, list);
      const byCookie = refreshed(name, list, { hashOn: 'cookie', key: 'session' });
      for (let i = 0; i < 200; i++) {
        const sid = `s${i}`;
        const home = byCookie.pick(list, req('10.0.0.1', { cookie: `theme=dark; session=${sid}; lang=en` }), none);
        expect(home).toBe(byIp.pick(list, req(sid), none));
        expect(byCookie.pick(list, req('10.1.1.1', { cookie: `session=${sid}` }), none)).toBe(home);
      }
      expect(byCookie.pick(list, req('10.0.0.9', { cookie: 'theme=dark' }), none)).toBe(byIp.pick(list, req('10.0.0.9'), none));
      expect(byCookie.pick(list, req('10.0.0.9'), none)).toBe(byIp.pick(list, req('10.0.0.9'), none));
    });

    it.each(['header', 'cookie'])('requires key when hashOn is %s, with a path-named message', (hashOn) => {
      const attempt = () => createStrategy(name, { hashOn }, scripted([]));
      expect(attempt).toThrow(LbError);
      expect(attempt).toThrow(`strategyOptions.key: required when hashOn is "${hashOn}"`);
    });

    it.each(POSITIONS)(
      `retries past a broken backend at position %i: 300 keys, each good one 50% ± ${limits.retry.share * 100}%, broken first ≤ 1/3 + ${limits.retry.brokenFirst * 100}%, none unserved`,
      (at) => {
        const split = runRetries({ strategy: name, options: HASH_ON_USER, brokenAt: at, requests: distinctUsers(300), deps: scripted([]) });
        expectEvenSplit(split, at, 300, limits.retry);
      },
    );
  });
}
