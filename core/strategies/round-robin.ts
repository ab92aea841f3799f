/**
 * Round robin: each available backend in turn, weights ignored. The cursor
 * moves past the backend it picked, so a backend that is down does not hand
 * its turns to the next one (a b c with b down gives a c a c).
 */
import { z } from 'zod';
import type { StrategyDefinition } from './types';

export const roundRobin: StrategyDefinition<Record<string, never>> = {
  name: 'round-robin',
  label: 'Round robin',
  description: 'Each available backend in turn; weights are ignored.',
  weighted: false,
  whenToUse: 'Identical backends and requests of similar cost: the simplest even spread.',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create() {
    let cursor = 0;
    return {
      pick(backends) {
        const n = backends.length;
        for (let k = 0; k < n; k++) {
          const i = (cursor + k) % n;
          const b = backends[i]!;
          if (b.available()) {
            cursor = i + 1;
            return b;
          }
        }
        return undefined;
      },
    };
  },
};
