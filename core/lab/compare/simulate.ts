/**
 * `lbw compare --simulate`: a discrete-event simulation of a scenario on a
 * virtual clock. The load follows the real generator's rules (the open loop
 * sends request k when the schedule's integral reaches k, skipping it while
 * maxInFlight are unanswered; the closed loop's clients send again when
 * answered; a request unanswered after timeoutMs fails; at the end, requests
 * still in flight get STOP_GRACE_MS and are then cancelled, counted in
 * `requests` but neither failed nor timed). The balancer is the real code
 * (./sim-balancer), the backends are modelled servers (./sim-server).
 *
 * Every stream of randomness is seeded from the scenario's seed: the load
 * (arrivals, method mix, keys), each backend (latencies, errors) and the
 * strategy have their own, so every strategy sees the same requests, and the
 * same seed gives the same result.
 */
import { STOP_GRACE_MS } from '../../demo/load/engine';
import { dueBy, keyHeaders, weightedPicker } from '../../demo/load/schedule';
import { EventQueue } from './event-queue';
import { mulberry32, streamSeed } from './prng';
import { percentile, round, sharesOf, type CompareResult, type CompareRow } from './result';
import type { Scenario, ScenarioStrategy } from './scenario';
import { SimBalancer } from './sim-balancer';

/** A closed-loop client's pause between an answer and its next request (a loopback round trip's worth), so a run of instant failures still advances the clock. */
const CLIENT_GAP_MS = 0.1;

export function simulate(scenario: Scenario, seed = scenario.seed): CompareResult {
  return { scenario: scenario.name, mode: 'simulated', seed, rows: scenario.strategies.map((s) => simulateOne(scenario, s, seed)) };
}

/** One strategy under the scenario's traffic. */
export function simulateOne(scenario: Scenario, strategy: ScenarioStrategy, seed = scenario.seed): CompareRow {
  const clock = new EventQueue();
  const lb = new SimBalancer(scenario, strategy, clock, {
    strategyRandom: mulberry32(streamSeed(seed, 1)),
    serverRandom: (i) => mulberry32(streamSeed(seed, 100 + i)),
  });
  const { load } = scenario;
  const random = mulberry32(streamSeed(seed, 0));
  const pickEntry = weightedPicker(load.requests, random);
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  const keyBackends = new Map<string, string>();
  const movedKeys = new Set<string>();
  let requests = 0;
  let failed = 0;
  let pending = 0;
  let stopped = false;

  const send = (onSettled?: () => void) => {
    requests++;
    pending++;
    const entry = pickEntry();
    const headers = keyHeaders(load.key, random) as Record<string, string>;
    const key = load.key ? (headers[load.key.header ?? 'cookie'] ?? '') : undefined;
    const startedAt = clock.now;
    let settled = false;
    const settle = (ok: boolean, backend?: string) => {
      settled = true;
      pending--;
      timeout.cancelled = true;
      latencies.push(clock.now - startedAt);
      if (!ok) failed++;
      if (backend !== undefined) {
        answers[backend] = (answers[backend] ?? 0) + 1;
        if (key !== undefined) {
          const before = keyBackends.get(key);
          if (before !== undefined && before !== backend) movedKeys.add(key);
          keyBackends.set(key, backend);
        }
      }
      onSettled?.();
    };
    const flight = lb.handle({
      method: entry.method,
      pick: { clientAddress: '127.0.0.1', headers },
      onDone: ({ status, backend }) => !settled && settle(status < 400, backend),
    });
    const timeout = clock.at(startedAt + load.timeoutMs, () => {
      if (settled) return;
      flight.cancel();
      settle(false);
    });
  };

  if (load.mode === 'open') {
    // Request k (from 1) is due when the schedule's integral reaches k.
    const next = (k: number) => {
      const at = dueTime(load, k);
      if (at >= load.durationMs) return;
      clock.at(at, () => {
        if (pending >= load.maxInFlight) {
          /* skipped, as the generator skips it */
        } else send();
        next(k + 1);
      });
    };
    next(1);
  } else {
    const client = () => {
      if (stopped) return;
      send(() => clock.at(clock.now + CLIENT_GAP_MS, client));
    };
    for (let i = 0; i < load.concurrency; i++) clock.at(0, client);
  }
  for (const e of scenario.events) {
    clock.at(e.at, () => {
      const server = lb.servers.get(e.backend)!;
      if (e.action === 'kill') server.kill();
      else if (e.action === 'revive') server.alive = true;
      else if (e.action === 'slow') server.latency = { ...server.latency, ms: e.value! };
      else if (e.action === 'weight') lb.setWeight(e.backend, e.value!);
      else lb.add(e.backend);
    });
  }
  clock.at(load.durationMs, () => (stopped = true));
  clock.run(load.durationMs + STOP_GRACE_MS);

  latencies.sort((a, b) => a - b);
  const seenKeys = keyBackends.size;
  return {
    strategy: strategy.label,
    requests,
    failed,
    retries: lb.retries,
    p50: round(percentile(latencies, 50)),
    p90: round(percentile(latencies, 90)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.length ? latencies[latencies.length - 1]! : 0),
    ...sharesOf(scenario, answers),
    ...(load.key ? { keysMoved: seenKeys ? round(movedKeys.size / seenKeys, 4) : 0 } : {}),
  };
}

/** When the open loop's k-th request is due: where dueBy reaches k (closed form without a ramp, bisection with one). */
function dueTime(load: Extract<Scenario['load'], { mode: 'open' }>, k: number): number {
  if (load.rampMs <= 0 || (load.rampFromRate ?? load.rate) === load.rate) return (k * 1000) / load.rate;
  let lo = 0;
  let hi = load.durationMs + 1;
  if (dueBy(load, hi) < k) return Infinity;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (dueBy(load, mid) >= k) hi = mid;
    else lo = mid;
  }
  return hi;
}
