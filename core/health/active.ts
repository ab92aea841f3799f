/**
 * The active health checker of one service: probes each backend on its own
 * timer (HTTP GET, or TCP connect with optional send/expect), writes `backend.lastCheck`, feeds the
 * backend's rise/fall state machine and reports only transitions.
 *
 * Each backend's next check is scheduled when its previous one finishes, so
 * probes of one backend never overlap: `intervalMs` (or `downIntervalMs`
 * while unhealthy) is the pause between the end of one check and the start
 * of the next. First checks are jittered so a pool does not fire at once.
 * A `tcp://` backend is always checked by connecting, whatever the type says;
 * `send` and `expect` apply to every TCP check and are ignored by HTTP ones.
 * The HTTP path is requested as written, not appended to the backend URL's path.
 * `stop()` clears every timer and aborts every probe, leaving nothing that
 * keeps the process alive.
 */
import type { Backend, CheckResult, HealthState } from '../model/backend';
import { LbError } from '../model/errors';
import type { UpstreamTls } from '../proxy/upstream-tls';
import type { HealthCheckSpec } from '../model/spec';
import { errorDetail, parseExpectStatus, probeHttp, probeTcp, type ProbeOutcome, type StatusMatcher } from './probe';
import { parseExpectReply, unescapeBytes, type ReplyMatcher } from './reply';
import { checkThresholds, HealthStateMachine } from './state-machine';

export interface HealthTransition {
  backend: Backend;
  from: HealthState;
  to: HealthState;
  /** `check failed: ECONNREFUSED`, `check passed: 200`. */
  cause: string;
}

export interface ActiveCheckerDeps {
  now(): number;
  /** Uniform in [0, 1); spreads first checks. Defaults to Math.random. */
  random?(): number;
  onTransition(t: HealthTransition): void;
  /** Called on every passing check (the outlier detector returns an ejected backend early). */
  onPass?(backend: Backend): void;
  /** A callback threw. Defaults to a process warning: the checker keeps running either way. */
  onError?(err: unknown): void;
  /** https:// backends: the service's TLS settings, read at each check (default: verify). */
  tls?(): UpstreamTls;
}

/** First checks land within this share of the interval... */
const FIRST_CHECK_SPREAD = 0.25;
/** ...but never later than this, so a new backend is judged quickly even with long intervals. */
const MAX_FIRST_CHECK_DELAY_MS = 250;

interface Entry {
  backend: Backend;
  machine: HealthStateMachine;
  timer: NodeJS.Timeout | undefined;
  probe: { abort: AbortController; done: Promise<CheckResult> } | undefined;
  removed: boolean;
}

export class ActiveHealthChecker {
  private spec: HealthCheckSpec;
  private expect: StatusMatcher;
  private exchange: TcpExchange;
  private readonly deps: ActiveCheckerDeps;
  private readonly random: () => number;
  private readonly entries = new Map<Backend, Entry>();
  private running = false;

  /** Throws CONFIG_INVALID when `expectStatus`, `expect` or rise/fall are malformed. */
  constructor(spec: HealthCheckSpec, deps: ActiveCheckerDeps) {
    this.expect = parseExpectStatus(spec.expectStatus);
    this.exchange = parseExchange(spec);
    checkThresholds(spec);
    this.spec = spec;
    this.deps = deps;
    this.random = deps.random ?? Math.random;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts checking new backends, stops checking removed ones; kept ones keep their streak and timer. */
  setBackends(backends: readonly Backend[]): void {
    const wanted = new Set(backends);
    for (const [backend, entry] of this.entries) {
      if (!wanted.has(backend)) this.remove(entry);
    }
    for (const backend of backends) {
      if (this.entries.has(backend)) continue;
      const entry: Entry = { backend, machine: new HealthStateMachine(this.spec, backend.health), timer: undefined, probe: undefined, removed: false };
      this.entries.set(backend, entry);
      if (this.running) this.schedule(entry, this.firstDelay());
    }
  }

  /** Applies a new spec; pending checks are rescheduled (jittered) on the new interval. Throws CONFIG_INVALID like the constructor. */
  update(spec: HealthCheckSpec): void {
    const expect = parseExpectStatus(spec.expectStatus);
    const exchange = parseExchange(spec);
    checkThresholds(spec);
    this.spec = spec;
    this.expect = expect;
    this.exchange = exchange;
    for (const entry of this.entries.values()) {
      entry.machine.configure(spec);
      if (this.running && entry.timer) this.schedule(entry, this.firstDelay());
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // An entry with a checkNow() in flight is scheduled too: its first tick joins that probe.
    for (const entry of this.entries.values()) this.schedule(entry, this.firstDelay());
  }

  /**
   * Checks are turned off: stops, then gives every judged backend back its
   * `unknown` health (it takes traffic again), reporting each as a transition
   * with `cause`, so no change of health goes unannounced.
   */
  async turnOff(cause = 'health checks turned off'): Promise<void> {
    const stopped = this.stop();
    for (const entry of this.entries.values()) {
      const { backend } = entry;
      entry.machine.reset('unknown');
      if (backend.health === 'unknown') continue;
      const from = backend.health;
      backend.health = 'unknown';
      this.guard(() => this.deps.onTransition({ backend, from, to: 'unknown', cause }));
    }
    await stopped;
  }

  /** Clears every timer and aborts in-flight probes; resolves once they have all let go of their sockets. */
  async stop(): Promise<void> {
    this.running = false;
    const pending: Promise<CheckResult>[] = [];
    for (const entry of this.entries.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      if (entry.probe) {
        entry.probe.abort.abort();
        pending.push(entry.probe.done);
      }
    }
    await Promise.allSettled(pending);
  }

  /**
   * Checks one backend now, whether or not the checker runs, and records the
   * result like a scheduled check. Joins a check already in flight. Rejects
   * with NOT_FOUND for a backend this checker does not know.
   */
  checkNow(backend: Backend): Promise<CheckResult> {
    const entry = this.entries.get(backend);
    if (!entry) return Promise.reject(new LbError('NOT_FOUND', `backend ${backend.name} is not checked by this service`));
    return this.check(entry);
  }

  private remove(entry: Entry): void {
    entry.removed = true;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.probe?.abort.abort();
    this.entries.delete(entry.backend);
  }

  private firstDelay(): number {
    return this.random() * Math.min(this.spec.intervalMs * FIRST_CHECK_SPREAD, MAX_FIRST_CHECK_DELAY_MS);
  }

  private schedule(entry: Entry, delayMs: number): void {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.tick(entry), delayMs);
  }

  private async tick(entry: Entry): Promise<void> {
    entry.timer = undefined;
    await this.check(entry);
    if (!this.running || entry.removed || entry.timer) return;
    const { intervalMs, downIntervalMs } = this.spec;
    this.schedule(entry, entry.backend.health === 'unhealthy' ? (downIntervalMs ?? intervalMs) : intervalMs);
  }

  /** Starts a probe, or joins the one in flight. The promise never rejects. */
  private check(entry: Entry): Promise<CheckResult> {
    if (entry.probe) return entry.probe.done;
    const abort = new AbortController();
    const done = this.probeAndRecord(entry, abort.signal).finally(() => {
      entry.probe = undefined;
    });
    entry.probe = { abort, done };
    return done;
  }

  private async probeAndRecord(entry: Entry, signal: AbortSignal): Promise<CheckResult> {
    const { type, path, timeoutMs } = this.spec;
    const url = entry.backend.url;
    // The backend's injected faults meet the probe as they meet requests.
    const fault = entry.backend.faults.plan(this.random);
    let outcome: ProbeOutcome;
    try {
      outcome =
        type === 'tcp' || url.protocol === 'tcp:'
          ? await probeTcp(url, { timeoutMs, signal, fault, ...this.exchange })
          : await probeHttp(url, { path, timeoutMs, signal, expect: this.expect, fault, tls: this.deps.tls?.() });
    } catch (err) {
      outcome = { ok: false, detail: errorDetail(err) };
    }
    const result: CheckResult = { ok: outcome.ok, at: this.deps.now(), detail: outcome.detail };
    if (outcome.latencyMs !== undefined) result.latencyMs = Math.round(outcome.latencyMs * 100) / 100;
    // A cancelled probe (stop, removal) judges nothing.
    if (signal.aborted || entry.removed) return result;
    this.record(entry, result);
    return result;
  }

  private record(entry: Entry, result: CheckResult): void {
    const { backend, machine } = entry;
    backend.lastCheck = result;
    // backend.health is the source of truth: if someone else set it, the streak restarts from there.
    if (machine.state !== backend.health) machine.reset(backend.health);
    const change = machine.record(result.ok);
    backend.health = change.to;
    if (change.changed) {
      const cause = `check ${result.ok ? 'passed' : 'failed'}: ${result.detail}`;
      this.guard(() => this.deps.onTransition({ backend, from: change.from, to: change.to, cause }));
    }
    if (result.ok && this.deps.onPass) {
      const onPass = this.deps.onPass;
      this.guard(() => onPass(backend));
    }
  }

  /** Runs a callback so that its failure cannot stop the checker or escape a timer. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (this.deps.onError) {
        try {
          this.deps.onError(err);
        } catch {
          // The error handler itself failed; there is nowhere left to report.
        }
      } else {
        process.emitWarning(`health check callback failed: ${errorDetail(err)}`);
      }
    }
  }
}

/** A TCP check's send/expect, parsed once. */
interface TcpExchange {
  send: Buffer | undefined;
  expect: ReplyMatcher | undefined;
}

function parseExchange(spec: HealthCheckSpec): TcpExchange {
  return {
    send: spec.send === undefined ? undefined : unescapeBytes(spec.send),
    expect: spec.expect === undefined ? undefined : parseExpectReply(spec.expect),
  };
}
