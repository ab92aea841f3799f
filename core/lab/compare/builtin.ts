/**
 * The built-in scenarios: four small experiments that each teach one thing
 * about balancing, with what to look for in the results. `lbw compare NAME`
 * runs one by name; the Compare tab lists them. Durations are short enough
 * that a real run (every strategy in turn, on real sockets) stays under a
 * minute or so.
 */
import { LbError } from '../../model/errors';
import { parseScenario, type Scenario, type ScenarioInput } from './scenario';

const quick = { distribution: 'uniform', ms: 20, jitterMs: 5 } as const;

export const BUILTIN_SCENARIOS: Readonly<Record<string, ScenarioInput>> = {
  'slow-backend': {
    name: 'slow-backend',
    description: 'Three backends; charlie is eight times slower and can serve only 4 requests at once, so at 100 req/s a third of the traffic is more than it can take.',
    lookFor:
      "Round robin keeps sending charlie a third of the requests: its queue grows for the whole run and the p99 climbs into seconds. Least connections and power of two see charlie's requests pile up in flight and send it less; peak EWMA sees its latency and sends it almost nothing. Their imbalance is high on purpose: the fair split was the wrong one.",
    backends: [
      { name: 'alpha', colour: '#4e79a7', latency: quick, capacity: 8 },
      { name: 'bravo', colour: '#f28e2b', latency: quick, capacity: 8 },
      { name: 'charlie', colour: '#e15759', latency: { distribution: 'uniform', ms: 150, jitterMs: 20 }, capacity: 4 },
    ],
    load: { mode: 'open', rate: 100, durationMs: 15_000, timeoutMs: 10_000 },
    strategies: ['round-robin', 'least-connections', 'power-of-two', 'peak-ewma'],
    seed: 1,
  },
  'weighted-capacity': {
    name: 'weighted-capacity',
    description: 'Three backends of different size: big serves 8 requests at once, medium 4, small 2, each in about 50 ms; their weights say so (4, 2, 1). The load is 150 req/s, which small cannot take a third of.',
    lookFor:
      'Round robin ignores the weights: small gets a third of the requests, more than its 40 req/s, and its queue makes the p99. Weighted round robin splits 4:2:1 (imbalance near 0) and nobody queues. Least connections needs no weights to find the same split: it follows the free slots.',
    backends: [
      { name: 'big', colour: '#4e79a7', latency: { distribution: 'uniform', ms: 50, jitterMs: 10 }, capacity: 8, weight: 4 },
      { name: 'medium', colour: '#f28e2b', latency: { distribution: 'uniform', ms: 50, jitterMs: 10 }, capacity: 4, weight: 2 },
      { name: 'small', colour: '#e15759', latency: { distribution: 'uniform', ms: 50, jitterMs: 10 }, capacity: 2, weight: 1 },
    ],
    load: { mode: 'open', rate: 150, durationMs: 15_000, timeoutMs: 10_000 },
    strategies: ['round-robin', 'weighted-round-robin', 'least-connections'],
    seed: 1,
  },
  'backend-dies': {
    name: 'backend-dies',
    description: 'Three quick backends under GETs and POSTs (3:1). bravo dies 4 s in and comes back at 10 s.',
    lookFor:
      "The requests bravo held when it died were reset: the GETs among them are retried on another backend, the POSTs fail (sending them twice could charge someone twice), so `failed` is about the POSTs bravo held, a handful. Connects refused afterwards are retried safely until passive health ejects bravo and the health check marks it down; `retries` counts them. bravo's share drops to about 6/14 of a third.",
    backends: [
      { name: 'alpha', colour: '#4e79a7', latency: quick, capacity: 20 },
      { name: 'bravo', colour: '#f28e2b', latency: quick, capacity: 20 },
      { name: 'charlie', colour: '#59a14f', latency: quick, capacity: 20 },
    ],
    load: {
      mode: 'open',
      rate: 100,
      durationMs: 14_000,
      requests: [
        { method: 'GET', path: '/', weight: 3 },
        { method: 'POST', path: '/orders', weight: 1 },
      ],
      bodyBytes: 64,
    },
    strategies: ['round-robin', 'least-connections', 'peak-ewma'],
    events: [
      { at: 4_000, action: 'kill', backend: 'bravo' },
      { at: 10_000, action: 'revive', backend: 'bravo' },
    ],
    seed: 1,
  },
  'sticky-keys': {
    name: 'sticky-keys',
    description: 'Requests carry one of 100 user keys in x-user. Three backends serve them; a fourth, delta, joins 6 s in.',
    lookFor:
      "`keysMoved` is the share of keys that were answered by more than one backend. Round robin moves every key all the time. Ring hash and Maglev keep each key on one backend, and when delta joins only the keys delta takes move: at best a quarter of them (the ideal for a fourth backend: its share and no other key). Maglev comes close (22 % with seed 1); ring hash moves fewer (15 %) because its ring gives delta less than its quarter, which delta's share shows.",
    backends: [
      { name: 'alpha', colour: '#4e79a7', latency: quick, capacity: 20 },
      { name: 'bravo', colour: '#f28e2b', latency: quick, capacity: 20 },
      { name: 'charlie', colour: '#59a14f', latency: quick, capacity: 20 },
      { name: 'delta', colour: '#b07aa1', latency: quick, capacity: 20 },
    ],
    load: { mode: 'open', rate: 100, durationMs: 12_000, key: { header: 'x-user', count: 100, prefix: 'user-' } },
    strategies: [
      'round-robin',
      { name: 'ring-hash', options: { hashOn: 'header', key: 'x-user' } },
      { name: 'maglev', options: { hashOn: 'header', key: 'x-user' } },
    ],
    events: [{ at: 6_000, action: 'add', backend: 'delta' }],
    seed: 1,
  },
};

export function builtinNames(): string[] {
  return Object.keys(BUILTIN_SCENARIOS);
}

/** A built-in scenario, validated; NOT_FOUND naming the built-in ones otherwise. */
export function builtinScenario(name: string): Scenario {
  const input = BUILTIN_SCENARIOS[name];
  if (!input) throw new LbError('NOT_FOUND', `no built-in scenario "${name}"; built in: ${builtinNames().join(', ')}`);
  return parseScenario(input);
}
