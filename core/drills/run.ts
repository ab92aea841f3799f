/**
 * One run of a drill: starts its load (one generator per HTTP method, so
 * outcomes are counted per method), waits until the load is flowing, applies
 * the steps on the timeline, stops the load at the end, puts back what the
 * steps changed, and builds the report from what it watched on the way: the
 * balancer's events, the service's stats ticks and the load's progress.
 *
 * Steps go through the command queue like a user's edits (faults, weights,
 * states); kill and revive stop and restart a demo backend on its port, or,
 * for a backend the workbench does not run, set and lift a `down` fault.
 */
import type { CommandContext } from '../command-context';
import type { CommandInput, CommandName, CommandOutput } from '../contract/commands';
import type { Push, WorkbenchEvent } from '../contract/events';
import type { DemoLab } from '../demo/commands';
import type { LoadRunHandle, LoadRunner } from '../demo/load-runner';
import type { LoadSpecInput, RequestMixEntry } from '../demo/load/spec';
import type { LoadSummary } from '../demo/load/types';
import type { Fault } from '../faults/spec';
import type { Backend } from '../model/backend';
import { LbError, toErrorData, type ErrorData } from '../model/errors';
import type { Result } from '../model/result';
import type { AdminState } from '../model/spec';
import type { ServiceSnapshot } from '../stats/types';
import { buildReport, type FailurePoint, type StepRecord } from './analyse';
import type { DrillReport, DrillResult, DrillStatus } from './report';
import { stepLabel, type DrillSpec, type DrillStep } from './spec';

/** How long the load may take to start flowing (its worker compiles TypeScript when run from source). */
const BOOT_TIMEOUT_MS = 30_000;
const PROGRESS_MS = 250;
/** The generators get this much longer than the drill: the drill stops them itself, on its own timeline. */
const LOAD_SLACK_MS = 5_000;
/** What `kill` sets on a backend the workbench does not run. */
const KILL_FAULT: Fault = { type: 'down', enabled: true, toxicity: 1 };

interface Before {
  service: string;
  backendId: string;
  weight: number;
  state: AdminState;
  faults: Fault[];
}

export interface DrillDeps {
  /** Receives the report before `drill:done` goes out, so a UI asking for it then gets this one. */
  onReport?(report: DrillReport): void;
  ctx: CommandContext;
  demo: DemoLab;
  load: LoadRunner;
}

export class DrillRun {
  state: DrillStatus['state'] = 'starting';
  /** When the load started (ctx.now() clock); null until it flows. */
  t0: number | null = null;
  stepsDone = 0;
  private handle: LoadRunHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopRequested = false;
  private wake: (() => void) | undefined;
  private readonly steps: StepRecord[];
  private readonly events: WorkbenchEvent[] = [];
  private readonly samples: Array<{ at: number; service: ServiceSnapshot }> = [];
  private readonly failures: FailurePoint[] = [];
  private readonly before = new Map<string, Before>();
  private readonly touched = { faults: new Set<string>(), weight: new Set<string>(), state: new Set<string>() };
  private readonly killed = new Set<string>();
  /** Each generator's latest failure count. */
  private readonly failureTotals = new Map<number, number>();
  private resentAtStart = { idempotent: 0, nonIdempotent: 0 };

  constructor(
    readonly drill: DrillSpec,
    private readonly deps: DrillDeps,
  ) {
    this.steps = drill.steps.map((step, index) => ({ index, step, service: step.service ?? drill.service, appliedAt: null }));
  }

  /**
   * Checks the drill against the running services and claims the load
   * (CONFLICT while another run goes), then runs in the background. Throws
   * before anything changed; the promise resolves with the report.
   */
  begin(): Promise<DrillReport> {
    const { ctx, load } = this.deps;
    const svc = ctx.runtime(this.drill.service);
    if (svc.spec.protocol !== 'http') throw new LbError('INPUT_INVALID', `drill "${this.drill.name}": service "${svc.name}" is ${svc.spec.protocol}; drills load HTTP services`);
    for (const rec of this.steps) {
      const where = `drill "${this.drill.name}" step ${rec.index + 1} (${rec.step.action})`;
      const runtime = this.find(where, () => ctx.runtime(rec.service));
      const targets = rec.step.backend === undefined ? runtime.backends : [this.find(where, () => runtime.findBackend(rec.step.backend!))];
      for (const b of targets) this.remember(rec.service, b);
    }
    const target = load.targetOf(this.drill.service);
    this.resentAtStart = { ...svc.resends };
    this.unsubscribe = ctx.subscribe((push) => this.observe(push));
    try {
      this.handle = load.start({ kind: 'drill', drill: this.drill.name }, this.drill.service, this.loadSpecs(target));
    } catch (err) {
      this.unsubscribe();
      throw err;
    }
    this.handle.onPartProgress((i, p) => this.recordFailures(i, p.failed));
    return this.main(this.handle);
  }

  /** Ends the drill early; its report says `stopped`. */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  private async main(handle: LoadRunHandle): Promise<DrillReport> {
    const { ctx } = this.deps;
    let result: DrillResult = 'completed';
    let error: ErrorData | undefined;
    try {
      this.t0 = await this.loadFlowing(handle);
      ctx.emit({ type: 'drill:started', at: ctx.now(), drill: this.drill.name, service: this.drill.service, durationMs: this.drill.durationMs });
      this.state = 'running';
      await this.timeline(this.t0);
      if (this.stopRequested) result = 'stopped';
    } catch (err) {
      result = this.stopRequested ? 'stopped' : 'error';
      if (!this.stopRequested) error = toErrorData(err);
    }
    this.state = 'finishing';
    const end = ctx.now();
    handle.stop();
    const { parts } = await handle.done;
    this.failures.push({ at: ctx.now(), total: parts.reduce((a, p) => a + failedTotal(p), 0) });
    if (this.drill.restore) await this.restore();
    this.unsubscribe?.();
    const svc = ctx.runtimes().find((s) => s.name === this.drill.service);
    const resent = svc
      ? { idempotent: svc.resends.idempotent - this.resentAtStart.idempotent, nonIdempotent: svc.resends.nonIdempotent - this.resentAtStart.nonIdempotent }
      : { idempotent: 0, nonIdempotent: 0 };
    const report = buildReport({
      drill: this.drill,
      result,
      error,
      t0: this.t0 ?? end,
      end,
      steps: this.steps,
      events: this.events,
      samples: this.samples,
      failures: this.failures,
      parts: parts.map((summary, i) => ({ methods: methodsOf(handle.specs[i]!.requests), summary })),
      resent,
    });
    this.state = 'idle';
    this.deps.onReport?.(report);
    ctx.emit({ type: 'drill:done', at: ctx.now(), drill: this.drill.name, result, verdict: report.verdict, report });
    return report;
  }

  /** One generator per method, each with its share of the rate; they report every PROGRESS_MS. */
  private loadSpecs(target: string): LoadSpecInput[] {
    const { load, durationMs } = this.drill;
    const total = load.requests.reduce((a, r) => a + r.weight, 0);
    const byMethod = new Map<string, RequestMixEntry[]>();
    for (const r of load.requests) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
    return [...byMethod.values()].map((requests) => {
      const share = requests.reduce((a, r) => a + r.weight, 0) / total;
      const spec: LoadSpecInput = {
        mode: 'open',
        target,
        rate: load.rate * share,
        requests,
        bodyBytes: load.bodyBytes,
        timeoutMs: load.timeoutMs,
        maxInFlight: Math.max(1, Math.ceil(load.maxInFlight * share)),
        durationMs: durationMs + LOAD_SLACK_MS,
        progressIntervalMs: PROGRESS_MS,
      };
      if (load.key) spec.key = load.key;
      return spec;
    });
  }

  /** Resolves with the load's start time once every generator has reported; rejects if the load ends or never starts. */
  private loadFlowing(handle: LoadRunHandle): Promise<number> {
    const { ctx } = this.deps;
    const parts = handle.specs.length;
    const first = new Map<number, number>();
    return new Promise<number>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        off();
        this.wake = undefined;
        fn();
      };
      const off = handle.onPartProgress((i, p) => {
        if (!first.has(i)) first.set(i, ctx.now() - p.elapsedMs);
        if (first.size === parts) finish(() => resolve(Math.max(...first.values())));
      });
      const timer = setTimeout(() => finish(() => reject(new LbError('INTERNAL', `the drill's load did not start within ${BOOT_TIMEOUT_MS} ms`))), BOOT_TIMEOUT_MS);
      this.wake = () => finish(() => reject(new LbError('CONFLICT', 'stopped')));
      void handle.done.then(() => finish(() => reject(new LbError('INTERNAL', "the drill's load ended before it started flowing"))));
    });
  }

  /** Records the failures so far, all generators together: what `recoverMs` and `failuresAfter` read. */
  private recordFailures(part: number, failed: LoadSummary['failed']): void {
    this.failureTotals.set(part, failedCount(failed));
    let total = 0;
    for (const v of this.failureTotals.values()) total += v;
    this.failures.push({ at: this.deps.ctx.now(), total });
  }

  private async timeline(t0: number): Promise<void> {
    const order = [...this.steps].sort((a, b) => a.step.atMs - b.step.atMs || a.index - b.index);
    for (const rec of order) {
      await this.sleepUntil(t0 + rec.step.atMs);
      if (this.stopRequested) return;
      await this.apply(rec);
    }
    await this.sleepUntil(t0 + this.drill.durationMs);
  }

  private sleepUntil(at: number): Promise<void> {
    if (this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, at - this.deps.ctx.now()));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async apply(rec: StepRecord): Promise<void> {
    const { ctx } = this.deps;
    rec.appliedAt = ctx.now();
    try {
      await this.perform(rec.step, rec.service);
    } catch (err) {
      rec.error = toErrorData(err);
    }
    this.stepsDone++;
    const event: WorkbenchEvent = {
      type: 'drill:step',
      at: ctx.now(),
      drill: this.drill.name,
      index: rec.index,
      atMs: rec.step.atMs,
      action: rec.step.action,
      service: rec.service,
      backend: rec.step.backend ?? null,
      label: stepLabel(rec.step),
    };
    if (rec.error) event.error = rec.error;
    ctx.emit(event);
  }

  private async perform(step: DrillStep, service: string): Promise<void> {
    const { ctx, demo } = this.deps;
    if (step.action === 'heal') {
      const targets = step.backend === undefined ? ctx.runtime(service).backends : [ctx.runtime(service).findBackend(step.backend)];
      for (const b of targets) this.touched.faults.add(key(service, b.id));
      await this.command('faults:clear', step.backend === undefined ? { service } : { service, backend: step.backend });
      return;
    }
    const b = ctx.runtime(service).findBackend(step.backend);
    const k = key(service, b.id);
    switch (step.action) {
      case 'kill': {
        const d = demo.byUrl(b.urlString());
        if (d) {
          this.killed.add(d.name);
          await demo.kill(d.name);
        } else {
          this.touched.faults.add(k);
          await this.command('faults:set', { service, backend: b.id, faults: [...b.faults.list(), KILL_FAULT] });
        }
        return;
      }
      case 'revive': {
        const d = demo.byUrl(b.urlString());
        if (d) {
          await demo.revive(d.name);
          this.killed.delete(d.name);
        } else {
          this.touched.faults.add(k);
          await this.command('faults:set', { service, backend: b.id, faults: b.faults.list().filter((f) => !(f.type === 'down' && f.toxicity === 1)) });
        }
        return;
      }
      case 'fault':
        this.touched.faults.add(k);
        await this.command('faults:set', { service, backend: b.id, faults: step.faults });
        return;
      case 'weight':
        this.touched.weight.add(k);
        await this.command('backends:update', { service, backend: b.id, patch: { weight: step.weight } });
        return;
      case 'state':
        this.touched.state.add(k);
        await this.command('backends:update', { service, backend: b.id, patch: { state: step.state } });
        return;
    }
  }

  /** Puts back what the steps changed: killed demo backends, faults, weights and states. Best effort. */
  private async restore(): Promise<void> {
    const { ctx, demo } = this.deps;
    for (const name of this.killed) await demo.revive(name).catch(() => undefined);
    this.killed.clear();
    for (const [k, was] of this.before) {
      let backend: Backend;
      try {
        backend = ctx.runtime(was.service).findBackend(was.backendId);
      } catch {
        continue; // removed meanwhile
      }
      if (this.touched.faults.has(k) && JSON.stringify(backend.faults.list()) !== JSON.stringify(was.faults)) {
        await this.command('faults:set', { service: was.service, backend: was.backendId, faults: was.faults }).catch(() => undefined);
      }
      const patch: { weight?: number; state?: AdminState } = {};
      if (this.touched.weight.has(k) && backend.weight !== was.weight) patch.weight = was.weight;
      if (this.touched.state.has(k) && backend.state !== was.state) patch.state = was.state;
      if (patch.weight !== undefined || patch.state !== undefined) {
        await this.command('backends:update', { service: was.service, backend: was.backendId, patch }).catch(() => undefined);
      }
    }
  }

  /** Runs a command through the queue, as a user's edit; its error is thrown. */
  private async command<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    const result: Result<CommandOutput<K>> = await this.deps.ctx.invoke(name, input);
    if (!result.ok) throw new LbError(result.error.code, result.error.message);
    return result.value;
  }

  private observe(push: Push): void {
    if (push.channel === 'stats') {
      const svc = push.snapshot.services.find((s) => s.name === this.drill.service);
      if (svc) this.samples.push({ at: push.snapshot.at, service: svc });
    } else if (push.channel === 'event') {
      this.events.push(push.event);
    }
  }

  private remember(service: string, b: Backend): void {
    const k = key(service, b.id);
    if (!this.before.has(k)) this.before.set(k, { service, backendId: b.id, weight: b.weight, state: b.state, faults: b.faults.list() });
  }

  private find<T>(where: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof LbError) throw new LbError(err.code, `${where}: ${err.message}`);
      throw err;
    }
  }
}

function key(service: string, backendId: string): string {
  return `${service}\u0000${backendId}`;
}

function methodsOf(requests: readonly RequestMixEntry[]): string[] {
  return [...new Set(requests.map((r) => r.method))];
}

function failedCount(f: LoadSummary['failed']): number {
  return f.status4xx + f.status5xx + f.refused + f.reset + f.timeout + f.other;
}

function failedTotal(s: LoadSummary): number {
  return failedCount(s.failed);
}
