/**
 * Round robin: each available backend in turn, weights ignored. It is smooth
 * weighted round robin with every weight taken as 1, so a backend that is down
 * or already tried by this request sits the round out without handing its
 * turns to the next one (a b c with b down gives a c a c), and a retry after a
 * broken backend does not starve the one behind it (nginx's rule).
 */
import { z } from 'zod';
import type { PickTrace, WeightRow } from './reason';
import { SmoothWeights } from './smooth';
import type { Strategy, StrategyDefinition } from './types';
import { usable } from './usable';

const one = (): number => 1;

/** A round robin over `turns` (its rotation so far). */
function rotation(turns: SmoothWeights): Strategy {
  return {
    // Health changes refresh too: keep the rotation, forget only who left.
    refresh: (backends) => turns.prune(backends),
    copy: () => rotation(turns.clone()),
    pick(backends, _req, exclude, trace?: PickTrace) {
      if (!trace) return turns.next(backends, (b) => usable(b, exclude), one);
      const table: WeightRow[] = [];
      const chosen = turns.next(backends, (b) => usable(b, exclude), one, table);
      const inRound = table.filter((r) => r.inRound);
      trace.reason = { kind: 'round-robin', position: inRound.findIndex((r) => r.backend === chosen?.id) + 1, of: inRound.length, table };
      return chosen;
    },
  };
}

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
    return rotation(new SmoothWeights());
  },
};
