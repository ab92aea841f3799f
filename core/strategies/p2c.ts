/**
 * The power of two choices: draw two distinct usable backends (available, not
 * tried by this request) uniformly at random and keep the cheaper; on a tie
 * the first drawn. Shared by power-of-two (cost = load) and peak-ewma (cost =
 * expected latency).
 */
import type { Pickable } from '../model/backend';
import type { ChoiceRow } from './reason';
import { usable } from './usable';

export function pickOfTwo<B extends Pickable>(
  backends: readonly B[],
  exclude: ReadonlySet<string>,
  rng: { random(): number },
  cost: (b: B) => number,
  /** For a sampled pick: each candidate drawn gets a row (how the strategy describes it, its score added here). */
  rows?: { list: ChoiceRow[]; describe: (b: B) => Omit<ChoiceRow, 'score'> },
): B | undefined {
  let m = 0;
  for (const b of backends) if (usable(b, exclude)) m++;
  if (m === 0) return undefined;
  if (m === 1) {
    for (const b of backends) {
      if (!usable(b, exclude)) continue;
      rows?.list.push({ ...rows.describe(b), score: cost(b) });
      return b;
    }
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
  const a = cost(first);
  const b = cost(second);
  if (rows) rows.list.push({ ...rows.describe(first), score: a }, { ...rows.describe(second), score: b });
  return b < a ? second : first;
}
