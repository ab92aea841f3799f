/**
 * The Workbench's one load run at a time, and the load commands. A run is
 * one or more LoadGenerators started together (a drill runs one per HTTP
 * method, to count outcomes per method); their progress is merged and
 * pushed to UIs on the 'load' channel, and their summaries merged into the
 * 'load:done' event. A second run while one is going is a CONFLICT.
 */
import type { LoadStatus } from '../contract/commands';
import type { CommandContext, Handlers } from '../command-context';
import { LbError } from '../model/errors';
import { parseListen } from '../model/spec';
import { LoadGenerator } from './load/load-generator';
import type { LoadSpec, LoadSpecInput } from './load/spec';
import { noFailures, type FailureCounts, type LoadProgress, type LoadSummary } from './load/types';

export type LoadOwner = NonNullable<LoadStatus['owner']>;

export interface LoadRunHandle {
  /** Each generator's validated spec. */
  readonly specs: readonly LoadSpec[];
  /** Resolves when every generator has finished: the merged summary and each one's, in spec order. */
  readonly done: Promise<{ summary: LoadSummary; parts: LoadSummary[] }>;
  /** Each generator's progress, as it comes. */
  onPartProgress(fn: (index: number, progress: LoadProgress) => void): () => void;
  stop(): void;
}

interface Run {
  owner: LoadOwner;
  service: string | null;
  target: string;
  spec: LoadSpec;
  generators: LoadGenerator[];
  latest: Array<LoadProgress | undefined>;
  merged: LoadProgress | null;
  startedAt: number;
  stopping: boolean;
  done: Promise<{ summary: LoadSummary; parts: LoadSummary[] }>;
}

export class LoadRunner {
  private run: Run | undefined;
  private last: LoadSummary | null = null;

  constructor(private readonly ctx: CommandContext) {}

  get busy(): boolean {
    return this.run !== undefined;
  }

  status(): LoadStatus {
    const r = this.run;
    if (!r) return { state: 'idle', owner: null, service: null, target: null, spec: null, startedAt: null, progress: null, last: this.last };
    return {
      state: r.stopping ? 'stopping' : 'running',
      owner: r.owner,
      service: r.service,
      target: r.target,
      spec: r.spec,
      startedAt: r.startedAt,
      progress: r.merged,
      last: this.last,
    };
  }

  /**
   * The load target for a service: its bound address, reached over loopback
   * (a service on 0.0.0.0 or :: is loaded through 127.0.0.1 or ::1).
   */
  targetOf(service: string): string {
    const address = this.ctx.runtime(service).view().address;
    if (!address) throw new LbError('CONFLICT', `service "${service}" is not listening, so there is nothing to load`);
    const { host, port } = parseListen(address);
    const loopback = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    return `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;
  }

  /** Starts generators for `specs` (validated here: INPUT_INVALID) as the one run; CONFLICT when one is going. */
  start(owner: LoadOwner, service: string | null, specs: readonly LoadSpecInput[]): LoadRunHandle {
    if (this.run) throw new LbError('CONFLICT', `a load run is already going (${describeOwner(this.run.owner)}); stop it first`);
    const generators = specs.map((s) => new LoadGenerator(s));
    const first = generators[0];
    if (!first) throw new LbError('INPUT_INVALID', 'a load run needs at least one spec');
    const partListeners = new Set<(index: number, progress: LoadProgress) => void>();
    const run: Run = {
      owner,
      service,
      target: first.spec.target,
      spec: mergeSpecs(generators.map((g) => g.spec)),
      generators,
      latest: generators.map(() => undefined),
      merged: null,
      startedAt: this.ctx.now(),
      stopping: false,
      done: Promise.all(generators.map((g) => g.whenDone())).then((parts) => ({ summary: mergeSummaries(parts), parts })),
    };
    generators.forEach((g, i) => {
      g.on('progress', (p) => {
        run.latest[i] = p;
        for (const fn of partListeners) fn(i, p);
        // One push per interval: when the first generator reports, with the others' latest.
        if (i !== 0) return;
        run.merged = mergeProgress(run.latest.filter((x): x is LoadProgress => x !== undefined));
        this.ctx.publish({ channel: 'load', progress: run.merged });
      });
    });
    this.run = run;
    const drill = owner.kind === 'drill' ? owner.drill : null;
    this.ctx.emit({ type: 'load:started', at: this.ctx.now(), service, target: run.target, drill });
    for (const g of generators) g.start();
    void run.done.then(({ summary }) => {
      this.last = summary;
      if (this.run === run) this.run = undefined;
      this.ctx.emit({ type: 'load:done', at: this.ctx.now(), service, drill, summary });
    });
    return {
      specs: generators.map((g) => g.spec),
      done: run.done,
      onPartProgress: (fn) => {
        partListeners.add(fn);
        return () => partListeners.delete(fn);
      },
      stop: () => this.stopRun(run),
    };
  }

  /** Stops the current run, if any; resolves when it has ended. */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.stopRun(run);
    await run.done;
  }

  private stopRun(run: Run): void {
    if (run.stopping) return;
    run.stopping = true;
    for (const g of run.generators) void g.stop();
  }
}

function describeOwner(owner: LoadOwner): string {
  return owner.kind === 'drill' ? `drill "${owner.drill}"` : 'started by load:start';
}

export function loadCommands(ctx: CommandContext, runner: LoadRunner): Handlers<'load:start' | 'load:stop' | 'load:status'> {
  return {
    'load:start': ({ spec, service }) => {
      let target = spec.target;
      let svc = service ?? null;
      if (target === undefined) {
        if (svc === null) {
          const listening = ctx.runtimes().filter((s) => s.spec.protocol === 'http' && s.view().address !== null);
          if (listening.length !== 1) throw new LbError('INPUT_INVALID', 'name a service (or give spec.target): which service should the load go to?');
          svc = listening[0]!.name;
        }
        target = runner.targetOf(svc);
      } else if (svc !== null) {
        ctx.runtime(svc);
      }
      runner.start({ kind: 'user' }, svc, [{ ...spec, target }]);
      return runner.status();
    },
    'load:stop': () => {
      void runner.stop();
      return runner.status();
    },
    'load:status': () => runner.status(),
  };
}

/** The parts' specs as one: the first one's settings, with every request entry and the summed rate or concurrency. */
function mergeSpecs(specs: readonly LoadSpec[]): LoadSpec {
  const first = specs[0]!;
  if (specs.length === 1) return first;
  const requests = specs.flatMap((s) => s.requests);
  if (first.mode === 'open') return { ...first, requests, rate: specs.reduce((a, s) => a + (s.mode === 'open' ? s.rate : 0), 0) };
  return { ...first, requests, concurrency: specs.reduce((a, s) => a + (s.mode === 'closed' ? s.concurrency : 0), 0) };
}

function addFailures(into: FailureCounts, from: FailureCounts): void {
  into.status4xx += from.status4xx;
  into.status5xx += from.status5xx;
  into.refused += from.refused;
  into.reset += from.reset;
  into.timeout += from.timeout;
  into.other += from.other;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** Weighted by count: exact for one part, an approximation of the combined median for several. */
function weightedP50(parts: ReadonlyArray<{ p50: number; count: number }>): number {
  const n = parts.reduce((a, p) => a + p.count, 0);
  return n > 0 ? parts.reduce((a, p) => a + p.p50 * p.count, 0) / n : 0;
}

/**
 * Several generators' progress as one: counts and rates add up; latency is
 * the count-weighted p50 and the worst p99 (percentiles do not add up).
 */
export function mergeProgress(parts: readonly LoadProgress[]): LoadProgress {
  if (parts.length === 1) return parts[0]!;
  const failed = noFailures();
  const backends: Record<string, number> = {};
  const out: LoadProgress = {
    elapsedMs: 0,
    sent: 0,
    ok: 0,
    failed,
    skipped: 0,
    inFlight: 0,
    rate: { interval: 0, overall: 0 },
    throughput: { interval: 0, overall: 0 },
    latency: { p50: weightedP50(parts.map((p) => p.latency)), p99: 0, count: 0 },
    backends,
  };
  for (const p of parts) {
    out.elapsedMs = Math.max(out.elapsedMs, p.elapsedMs);
    out.sent += p.sent;
    out.ok += p.ok;
    addFailures(failed, p.failed);
    out.skipped += p.skipped;
    out.inFlight += p.inFlight;
    out.rate.interval += p.rate.interval;
    out.rate.overall += p.rate.overall;
    out.throughput.interval += p.throughput.interval;
    out.throughput.overall += p.throughput.overall;
    if (p.targetRate !== undefined) out.targetRate = (out.targetRate ?? 0) + p.targetRate;
    out.latency.p99 = Math.max(out.latency.p99, p.latency.p99);
    out.latency.count += p.latency.count;
    addCounts(backends, p.backends);
  }
  return out;
}

/** Several generators' summaries as one, merged like their progress. */
export function mergeSummaries(parts: readonly LoadSummary[]): LoadSummary {
  if (parts.length === 1) return parts[0]!;
  const failed = noFailures();
  const backends: Record<string, number> = {};
  const errored = parts.find((p) => p.reason === 'error');
  const out: LoadSummary = {
    reason: errored ? 'error' : parts.some((p) => p.reason === 'stopped') ? 'stopped' : 'duration',
    durationMs: 0,
    sent: 0,
    ok: 0,
    failed,
    skipped: 0,
    cancelled: 0,
    rate: 0,
    throughput: 0,
    latency: { p50: weightedP50(parts.map((p) => p.latency)), p90: 0, p99: 0, max: 0, count: 0 },
    backends,
  };
  if (errored?.error) out.error = errored.error;
  for (const p of parts) {
    out.durationMs = Math.max(out.durationMs, p.durationMs);
    out.sent += p.sent;
    out.ok += p.ok;
    addFailures(failed, p.failed);
    out.skipped += p.skipped;
    out.cancelled += p.cancelled;
    out.rate += p.rate;
    out.throughput += p.throughput;
    out.latency.p90 = Math.max(out.latency.p90, p.latency.p90);
    out.latency.p99 = Math.max(out.latency.p99, p.latency.p99);
    out.latency.max = Math.max(out.latency.max, p.latency.max);
    out.latency.count += p.latency.count;
    addCounts(backends, p.backends);
  }
  return out;
}
