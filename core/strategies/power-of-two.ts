/**
 * Power of two choices, least request (Envoy's LEAST_REQUEST, traefik's p2c):
 * two distinct random available backends (not tried by this request), the one
 * with fewer in-flight requests per unit of weight wins, the first drawn on a
 * tie. Nearly as good as scanning for the least loaded, and it avoids the herd
 * that a full scan sends to one idle backend when several balancers share the
 * same view.
 */
import { z } from 'zod';
import { pickOfTwo } from './p2c';
import type { ChoiceRow, PickTrace } from './reason';
import type { StrategyDefinition } from './types';

export const powerOfTwo: StrategyDefinition<Record<string, never>> = {
  name: 'power-of-two',
  label: 'Power of two choices',
  description: 'Two random backends; the one with fewer in-flight requests for its weight wins.',
  whenToUse: 'Large pools or several balancers: near least-connections quality without herding onto one backend.',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create(_options, deps) {
    return {
      pick(backends, _req, exclude, trace?: PickTrace) {
        const now = deps.now();
        // Recent failures count as load: a backend that fails at once never has requests in flight, yet is no idle one.
        const cost = (b: (typeof backends)[number]) => (b.inFlight + b.recentFailures(now)) / b.weight;
        if (!trace) return pickOfTwo(backends, exclude, deps, cost);
        const list: ChoiceRow[] = [];
        const chosen = pickOfTwo(backends, exclude, deps, cost, { list, describe: (b) => ({ backend: b.id, inFlight: b.inFlight, failures: b.recentFailures(now) }) });
        trace.reason = { kind: 'power-of-two', candidates: list };
        return chosen;
      },
    };
  },
};
