/**
 * Round robin: each available backend in turn, weights ignored. It is smooth
 * weighted round robin with every weight taken as 1, so a backend that is down
 * or already tried by this request sits the round out without handing its
 * turns to the next one (a b c with b down gives a c a c), and a retry after a
 * broken backend does not starve the one behind it (nginx's rule).
 */
import { z } from 'zod';
import { SmoothWeights } from './smooth';
import type { StrategyDefinition } from './types';
import { usable } from './usable';

const one = (): number => 1;

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
    const turns = new SmoothWeights();
    return {
      // Health changes refresh too: keep the rotation, forget only who left.
      refresh: (backends) => turns.prune(backends),
      pick(backends, _req, exclude) {
        return turns.next(backends, (b) => usable(b, exclude), one);
      },
    };
  },
};
