/**
 * Smooth weighted round robin, as nginx does it: on each pick every available
 * backend's current weight grows by its weight, the largest wins and pays the
 * total back. Weights 5:1:1 give a a b a c a a, interleaved rather than a run
 * of five a's. Unavailable backends sit the round out.
 */
import { z } from 'zod';
import type { StrategyDefinition } from './types';

export const weightedRoundRobin: StrategyDefinition<Record<string, never>> = {
  name: 'weighted-round-robin',
  label: 'Weighted round robin',
  description: 'Each backend in turn, as often as its weight, interleaved smoothly (nginx).',
  whenToUse: 'Backends of different capacity and requests of similar cost: give a bigger machine a bigger weight.',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create() {
    // Current weights by backend id; reset when membership or weights change, as nginx does on reload.
    let current = new Map<string, number>();
    return {
      refresh() {
        current = new Map();
      },
      pick(backends) {
        let best: (typeof backends)[number] | undefined;
        let bestCurrent = -Infinity;
        let total = 0;
        for (const b of backends) {
          if (!b.available()) continue;
          const c = (current.get(b.id) ?? 0) + b.weight;
          current.set(b.id, c);
          total += b.weight;
          if (c > bestCurrent) {
            best = b;
            bestCurrent = c;
          }
        }
        if (best) current.set(best.id, bestCurrent - total);
        return best;
      },
    };
  },
};
