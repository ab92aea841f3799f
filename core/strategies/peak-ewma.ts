/**
 * Peak-EWMA, least expected latency (Finagle, Linkerd): cost = the backend's
 * decaying peak latency estimate x (in-flight + 1), compared over two random
 * available backends (power of two choices, as Finagle and Linkerd do, not a
 * scan of all). A backend never observed (estimate 0) costs 0 while idle, so a
 * new backend is tried at once; while it has requests in flight and still no
 * sample it costs a large penalty instead (Finagle's rule), so it is not
 * flooded before its first response says how fast it is.
 * A failed attempt counts as a sample of at least a penalty (the proxy passes
 * the connect timeout to Backend.observeFailure), so a backend that fails fast
 * does not look fast; a retry draws among the backends not tried yet.
 * For TCP services the latency observed is the connect time, and in-flight
 * counts open connections.
 */
import { z } from 'zod';
import { pickOfTwo } from './p2c';
import type { ChoiceRow, PickTrace } from './reason';
import type { StrategyDefinition } from './types';

/** Cost of an unobserved backend that is already busy: above any real latency (ms) x load. */
const UNOBSERVED_PENALTY = 1e12;

export const peakEwma: StrategyDefinition<Record<string, never>> = {
  name: 'peak-ewma',
  label: 'Peak EWMA (least latency)',
  description: 'Two random backends; the one with the lower recent latency x load wins.',
  weighted: false,
  whenToUse: 'Backends whose speed differs or changes (mixed hardware, noisy neighbours, GC pauses).',
  layer4: true,
  params: [],
  options: z.strictObject({}),
  create(_options, deps) {
    return {
      pick(backends, _req, exclude, trace?: PickTrace) {
        const now = deps.now();
        const cost = (b: (typeof backends)[number]) => {
          const latency = b.latencyEstimate(now);
          if (latency === 0 && b.inFlight > 0) return UNOBSERVED_PENALTY + b.inFlight;
          return latency * (b.inFlight + 1);
        };
        if (!trace) return pickOfTwo(backends, exclude, deps, cost);
        const list: ChoiceRow[] = [];
        const chosen = pickOfTwo(backends, exclude, deps, cost, { list, describe: (b) => ({ backend: b.id, inFlight: b.inFlight, latencyMs: b.latencyEstimate(now) }) });
        trace.reason = { kind: 'peak-ewma', candidates: list };
        return chosen;
      },
    };
  },
};
