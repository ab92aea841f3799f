/**
 * One running service: its backends' runtime state, the strategy pool, the
 * active and passive health checkers and the data plane, wired together.
 * The Workbench owns one per service and hands it validated specs only.
 */
import type { BackendView, ServiceView } from './contract/commands';
import type { WorkbenchEvent } from './contract/events';
import { Backend } from './model/backend';
import { LbError } from './model/errors';
import { backendName, parseListen, type ServiceSpec } from './model/spec';
import { ActiveHealthChecker } from './health/active';
import { OutlierDetector } from './health/passive';
import { HttpService } from './proxy/http-service';
import { isIdempotent } from './proxy/retry';
import { TcpService, type TcpServiceHooks } from './proxy/tcp-service';
import type { ServiceInfo, StatsCollector } from './stats/collector';
import type { AttemptOutcome } from './stats/types';
import { Pool } from './strategies/pool';
import { getStrategy, parseStrategyOptions } from './strategies/registry';
import { resolveUpstreamTls, type UpstreamTls } from './proxy/upstream-tls';
import { isHashing, measureMove, membershipKey, snapshotMembers, MOVE_SAMPLE_KEYS } from './lab/keyspace';
import { LabRecorder } from './lab/recorder';
import type { PickTrace } from './strategies/reason';
import type { AccessRecord } from './lab/types';

export interface RuntimeDeps {
  now(): number;
  random(): number;
  stats: StatsCollector;
  emit(event: WorkbenchEvent): void;
  /** Open listeners and run health checks; false keeps a service model-only (unit tests). */
  dataPlane: boolean;
  /** How long a removed backend's in-flight requests may run before its connections are cut (default 5000). */
  graceMs?: number;
  /** Every request's access-log record (`lbw run --access-log`); absent when the log is off. */
  accessLog?: ((record: AccessRecord) => void) | undefined;
}

/** How often a removed backend is looked at while its in-flight requests finish. */
const RETIRE_POLL_MS = 50;

export class ServiceRuntime {
  spec: ServiceSpec;
  backends: Backend[] = [];
  readonly pool: Pool<Backend>;
  private active: ActiveHealthChecker | undefined;
  private passive: OutlierDetector | undefined;
  private http: HttpService | undefined;
  private tcp: TcpService | undefined;
  private running = false;
  /** Removed backends whose in-flight requests are finishing: each one's wrap-up, run at once on stop. */
  private readonly retiring = new Map<Backend, () => void>();
  /** The service's TLS settings for https backends, read once per change; the proxy and the health checker share them. */
  private upstreamTls: UpstreamTls;
  /** Requests sent again after an attempt that had already sent them, since start (drills report the non-idempotent ones). */
  readonly resends = { idempotent: 0, nonIdempotent: 0 };
  /** The strategy lab's view of this service: sampled decisions, access records, key-space moves. */
  readonly lab: LabRecorder;

  constructor(spec: ServiceSpec, private readonly deps: RuntimeDeps) {
    this.upstreamTls = ServiceRuntime.check(spec);
    this.spec = spec;
    this.pool = new Pool<Backend>(getStrategy(spec.strategy), spec.strategyOptions, deps);
    this.lab = new LabRecorder({
      now: deps.now,
      service: () => this.spec.name,
      strategy: () => this.spec.strategy,
      nameOf: (id) => this.backends.find((b) => b.id === id)?.name ?? id,
      sink: deps.accessLog,
    });
    this.setBackends(spec);
    this.configureHealth(spec);
  }

  get name(): string {
    return this.spec.name;
  }

  /**
   * What a spec needs beyond its schema before anything is touched: a known
   * strategy with valid options, a readable CA file. Throws CONFIG_INVALID;
   * returns the resolved TLS settings.
   */
  static check(spec: ServiceSpec): UpstreamTls {
    parseStrategyOptions(getStrategy(spec.strategy), spec.strategyOptions);
    return resolveUpstreamTls(spec.tls, `services "${spec.name}": tls`);
  }

  /** Same listener and protocol: apply the change live instead of rebinding. */
  canUpdateInPlace(spec: ServiceSpec): boolean {
    return spec.listen === this.spec.listen && spec.protocol === this.spec.protocol;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.deps.dataPlane && this.spec.protocol === 'http') {
      const { host, port } = parseListen(this.spec.listen);
      const http = new HttpService({
        name: this.spec.name,
        host,
        port,
        timeouts: this.spec.timeouts,
        retries: this.spec.retries,
        limits: this.spec.limits,
        tls: this.upstreamTls,
        rewriteRedirects: this.spec.rewriteRedirects,
        debugHeaders: this.spec.debugHeaders,
        now: this.deps.now,
        random: this.deps.random,
        hooks: this.hooks(),
      });
      const bound = await http.listen();
      this.http = http;
      this.deps.emit({ type: 'service:listening', at: this.deps.now(), service: this.name, address: bound.address });
    }
    if (this.deps.dataPlane && this.spec.protocol === 'tcp') {
      const { host, port } = parseListen(this.spec.listen);
      const tcp = new TcpService({ name: this.spec.name, host, port, timeouts: this.spec.timeouts, retries: this.spec.retries, now: this.deps.now, random: this.deps.random, hooks: this.tcpHooks() });
      const bound = await tcp.listen();
      this.tcp = tcp;
      this.deps.emit({ type: 'service:listening', at: this.deps.now(), service: this.name, address: bound.address });
    }
    this.running = true;
    if (this.deps.dataPlane) this.active?.start();
  }

  async stop(graceMs: number): Promise<void> {
    for (const finish of [...this.retiring.values()]) finish();
    const checks = this.active?.stop();
    const http = this.http;
    const tcp = this.tcp;
    this.http = undefined;
    this.tcp = undefined;
    const wasRunning = this.running;
    this.running = false;
    await Promise.all([checks, http?.close(graceMs), tcp?.close(graceMs)]);
    if (wasRunning) this.deps.emit({ type: 'service:stopped', at: this.deps.now(), service: this.name });
  }

  /** Releases what a replaced runtime still holds (its stats counters). */
  dispose(): void {
    void this.active?.stop();
  }

  /** Applies a validated spec with the same listener: backends, strategy, health, timeouts. */
  update(spec: ServiceSpec): void {
    // Everything that can refuse the spec runs first, so a refusal changes nothing.
    this.upstreamTls = ServiceRuntime.check(spec);
    const strategyChanged = spec.strategy !== this.spec.strategy || JSON.stringify(spec.strategyOptions) !== JSON.stringify(this.spec.strategyOptions);
    if (strategyChanged) this.pool.setStrategy(getStrategy(spec.strategy), spec.strategyOptions);
    this.spec = spec;
    this.setBackends(spec);
    this.configureHealth(spec);
    this.http?.update({ timeouts: spec.timeouts, retries: spec.retries, limits: spec.limits, tls: this.upstreamTls, rewriteRedirects: spec.rewriteRedirects, debugHeaders: spec.debugHeaders });
    this.tcp?.update({ timeouts: spec.timeouts, retries: spec.retries });
  }

  /** The bound address of whichever data plane runs, or null. */
  get address(): string | null {
    return this.http?.address ?? this.tcp?.address ?? null;
  }

  findBackend(ref: string): Backend {
    const b = this.backends.find((x) => x.id === ref) ?? this.backends.find((x) => x.name === ref);
    if (!b) throw new LbError('NOT_FOUND', `no backend "${ref}" in service "${this.name}"`);
    return b;
  }

  sweep(now: number): void {
    this.passive?.sweep(now);
  }

  view(): ServiceView {
    const { backends: _specs, ...rest } = this.spec;
    return { ...rest, address: this.address, backends: this.backends.map((b) => this.backendView(b.id)) };
  }

  backendView(id: string): BackendView {
    const b = this.findBackend(id);
    return { ...b.toSpec(), id: b.id, name: b.name, health: b.health, ejected: b.ejected, lastCheck: b.lastCheck ?? null, faults: b.faults.list() };
  }

  statsView(): ServiceInfo {
    const weighted = getStrategy(this.spec.strategy).weighted ?? true;
    return { name: this.name, protocol: this.spec.protocol, address: this.address, strategy: this.spec.strategy, weighted, backends: this.backends };
  }

  /**
   * Matches the spec's backends to the running ones so ids, health and counters
   * survive an edit: by name first, then by URL (a rename keeps its URL).
   */
  private setBackends(spec: ServiceSpec): void {
    const primaries = () => this.backends.filter((b) => !b.backup);
    const was = snapshotMembers(primaries());
    const wasKey = membershipKey(this.backends);
    const unmatched = new Set(this.backends);
    const pickFrom = (pred: (b: Backend) => boolean): Backend | undefined => {
      for (const b of unmatched) if (pred(b)) return b;
      return undefined;
    };
    const claimed: Array<Backend | undefined> = spec.backends.map((s) => {
      const b = pickFrom((x) => x.name === backendName(s));
      if (b) unmatched.delete(b);
      return b;
    });
    const next = spec.backends.map((s, i) => {
      let b = claimed[i] ?? pickFrom((x) => x.urlString() === s.url);
      if (b) {
        unmatched.delete(b);
        b.update(s);
      } else {
        b = new Backend(s);
      }
      return b;
    });
    this.backends = next;
    this.pool.setBackends(next);
    for (const gone of unmatched) this.retire(gone);
    if (isHashing(this.pool.strategyName) && membershipKey(next) !== wasKey) this.measureKeyMove(was, snapshotMembers(primaries()));
  }

  /** How many sampled keys a membership or weight change moved, against the ideal; published as `keyspace:moved`. */
  private measureKeyMove(before: ReturnType<typeof snapshotMembers>, after: ReturnType<typeof snapshotMembers>): void {
    const m = measureMove(this.pool.strategyName, this.pool.strategyOptions, before, after);
    if (!m) return;
    const move = {
      at: this.deps.now(),
      service: this.spec.name,
      strategy: this.pool.strategyName,
      keys: MOVE_SAMPLE_KEYS,
      moved: m.moved,
      ideal: m.ideal,
      before: before.map((b) => b.name),
      after: after.map((b) => b.name),
    };
    this.lab.lastMove = move;
    this.deps.emit({ type: 'keyspace:moved', at: move.at, service: move.service, move });
  }

  /**
   * A removed backend drains: it left the pool, so it gets no new requests;
   * those in flight may finish for up to the grace period; then its
   * connections (pooled and open) and counters go.
   */
  private retire(gone: Backend): void {
    const forget = () => {
      this.http?.forgetBackend(gone.id);
      this.tcp?.forgetBackend(gone.id);
      this.deps.stats.forgetBackend(gone.id);
    };
    if (gone.inFlight === 0 || !this.running) return forget();
    const until = performance.now() + (this.deps.graceMs ?? 5000);
    const finish = () => {
      clearInterval(poll);
      this.retiring.delete(gone);
      forget();
    };
    const poll = setInterval(() => {
      if (gone.inFlight === 0 || performance.now() >= until) finish();
    }, RETIRE_POLL_MS);
    this.retiring.set(gone, finish);
  }

  private configureHealth(spec: ServiceSpec): void {
    if (spec.healthCheck) {
      if (!this.active) {
        this.active = new ActiveHealthChecker(spec.healthCheck, {
          now: this.deps.now,
          random: this.deps.random,
          onTransition: ({ backend, from, to, cause }) => {
            this.pool.refresh();
            this.deps.emit({ type: 'health:changed', at: this.deps.now(), service: this.name, backend: backend.name, backendId: backend.id, from, to, cause });
          },
          onPass: (backend) => this.passive?.onActivePass(backend, this.deps.now()),
          tls: () => this.upstreamTls,
        });
        if (this.running) this.active.start();
      } else {
        this.active.update(spec.healthCheck);
      }
      this.active.setBackends(this.backends);
    } else if (this.active) {
      // Through the checker, the health's one writer: each backend it had judged is reported back to unknown.
      void this.active.turnOff();
      this.active = undefined;
    }

    const passive = spec.passiveHealth;
    if (passive && passive.enabled) {
      if (!this.passive) {
        this.passive = new OutlierDetector(passive, {
          onEject: ({ backend, cause, durationMs }) => {
            this.deps.stats.ejected(backend.id);
            this.deps.emit({ type: 'backend:ejected', at: this.deps.now(), service: this.name, backend: backend.name, backendId: backend.id, cause, durationMs });
          },
          onReturn: ({ backend, cause }) => {
            this.deps.emit({ type: 'backend:returned', at: this.deps.now(), service: this.name, backend: backend.name, backendId: backend.id, cause });
          },
        });
      } else {
        this.passive.update(passive);
      }
      this.passive.setBackends(this.backends);
    } else if (this.passive) {
      // Through the detector, ejection's one writer: every ejected backend returns, with its event.
      this.passive.update({ ...this.passive.currentSpec, enabled: false });
      this.passive = undefined;
    }
  }

  /** The data plane's view of this service: pick, and report each attempt once. */
  private hooks() {
    const counters = this.deps.stats.service(this.name);
    return {
      pick: (req: Parameters<Pool<Backend>['pick']>[0], exclude: ReadonlySet<string>, trace?: PickTrace) => this.pool.pick(req, exclude, trace),
      requestStarted: () => counters.requestStarted(),
      sample: (method: string, path: string) => this.lab.sample(method, path),
      attemptEnded: (backend: Backend, outcome: AttemptOutcome) => {
        counters.attemptEnded(backend, outcome);
        this.passive?.onOutcome(backend, outcome, this.deps.now());
      },
      retried: (backend: Backend) => counters.retried(backend),
      resent: (_backend: Backend, method: string) => {
        if (isIdempotent(method)) this.resends.idempotent++;
        else this.resends.nonIdempotent++;
      },
      requestEnded: (outcome: AttemptOutcome & { noBackend?: boolean }) => counters.requestEnded(outcome),
      tunnelTimedOut: (backend: Backend) => counters.connectionBroke(backend, 'timeout'),
    };
  }

  /** The TCP data plane's view: the same pick and attempt reports, with connections mapped onto the counters (see tcp-service.ts). */
  private tcpHooks(): TcpServiceHooks {
    const { pick, requestStarted, attemptEnded, retried } = this.hooks();
    const counters = this.deps.stats.service(this.name);
    return {
      pick,
      sampleConnection: () => this.lab.sampleConnection(),
      requestStarted,
      attemptEnded,
      retried,
      connectionSettled: (outcome) => counters.connectionSettled(outcome),
      transferred: (backend, bytesIn, bytesOut) => counters.transferred(backend, bytesIn, bytesOut),
      connectionBroke: (backend, kind) => counters.connectionBroke(backend, kind),
      connectionClosed: () => counters.connectionClosed(),
    };
  }
}
