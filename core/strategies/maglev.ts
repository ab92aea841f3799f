/**
 * Maglev (Google's consistent hashing, weighted as in Envoy): a lookup table
 * of prime size M where each backend fills slots along its own permutation
 * (offset + n x skip) mod M, taking turns in proportion to its weight. A key
 * hashes to one slot: a constant-time pick, an even spread, and little
 * movement when the membership changes. A key whose slot belongs to a backend
 * that is down or already tried by this request probes further slots along a
 * stride of its own (a second hash), so its traffic spreads over the others in
 * proportion to their slots rather than onto whichever owns the next slot.
 */
import { z } from 'zod';
import type { Pickable } from '../model/backend';
import { murmur3 } from './hash';
import { checkHashKey, hashKeyParams, hashKeyShape, keyReader } from './hash-key';
import { Membership } from './membership';
import type { PickTrace } from './reason';
import type { StrategyDefinition } from './types';
import { anyUsable, firstUsable, usable } from './usable';

export const DEFAULT_TABLE_SIZE = 65_537;
const MAX_TABLE_SIZE = 5_000_011; // Envoy's limit

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

const MaglevOptions = z
  .strictObject({
    ...hashKeyShape,
    tableSize: z
      .number()
      .int('must be a whole number')
      .min(7)
      .max(MAX_TABLE_SIZE)
      .refine(isPrime, 'must be a prime number, such as 65537 or 5003')
      .default(DEFAULT_TABLE_SIZE),
  })
  .superRefine(checkHashKey);
export type MaglevOptions = z.infer<typeof MaglevOptions>;

/** Fills the table with indices into `backends` (-1 everywhere when there are none). */
export function buildTable(backends: readonly Pickable[], size: number): Int32Array {
  const table = new Int32Array(size).fill(-1);
  const n = backends.length;
  if (n === 0) return table;
  const weights = backends.map((b) => Math.max(1, b.weight));
  const maxWeight = Math.max(...weights);
  const position = backends.map((b) => murmur3(b.hashKey ?? b.id, 0) % size); // starts at the offset
  const skip = backends.map((b) => (murmur3(b.hashKey ?? b.id, 1) % (size - 1)) + 1);
  const target = new Array<number>(n).fill(0);
  let filled = 0;
  for (let round = 0; ; round++) {
    for (let i = 0; i < n; i++) {
      // A backend of the largest weight takes a slot every round, one of a third of it every third round.
      if (round * weights[i]! < target[i]!) continue;
      target[i]! += maxWeight;
      let c = position[i]!;
      while (table[c] !== -1) c = (c + skip[i]!) % size;
      table[c] = i;
      position[i] = (c + skip[i]!) % size;
      if (++filled === size) return table;
    }
  }
}

export const maglev: StrategyDefinition<MaglevOptions> = {
  name: 'maglev',
  label: 'Maglev (consistent)',
  description: 'Consistent hashing through a prime-sized lookup table: constant-time picks, an even spread.',
  whenToUse: 'Like ring hash, when the spread must be even and picks cheap (many backends, high request rates).',
  layer4: true,
  params: [
    ...hashKeyParams,
    {
      name: 'tableSize',
      label: 'Table size',
      type: 'number',
      default: DEFAULT_TABLE_SIZE,
      description: 'Slots in the lookup table; must be prime, ideally at least 100 x the number of backends.',
    },
  ],
  options: MaglevOptions,
  create(options) {
    const keyOf = keyReader(options);
    const size = options.tableSize;
    const members = new Membership();
    let table: Int32Array = new Int32Array(0);
    const refresh = (backends: readonly Pickable[]): void => {
      members.set(backends);
      table = buildTable(backends, size);
    };
    return {
      refresh,
      pick(backends, req, exclude, trace?: PickTrace) {
        members.ensure(backends, refresh);
        if (!anyUsable(backends, exclude)) return undefined;
        const key = keyOf(req);
        const hash = murmur3(key);
        let slot = hash % size;
        const home = backends[table[slot]!];
        if (home && usable(home, exclude)) {
          if (trace) trace.reason = { kind: 'maglev', key, hash, owner: home.id, walked: 0, slot };
          return home;
        }
        // Past a down or tried owner along the key's own stride (double hashing): neighbouring slots are not
        // independent (the fill walks each permutation in turns), so slot + 1 can favour one backend far beyond its share.
        const stride = (murmur3(key, 1) % (size - 1)) + 1;
        for (let steps = 1; steps < size; steps++) {
          slot = (slot + stride) % size;
          const b = backends[table[slot]!];
          if (b && usable(b, exclude)) {
            if (trace) trace.reason = { kind: 'maglev', key, hash, owner: b.id, walked: steps, slot };
            return b;
          }
        }
        // Only when the table is smaller than the pool and left the usable backends out.
        return firstUsable(backends, exclude);
      },
    };
  },
};
