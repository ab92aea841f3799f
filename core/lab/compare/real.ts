/**
 * `lbw compare` without --simulate: the scenario on real sockets. For each
 * strategy in turn, its demo backends start fresh on free loopback ports, a
 * Workbench runs one HTTP service in front of them on an ephemeral port with
 * the scenario's strategy, retry and health settings, and the load
 * generator (its own worker thread) sends the scenario's load. Events are
 * applied on the load's clock: kill and revive stop and restart a demo
 * backend on its port, slow changes its latency, weight and add go through
 * the Workbench's commands like a user's edits. The row comes from what the
 * clients saw (the generator's summary) and the retries the service counted.
 * `keysMoved` is null here: the generator does not report keys per answer.
 */
import type { Push } from '../../contract/events';
import { DemoFleet } from '../../demo/fleet';
import { LoadGenerator } from '../../demo/load/load-generator';
import type { LoadSpecInput } from '../../demo/load/spec';
import { LbError } from '../../model/errors';
import { parseListen } from '../../model/spec';
import { Workbench } from '../../workbench';
import { mulberry32, streamSeed } from './prng';
import { round, sharesOf, type CompareResult, type CompareRow } from './result';
import { lateBackends, type Scenario, type ScenarioEvent, type ScenarioStrategy } from './scenario';

const SERVICE = 'compare';
const TICK_MS = 250;
/** How long the backends may take to pass their first health checks. */
const READY_TIMEOUT_MS = 15_000;
/** How long the warm-up run lasts at most. */
const WARM_UP_MS = 2_000;

export interface RealOptions {
  seed?: number;
  /** First a short run whose result is thrown away, so the first strategy is not measured on a cold process (default true). */
  warmUp?: boolean;
  /** Told when each strategy starts, for a progress line. */
  onStrategy?(label: string, index: number): void;
}

export async function runReal(scenario: Scenario, opts: RealOptions = {}): Promise<CompareResult> {
  const seed = opts.seed ?? scenario.seed;
  const rows: CompareRow[] = [];
  // A cold process is slow for its first seconds of traffic (JIT, lazily loaded modules, the load worker's first start).
  // On a loaded machine the first strategy of a run once measured a p99 of 4.2 s against 0.1 s for the same strategy next
  // (other runs showed noise of that size in any position); a short run first, thrown away, takes the cold start out.
  if (opts.warmUp ?? true) await runRealOne({ ...scenario, load: { ...scenario.load, durationMs: Math.min(WARM_UP_MS, scenario.load.durationMs) }, events: [] }, scenario.strategies[0]!, seed);
  for (const [i, strategy] of scenario.strategies.entries()) {
    opts.onStrategy?.(strategy.label, i);
    rows.push(await runRealOne(scenario, strategy, seed));
  }
  return { scenario: scenario.name, mode: 'real', seed, rows };
}

export async function runRealOne(scenario: Scenario, strategy: ScenarioStrategy, seed = scenario.seed): Promise<CompareRow> {
  const fleet = new DemoFleet({ random: mulberry32(streamSeed(seed, 100)) });
  let wb: Workbench | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    const urls = new Map<string, string>();
    for (const b of scenario.backends) {
      const d = await fleet.add({ name: b.name, colour: b.colour, latency: b.latency, errorRate: b.errorRate, errorStatus: b.errorStatus, capacity: b.capacity });
      urls.set(b.name, d.url!);
    }
    const late = lateBackends(scenario);
    const backendSpec = (name: string) => ({ name, url: urls.get(name)!, weight: scenario.backends.find((b) => b.name === name)!.weight });
    const { service } = scenario;
    wb = new Workbench({
      tickMs: TICK_MS,
      graceMs: 500,
      random: mulberry32(streamSeed(seed, 1)),
      workspace: {
        services: [
          {
            name: SERVICE,
            listen: '127.0.0.1:0',
            strategy: strategy.name,
            strategyOptions: strategy.options,
            backends: scenario.backends.filter((b) => !late.has(b.name)).map((b) => backendSpec(b.name)),
            ...(service.healthCheck ? { healthCheck: { path: '/health', ...service.healthCheck, timeoutMs: 500 } } : {}),
            passiveHealth: service.passiveHealth,
            retries: service.retries,
            timeouts: { connectMs: service.connectMs },
          },
        ],
      },
    });
    let retries = 0;
    let ticks = 0;
    wb.subscribe((push: Push) => {
      if (push.channel !== 'stats') return;
      ticks++;
      retries += push.snapshot.services.find((s) => s.name === SERVICE)?.retries ?? 0;
    });
    await wb.start({ failFast: true });
    const runtime = wb.service(SERVICE)!;
    if (service.healthCheck) await until(() => runtime.backends.every((b) => b.health === 'healthy'), READY_TIMEOUT_MS, 'the backends did not pass their health checks');
    const { port } = parseListen(runtime.address!);
    const { durationMs, ...load } = scenario.load;
    const generator = new LoadGenerator({ ...load, durationMs, target: `http://127.0.0.1:${port}`, progressIntervalMs: TICK_MS } as LoadSpecInput);
    // Events run on the load's clock: from its first report, which says how long it has been running.
    const off = generator.on('progress', (p) => {
      off();
      const t0 = performance.now() - p.elapsedMs;
      for (const e of scenario.events) timers.push(setTimeout(() => void apply(e).catch(() => undefined), Math.max(0, t0 + e.at - performance.now())));
    });
    const apply = async (e: ScenarioEvent): Promise<void> => {
      const demo = fleet.get(e.backend)!;
      if (e.action === 'kill') await demo.stop();
      else if (e.action === 'revive') await demo.start();
      else if (e.action === 'slow') demo.update({ latency: { ms: e.value! } });
      else if (e.action === 'weight') await wb!.invoke('backends:update', { service: SERVICE, backend: e.backend, patch: { weight: e.value! } });
      else await wb!.invoke('backends:add', { service: SERVICE, backend: backendSpec(e.backend) });
    };
    generator.start();
    const summary = await generator.whenDone();
    if (summary.reason === 'error') throw new LbError('INTERNAL', `the load generator failed: ${summary.error?.message ?? 'unknown error'}`);
    // One more stats tick, so the last retries are counted.
    const seen = ticks;
    await until(() => ticks > seen + 1, 5_000, 'no stats tick after the load');
    const f = summary.failed;
    return {
      strategy: strategy.label,
      requests: summary.sent,
      failed: f.status4xx + f.status5xx + f.refused + f.reset + f.timeout + f.other,
      retries,
      p50: round(summary.latency.p50),
      p90: round(summary.latency.p90),
      p99: round(summary.latency.p99),
      max: round(summary.latency.max),
      ...sharesOf(scenario, summary.backends),
      ...(scenario.load.key ? { keysMoved: null } : {}),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    await wb?.stop(0);
    await fleet.stopAll();
  }
}

/** Waits for `cond`, polling every 20 ms; INTERNAL with `what` after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new LbError('INTERNAL', `${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
