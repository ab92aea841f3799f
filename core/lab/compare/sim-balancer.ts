/**
 * The balancer as the simulation runs it: the real Pool and strategy, real
 * Backend runtime state (in-flight count, latency EWMA, recent failures),
 * the real retry rule (shouldRetry, isSafeRetry) and RetryBudget, the real
 * OutlierDetector and the real rise/fall HealthStateMachine, all on the
 * virtual clock. What is modelled here is only what core/proxy does with
 * sockets: the bounded retry loop of http-request.ts, in the same order
 * (pick with the tried backends excluded, count the retry, take a budget
 * place only for a retry of a sent request, hold a retriable answer back).
 */
import { HealthStateMachine } from '../../health/state-machine';
import { OutlierDetector } from '../../health/passive';
import { Backend } from '../../model/backend';
import { RetryBudget } from '../../proxy/retry-budget';
import { isSafeRetry, shouldRetry } from '../../proxy/retry';
import { Pool } from '../../strategies/pool';
import { getStrategy } from '../../strategies/registry';
import type { PickRequest } from '../../strategies/types';
import type { EventQueue } from './event-queue';
import type { Scenario, ScenarioStrategy } from './scenario';
import { SimServer, type Visit } from './sim-server';

/** How the workbench's stats tick returns ejected backends (Workbench sweeps once per tick). */
const SWEEP_MS = 500;

export interface SimRequest {
  method: string;
  pick: PickRequest;
  onDone(end: { status: number; backend?: string | undefined }): void;
}

interface Flight {
  req: SimRequest;
  tried: Set<string>;
  attempts: number;
  retrying: boolean;
  retried: boolean;
  last?: { error: 'refused' | 'reset' | undefined; bodySent: boolean };
  /** A retriable answer held back: its status and backend. */
  held?: { status: number; backend: string };
  current?: { server: SimServer; visit: Visit; backend: Backend };
  done: boolean;
}

export class SimBalancer {
  readonly servers = new Map<string, SimServer>();
  readonly backends = new Map<string, Backend>();
  private readonly pool: Pool<Backend>;
  private readonly budget: RetryBudget;
  private readonly passive: OutlierDetector | undefined;
  private readonly checks = new Map<string, HealthStateMachine>();
  private members: Backend[] = [];
  retries = 0;

  constructor(
    private readonly scenario: Scenario,
    strategy: ScenarioStrategy,
    private readonly clock: EventQueue,
    deps: { strategyRandom: () => number; serverRandom: (index: number) => () => number },
  ) {
    const { service } = scenario;
    this.pool = new Pool<Backend>(getStrategy(strategy.name), strategy.options, { now: () => clock.now, random: deps.strategyRandom });
    this.budget = new RetryBudget(service.retries);
    scenario.backends.forEach((spec, i) => {
      this.servers.set(spec.name, new SimServer(spec, clock, deps.serverRandom(i)));
      // A fixed id (not the process-wide counter): the same scenario gives the same ids every run.
      this.backends.set(spec.name, new Backend({ url: `http://127.0.0.1:${1 + i}`, name: spec.name, weight: spec.weight, state: 'active', backup: false }, `sim:${spec.name}`));
    });
    if (service.passiveHealth.enabled) this.passive = new OutlierDetector(service.passiveHealth, { onEject: () => undefined, onReturn: () => undefined });
    const late = new Set(scenario.events.filter((e) => e.action === 'add').map((e) => e.backend));
    this.setMembers(scenario.backends.filter((b) => !late.has(b.name)).map((b) => b.name));
    this.sweep();
    if (service.healthCheck) this.check(service.healthCheck);
  }

  /** A client request enters the balancer. */
  handle(req: SimRequest): { cancel(): void } {
    const f: Flight = { req, tried: new Set(), attempts: 0, retrying: false, retried: false, done: false };
    this.budget.requestStarted();
    this.attempt(f);
    return { cancel: () => this.cancel(f) };
  }

  /** The backend joins the pool (an `add` event). */
  add(name: string): void {
    if (!this.members.some((b) => b.name === name)) this.setMembers([...this.members.map((b) => b.name), name]);
  }

  setWeight(name: string, weight: number): void {
    this.backends.get(name)!.weight = weight;
    this.pool.refresh();
  }

  private setMembers(names: string[]): void {
    this.members = this.scenario.backends.filter((b) => names.includes(b.name)).map((b) => this.backends.get(b.name)!);
    this.pool.setBackends(this.members);
    this.passive?.setBackends(this.members);
    for (const b of this.members) if (!this.checks.has(b.name) && this.scenario.service.healthCheck) this.checks.set(b.name, new HealthStateMachine(this.scenario.service.healthCheck));
  }

  private attempt(f: Flight): void {
    const backend = this.pool.pick(f.req.pick, f.tried);
    if (!backend) {
      // Nowhere (else) to go: a held answer goes out; otherwise the balancer answers itself.
      if (f.held) return this.finish(f, f.held.status, f.held.backend);
      return this.finish(f, f.last?.error ? 502 : 503);
    }
    f.held = undefined;
    if (f.last) {
      f.retried = true;
      this.retries++;
      if (!f.retrying && !isSafeRetry(f.last)) {
        this.budget.retryStarted();
        f.retrying = true;
      }
    }
    f.attempts++;
    backend.inFlight++;
    const server = this.servers.get(backend.name)!;
    const startedAt = this.clock.now;
    if (!server.alive) return this.ended(f, backend, startedAt, { error: 'refused', bodySent: false });
    const visit: Visit = {
      state: 'queued',
      onEnd: (r) => this.ended(f, backend, startedAt, 'error' in r ? { error: r.error, bodySent: true } : { status: r.status }),
    };
    f.current = { server, visit, backend };
    server.admit(visit);
  }

  private ended(f: Flight, backend: Backend, startedAt: number, r: { error: 'refused' | 'reset'; bodySent: boolean } | { status: number }): void {
    f.current = undefined;
    const now = this.clock.now;
    backend.inFlight--;
    f.tried.add(backend.id);
    if ('error' in r) {
      backend.observeFailure(this.scenario.service.connectMs, now);
      this.passive?.onOutcome(backend, { error: r.error }, now);
    } else {
      backend.observeLatency(now - startedAt, now);
      this.passive?.onOutcome(backend, { status: r.status }, now);
    }
    const retries = this.scenario.service.retries;
    const error = 'error' in r ? r.error : undefined;
    const status = 'status' in r ? r.status : undefined;
    if (status !== undefined && !retries.onStatus.includes(status)) return this.finish(f, status, backend.name);
    const again = shouldRetry({
      attempt: f.attempts,
      maxAttempts: retries.attempts,
      method: f.req.method,
      bodySent: 'error' in r ? r.bodySent : true,
      bodyReplayable: true,
      responseStarted: false,
      error,
      status,
      retryOnStatus: retries.onStatus,
      retryNonIdempotent: retries.retryNonIdempotent,
      budgetAllows: f.retrying || this.budget.canRetry(),
    });
    if (!again) return this.finish(f, status ?? 502, status === undefined ? undefined : backend.name);
    f.last = { error, bodySent: 'error' in r ? r.bodySent : true };
    if (status !== undefined) f.held = { status, backend: backend.name };
    this.attempt(f);
  }

  private finish(f: Flight, status: number, backend?: string): void {
    f.done = true;
    const worked = f.retried ? status < 500 : undefined;
    this.budget.requestEnded(f.retrying, worked);
    f.req.onDone({ status, backend });
  }

  /** The client gave up: the attempt is abandoned where it is (as the proxy aborts it), and nothing is reported to passive health. */
  private cancel(f: Flight): void {
    if (f.done) return;
    f.done = true;
    if (f.current) {
      f.current.server.cancel(f.current.visit);
      f.current.backend.inFlight--;
      f.current = undefined;
    }
    this.budget.requestEnded(f.retrying);
  }

  /** Returns ejected backends whose period ended, once per stats tick, as the Workbench does. */
  private sweep(): void {
    this.clock.at(this.clock.now + SWEEP_MS, () => {
      this.passive?.sweep(this.clock.now);
      this.sweep();
    });
  }

  /** Active checks of GET /health every interval: a live server passes (the demo's health skips the queue). */
  private check(spec: NonNullable<Scenario['service']['healthCheck']>): void {
    const probe = () => {
      for (const b of this.members) {
        const pass = this.servers.get(b.name)!.alive;
        const change = this.checks.get(b.name)!.record(pass);
        if (change.changed) {
          b.health = change.to;
          this.pool.refresh();
        }
        if (pass) this.passive?.onActivePass(b, this.clock.now);
      }
      this.clock.at(this.clock.now + spec.intervalMs, probe);
    };
    probe();
  }
}
