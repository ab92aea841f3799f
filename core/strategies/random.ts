/**
 * Weighted random: each available backend with probability weight / total,
 * one draw of deps.random() per pick. A retry draws among the backends not
 * tried yet.
 */
import { z } from 'zod';
import type { PickTrace } from './reason';
import type { StrategyDefinition } from './types';
import { usable } from './usable';

export const random: StrategyDefinition<Record<string, never>> = {
  name: 'random',
  label: 'Random',
  description: 'A random available backend, in proportion to its weight.',
  whenToUse: 'Many balancers in front of the same backends, where no shared turn order exists; stateless.',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create(_options, deps) {
    return {
      pick(backends, _req, exclude, trace?: PickTrace) {
        let total = 0;
        for (const b of backends) if (usable(b, exclude)) total += b.weight;
        if (total <= 0) return undefined;
        let r = deps.random() * total;
        if (trace) trace.reason = { kind: 'random', draw: r, total };
        let last: (typeof backends)[number] | undefined;
        for (const b of backends) {
          if (!usable(b, exclude)) continue;
          if (r < b.weight) return b;
          r -= b.weight;
          last = b;
        }
        return last; // only reached through rounding at the top end
      },
    };
  },
};
