/**
 * The power of two choices: draw two distinct usable backends (available, not
 * tried by this request) uniformly at random and keep the cheaper; on a tie
 * the first drawn. Shared by power-of-two (cost = load) and peak-ewma (cost =
 * expected latency).
 */
import type { Pickable } from '../model/backend';
import { usable } from './usable';

export function pickOfTwo<B extends Pickable>(
  backends: readonly B[],
  exclude: ReadonlySet<string>,
  rng: { random(): number },
  cost: (b: B) => number,
): B | undefined {
  let m = 0;
  for (const b of backends) if (usable(b, exclude)) m++;
  if (m === 0) return undefined;
  if (m === 1) {
    for (const b of backends) if (usable(b, exclude)) return b;
  }
  // Ranks among the usable backends: i in [0, m), then j in [0, m) other than i.
  const i = Math.min(m - 1, Math.floor(rng.random() * m));
  let j = Math.min(m - 2, Math.floor(rng.random() * (m - 1)));
  if (j >= i) j++;
  let first: B | undefined;
  let second: B | undefined;
  let rank = 0;
  for (const b of backends) {
    if (!usable(b, exclude)) continue;
    if (rank === i) first = b;
    else if (rank === j) second = b;
    rank++;
  }
  if (!first || !second) return first ?? second;
  return cost(second) < cost(first) ? second : first;
}
