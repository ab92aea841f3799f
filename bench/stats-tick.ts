/**
 * The cost of one stats tick: `StatsCollector.snapshot()` over one service
 * with N backends (50 by default), each with a tick's worth of recorded
 * attempts, timed over many iterations. Only `snapshot()` is timed; recording
 * the traffic before each one is the data plane's cost, not the tick's.
 *
 *   tsx bench/stats-tick.ts [backends] [iterations]
 */
import { fileURLToPath } from 'node:url';
import { Backend } from '../core/model/backend';
import { StatsCollector, type ServiceInfo } from '../core/stats/collector';

export interface StatsTickResult {
  backends: number;
  iterations: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  /** Mean snapshot time as a share of the default 500 ms tick. */
  shareOfTick: number;
}

export function measureStatsTick(backendCount = 50, iterations = 3000, attemptsPerBackend = 40): StatsTickResult {
  const tickMs = 500;
  const backends = Array.from(
    { length: backendCount },
    (_, i) => new Backend({ url: `http://127.0.0.1:${10_000 + i}`, weight: 1 + (i % 3), state: 'active', backup: i >= backendCount - 2 }),
  );
  const collector = new StatsCollector({ tickMs, startedAt: 0 });
  const counters = collector.service('bench');
  const info: ServiceInfo[] = [{ name: 'bench', protocol: 'http', address: '127.0.0.1:8080', strategy: 'round-robin', backends }];
  const times: number[] = [];
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let now = 0;
  for (let it = 0; it < iterations + 200; it++) {
    for (const b of backends) {
      for (let k = 0; k < attemptsPerBackend; k++) {
        const latencyMs = 0.2 + rand() * rand() * 50;
        const status = rand() < 0.02 ? 503 : 200;
        counters.requestStarted();
        counters.attemptEnded(b, { latencyMs, status, bytesIn: 0, bytesOut: 128 });
        counters.requestEnded({ latencyMs, status, bytesIn: 0, bytesOut: 128 });
      }
    }
    now += tickMs;
    const t0 = process.hrtime.bigint();
    collector.snapshot(now, info);
    const dt = Number(process.hrtime.bigint() - t0) / 1000;
    if (it >= 200) times.push(dt); // the first 200 warm the JIT up
  }
  times.sort((a, b) => a - b);
  const meanUs = times.reduce((s, t) => s + t, 0) / times.length;
  return {
    backends: backendCount,
    iterations,
    meanUs,
    p50Us: times[Math.floor(times.length / 2)] ?? 0,
    p99Us: times[Math.floor(times.length * 0.99)] ?? 0,
    shareOfTick: meanUs / 1000 / tickMs,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [b, n] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(measureStatsTick(Number(b ?? 50), Number(n ?? 3000)), null, 2)}\n`);
}
