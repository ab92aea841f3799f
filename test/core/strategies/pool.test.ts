import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { LbError } from '../../../core/model/errors';
import { Pool } from '../../../core/strategies/pool';
import { getStrategy, listStrategies } from '../../../core/strategies/registry';
import { clients, FakeBackend, req, seeded } from './helpers';

let port = 3000;
function backend(name: string, extra: { backup?: boolean; weight?: number } = {}): Backend {
  return new Backend({ url: `http://127.0.0.1:${++port}`, name, weight: extra.weight ?? 1, state: 'active', backup: extra.backup ?? false }, name);
}

/** Ids picked over `count` requests from distinct clients (so hashing strategies spread too). */
function picked(pool: Pool<Backend>, count = 300, exclude?: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const r of clients(count)) out.add(pool.pick(r, exclude)?.id ?? '-');
  return out;
}

describe.each(listStrategies().map((d) => d.name))('Pool with %s', (name) => {
  function setup() {
    const [a, b, c, x] = [backend('a'), backend('b'), backend('c'), backend('x', { backup: true })];
    const pool = new Pool<Backend>(getStrategy(name), {}, seeded(9));
    pool.setBackends([a, b, c, x]);
    return { pool, a, b, c, x };
  }

  it('uses every primary and no backup while all are up', () => {
    expect(picked(setup().pool)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('skips a backend that is down', () => {
    const { pool, b } = setup();
    b.health = 'unhealthy';
    expect(picked(pool)).toEqual(new Set(['a', 'c']));
  });

  it('skips a draining, a disabled, an ejected and a full backend', () => {
    const { pool, a, b, c } = setup();
    a.state = 'drain';
    b.state = 'disabled';
    expect(picked(pool)).toEqual(new Set(['c']));
    b.state = 'active';
    b.ejected = true;
    c.maxConnections = 1;
    c.inFlight = 1;
    expect(picked(pool, 50)).toEqual(new Set(['x']));
  });

  it('serves from the backup only while no primary is available', () => {
    const { pool, a, b, c } = setup();
    for (const p of [a, b, c]) p.health = 'unhealthy';
    expect(picked(pool)).toEqual(new Set(['x']));
    b.health = 'healthy';
    expect(picked(pool)).toEqual(new Set(['b']));
  });

  it('returns undefined when every backend, backups included, is down', () => {
    const { pool, a, b, c, x } = setup();
    for (const p of [a, b, c, x]) p.state = 'disabled';
    expect(picked(pool, 20)).toEqual(new Set(['-']));
  });

  it('never returns an excluded backend, and does not spill a retry onto backups', () => {
    const { pool } = setup();
    expect(picked(pool, 300, new Set(['a']))).toEqual(new Set(['b', 'c']));
    expect(picked(pool, 300, new Set(['a', 'b', 'c']))).toEqual(new Set(['-']));
  });

  it('follows membership and backup flags after setBackends and refresh', () => {
    const { pool, a, x } = setup();
    const d = backend('d');
    pool.setBackends([a, d, x]);
    expect(picked(pool)).toEqual(new Set(['a', 'd']));
    x.backup = false;
    a.backup = true;
    pool.refresh();
    expect(picked(pool)).toEqual(new Set(['d', 'x']));
  });
});

describe('Pool', () => {
  it('rejects bad options with CONFIG_INVALID', () => {
    const make = () => new Pool(getStrategy('ring-hash'), { hashOn: 'cookie' }, seeded());
    expect(make).toThrow(LbError);
    expect(make).toThrow('strategyOptions.key: required when hashOn is "cookie"');
    try {
      make();
    } catch (e) {
      expect((e as LbError).code).toBe('CONFIG_INVALID');
      expect((e as LbError).issues).toEqual(['strategyOptions.key: required when hashOn is "cookie"']);
    }
  });

  it('switches strategy live, keeping the current one when the new options are invalid', () => {
    const list = [new FakeBackend('a', 5), new FakeBackend('b', 1), new FakeBackend('c', 1)];
    const pool = new Pool<FakeBackend>(getStrategy('round-robin'), undefined, seeded());
    pool.setBackends(list);
    const seq = (n: number) => Array.from({ length: n }, () => pool.pick(req())?.id).join(' ');
    expect(seq(3)).toBe('a b c');
    expect(() => pool.setStrategy(getStrategy('maglev'), { tableSize: 100 })).toThrow('strategyOptions.tableSize: must be a prime number');
    expect(pool.strategyName).toBe('round-robin');
    expect(seq(3)).toBe('a b c');
    pool.setStrategy(getStrategy('weighted-round-robin'), {});
    expect(pool.strategyName).toBe('weighted-round-robin');
    expect(seq(7)).toBe('a a b a c a a');
  });

  it('exposes the options with defaults filled in', () => {
    const pool = new Pool(getStrategy('maglev'), { hashOn: 'header', key: 'x-user' }, seeded());
    expect(pool.strategyOptions).toEqual({ hashOn: 'header', key: 'x-user', tableSize: 65_537 });
  });

  it('keeps the primaries and backups in separate rotations', () => {
    const [a, b, x, y] = [new FakeBackend('a'), new FakeBackend('b'), new FakeBackend('x', 1, true), new FakeBackend('y', 1, true)];
    const pool = new Pool<FakeBackend>(getStrategy('round-robin'), {}, seeded());
    pool.setBackends([x, a, y, b]);
    const seq = (n: number) => Array.from({ length: n }, () => pool.pick(req())?.id ?? '-').join(' ');
    expect(seq(3)).toBe('a b a');
    a.up = false;
    b.up = false;
    expect(seq(3)).toBe('x y x');
    b.up = true;
    expect(seq(2)).toBe('b b');
  });

  it('keeps a hashed key on its backend through a retry of another backend', () => {
    const list = ['a', 'b', 'c', 'd'].map((id) => new FakeBackend(id));
    const pool = new Pool<FakeBackend>(getStrategy('ring-hash'), {}, seeded());
    pool.setBackends(list);
    for (const r of clients(200)) {
      const home = pool.pick(r)!;
      const other = list.find((b) => b !== home)!;
      expect(pool.pick(r, new Set([other.id]))).toBe(home);
      expect(pool.pick(r, new Set([home.id]))).not.toBe(home);
    }
  });

  it('returns undefined for an empty pool', () => {
    const pool = new Pool(getStrategy('least-connections'), {}, seeded());
    expect(pool.pick(req())).toBeUndefined();
    pool.setBackends([]);
    expect(pool.pick(req(), new Set(['a']))).toBeUndefined();
  });
});
