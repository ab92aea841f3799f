/** Test doubles for the strategy tests: scripted backends, clocks and randomness. */
import type { Pickable } from '../../../core/model/backend';
import { getStrategy } from '../../../core/strategies/registry';
import type { PickRequest, Strategy, StrategyDeps } from '../../../core/strategies/types';
import { NOTHING_TRIED } from '../../../core/strategies/usable';

export class FakeBackend implements Pickable {
  up = true;
  inFlight = 0;
  latency = 0;
  constructor(
    readonly id: string,
    public weight = 1,
    public backup = false,
  ) {}
  available(): boolean {
    return this.up;
  }
  latencyEstimate(): number {
    return this.latency;
  }

  /** Recent failures as load (set by a test; 0 by default). */
  failures = 0;
  recentFailures(): number {
    return this.failures;
  }
}

export function backends(spec: string | Record<string, number>): FakeBackend[] {
  if (typeof spec === 'string') return spec.split(' ').map((id) => new FakeBackend(id));
  return Object.entries(spec).map(([id, w]) => new FakeBackend(id, w));
}

/** The exclusion set of a first attempt. */
export const none = NOTHING_TRIED;

export const req = (clientAddress = '10.0.0.1', headers: PickRequest['headers'] = {}): PickRequest => ({ clientAddress, headers });

/** deps.random returns these values in order, then throws: a test states every draw it expects. */
export function scripted(values: number[], now = 0): StrategyDeps & { left(): number } {
  let i = 0;
  return {
    now: () => now,
    random: () => {
      if (i >= values.length) throw new Error(`random() called more than the ${values.length} scripted times`);
      return values[i++]!;
    },
    left: () => values.length - i,
  };
}

/** A small seeded PRNG (mulberry32) for distribution tests: deterministic, uniform enough. */
export function seeded(seed = 42, now = 0): StrategyDeps {
  let a = seed >>> 0;
  return {
    now: () => now,
    random: () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export function make(name: string, options: unknown = {}, deps: StrategyDeps = seeded()): Strategy {
  const def = getStrategy(name);
  return def.create(def.options.parse(options), deps);
}

/** Ids of `count` successive picks. */
export function sequence(s: Strategy, list: readonly Pickable[], count: number, r: PickRequest = req()): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(s.pick(list, r, none)?.id ?? '-');
  return out.join(' ');
}

/** Share of picks per id over `count` picks. */
export function shares(count: number, pickOne: (i: number) => Pickable | undefined): Record<string, number> {
  const n: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const id = pickOne(i)?.id ?? '-';
    n[id] = (n[id] ?? 0) + 1;
  }
  for (const id of Object.keys(n)) n[id]! /= count;
  return n;
}

/** Requests with distinct client addresses, for the hashing strategies. */
export const clients = (count: number): PickRequest[] => Array.from({ length: count }, (_, i) => req(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
