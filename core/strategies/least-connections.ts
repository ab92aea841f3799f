/**
 * Least connections: the available backend with the fewest in-flight requests
 * per unit of weight. Ties are broken by smooth weighted round robin among the
 * tied backends only (nginx's least_conn), so equally loaded backends take
 * turns instead of the first one taking everything, and a retry (which leaves
 * out the backends already tried) takes nobody's turn.
 */
import { z } from 'zod';
import type { Pickable } from '../model/backend';
import type { LoadRow, PickTrace, WeightRow } from './reason';
import { SmoothWeights } from './smooth';
import type { StrategyDefinition } from './types';
import { usable } from './usable';

/** In-flight requests plus recent failures (a fast-failing backend does not look idle), per unit of weight. */
const loadAt = (now: number) => (b: Pickable): number => (b.inFlight + b.recentFailures(now)) / b.weight;

export const leastConnections: StrategyDefinition<Record<string, never>> = {
  name: 'least-connections',
  label: 'Least connections',
  description: 'The backend with the fewest in-flight requests for its weight; ties take turns.',
  whenToUse: 'Requests or connections of very different length (uploads, websockets, long TCP sessions).',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create(_options, deps) {
    const turns = new SmoothWeights();
    return {
      refresh: (backends) => turns.prune(backends),
      pick(backends, _req, exclude, trace?: PickTrace) {
        // Equal ratios of integers divide to the same double, so ties are exact (and failures are 0 or not).
        const now = deps.now();
        const load = loadAt(now);
        let least = Infinity;
        for (const b of backends) if (usable(b, exclude) && load(b) < least) least = load(b);
        if (least === Infinity) return undefined;
        const tied = (b: (typeof backends)[number]) => usable(b, exclude) && load(b) === least;
        if (!trace) return turns.next(backends, tied, (b) => b.weight);
        const candidates: LoadRow[] = [];
        for (const b of backends) {
          if (usable(b, exclude)) candidates.push({ backend: b.id, inFlight: b.inFlight, failures: b.recentFailures(now), weight: b.weight, load: load(b) });
        }
        const table: WeightRow[] = [];
        const chosen = turns.next(backends, tied, (b) => b.weight, table);
        trace.reason = { kind: 'least-connections', candidates, least, tied: table.filter((r) => r.inRound).length };
        return chosen;
      },
    };
  },
};
