/**
 * Smooth weighted round robin, as nginx does it: on each pick every available
 * backend's current weight grows by its weight, the largest wins and pays the
 * total back. Weights 5:1:1 give a a b a c a a, interleaved rather than a run
 * of five a's. Unavailable backends, and those this request already tried,
 * sit the round out (nginx's rule for a retry).
 */
import { z } from 'zod';
import type { PickTrace, WeightRow } from './reason';
import { SmoothWeights } from './smooth';
import type { Strategy, StrategyDefinition } from './types';
import { usable } from './usable';

/** A smooth weighted round robin over `turns` (its current weights). */
function smoothRotation(turns: SmoothWeights): Strategy {
  return {
    // The sequence starts over when membership or weights change, as nginx does on reload.
    refresh: () => turns.reset(),
    copy: () => smoothRotation(turns.clone()),
    pick(backends, _req, exclude, trace?: PickTrace) {
      if (!trace) return turns.next(backends, (b) => usable(b, exclude), (b) => b.weight);
      const table: WeightRow[] = [];
      const chosen = turns.next(backends, (b) => usable(b, exclude), (b) => b.weight, table);
      let total = 0;
      for (const r of table) if (r.inRound) total += r.weight;
      trace.reason = { kind: 'weighted-round-robin', table, total };
      return chosen;
    },
  };
}

export const weightedRoundRobin: StrategyDefinition<Record<string, never>> = {
  name: 'weighted-round-robin',
  label: 'Weighted round robin',
  description: 'Each backend in turn, as often as its weight, interleaved smoothly (nginx).',
  whenToUse: 'Backends of different capacity and requests of similar cost: give a bigger machine a bigger weight.',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create() {
    return smoothRotation(new SmoothWeights());
  },
};
