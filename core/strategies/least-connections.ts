/**
 * Least connections: the available backend with the fewest in-flight requests
 * per unit of weight. Ties are broken round robin: the scan starts just past
 * the last pick, so equally loaded backends take turns instead of the first
 * one taking everything.
 */
import { z } from 'zod';
import type { StrategyDefinition } from './types';

export const leastConnections: StrategyDefinition<Record<string, never>> = {
  name: 'least-connections',
  label: 'Least connections',
  description: 'The backend with the fewest in-flight requests for its weight; ties take turns.',
  whenToUse: 'Requests or connections of very different length (uploads, websockets, long TCP sessions).',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create() {
    let cursor = 0;
    return {
      pick(backends) {
        const n = backends.length;
        let best: (typeof backends)[number] | undefined;
        let bestLoad = Infinity;
        let bestIndex = 0;
        for (let k = 0; k < n; k++) {
          const i = (cursor + k) % n;
          const b = backends[i]!;
          if (!b.available()) continue;
          // Equal ratios of integers divide to the same double, so ties are exact.
          const load = b.inFlight / b.weight;
          if (load < bestLoad) {
            best = b;
            bestLoad = load;
            bestIndex = i;
          }
        }
        if (best) cursor = bestIndex + 1;
        return best;
      },
    };
  },
};
