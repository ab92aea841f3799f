/**
 * Ring hash: ketama-style consistent hashing. Each backend puts 160 points per
 * unit of weight on a 32-bit ring (MurmurHash3 of `id_n`); a request's key
 * hashes to a position and goes to the first point clockwise whose backend is
 * available and not yet tried by this request (a retry walks on past the
 * backend that failed, as past one that is down). A backend's points depend on
 * nothing but its own id and weight, so removing one backend moves only the
 * keys it held.
 */
import { z } from 'zod';
import type { Pickable } from '../model/backend';
import { murmur3 } from './hash';
import { checkHashKey, hashKeyParams, hashKeyShape, keyReader } from './hash-key';
import { Membership } from './membership';
import type { PickTrace } from './reason';
import type { StrategyDefinition } from './types';
import { anyUsable, firstUsable, usable } from './usable';

const POINTS_PER_WEIGHT = 160;
/** Above this many points every backend's share is scaled down (and keys may move on change). */
export const MAX_RING_POINTS = 65_536;
/** Owner indices are packed under the hash in one double: hash * 2^20 + owner < 2^52. */
const OWNER_BITS = 2 ** 20;

const RingHashOptions = z.strictObject(hashKeyShape).superRefine(checkHashKey);
export type RingHashOptions = z.infer<typeof RingHashOptions>;

interface Ring {
  hashes: Uint32Array;
  owners: Int32Array;
}

/** Builds the sorted ring for a backend list; owners are indices into it. */
export function buildRing(backends: readonly Pickable[]): Ring {
  const totalWeight = backends.reduce((sum, b) => sum + Math.max(0, b.weight), 0);
  const scale = Math.min(POINTS_PER_WEIGHT, MAX_RING_POINTS / Math.max(1, totalWeight));
  const counts = backends.map((b) => Math.max(1, Math.floor(b.weight * scale)));
  const packed = new Float64Array(counts.reduce((a, c) => a + c, 0));
  let k = 0;
  backends.forEach((b, owner) => {
    for (let n = 0; n < counts[owner]!; n++) packed[k++] = murmur3(`${b.hashKey ?? b.id}_${n}`) * OWNER_BITS + owner;
  });
  packed.sort(); // numeric; equal hashes order by owner index
  const hashes = new Uint32Array(packed.length);
  const owners = new Int32Array(packed.length);
  for (let i = 0; i < packed.length; i++) {
    const v = packed[i]!;
    hashes[i] = Math.floor(v / OWNER_BITS);
    owners[i] = v % OWNER_BITS;
  }
  return { hashes, owners };
}

/** Index of the first point at or after `h`, wrapping to 0 past the end. */
export function firstAtOrAfter(hashes: Uint32Array, h: number): number {
  let lo = 0;
  let hi = hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hashes[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  return lo === hashes.length ? 0 : lo;
}

export const ringHash: StrategyDefinition<RingHashOptions> = {
  name: 'ring-hash',
  label: 'Ring hash (consistent)',
  description: 'The same client, header or cookie always reaches the same backend; a change moves few keys.',
  whenToUse: 'Sticky sessions or per-key caches, where adding or removing a backend should remap only its share.',
  layer4: true,
  params: hashKeyParams,
  options: RingHashOptions,
  create(options) {
    const keyOf = keyReader(options);
    const members = new Membership();
    let ring: Ring = { hashes: new Uint32Array(0), owners: new Int32Array(0) };
    const refresh = (backends: readonly Pickable[]): void => {
      members.set(backends);
      ring = buildRing(backends);
    };
    return {
      refresh,
      pick(backends, req, exclude, trace?: PickTrace) {
        members.ensure(backends, refresh);
        if (!anyUsable(backends, exclude)) return undefined;
        const { hashes, owners } = ring;
        const key = keyOf(req);
        const hash = murmur3(key);
        let i = firstAtOrAfter(hashes, hash);
        // Clockwise past points whose backend is down or tried; every backend has a point.
        for (let steps = 0; steps < hashes.length; steps++) {
          const b = backends[owners[i]!]!;
          if (usable(b, exclude)) {
            if (trace) trace.reason = { kind: 'ring-hash', key, hash, owner: b.id, walked: steps, slot: i };
            return b;
          }
          if (++i === hashes.length) i = 0;
        }
        return firstUsable(backends, exclude);
      },
    };
  },
};
