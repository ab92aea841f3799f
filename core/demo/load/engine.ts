/**
 * The load loop itself: sends requests with node:http over a keep-alive
 * agent, classifies each outcome, and reports totals, rates and latency
 * percentiles once per interval. It runs in the load generator's worker
 * thread (see ./worker.ts) but is plain Node and would run anywhere.
 *
 * Open loop: a pacer wakes often, works out from the schedule how many
 * requests are due, and sends them; one due while `maxInFlight` are
 * unanswered is skipped, not delayed. Closed loop: `concurrency` clients each
 * send their next request as soon as the last one finishes.
 *
 * On stop (asked, or at `durationMs`) nothing new is sent; requests in flight
 * get `STOP_GRACE_MS` to finish and are then abandoned and counted as
 * cancelled.
 */
import http from 'node:http';
import { LatencyHistogram } from '../../stats/histogram';
import { dueBy, keyHeaders, rateAt, weightedPicker } from './schedule';
import type { LoadSpec, RequestMixEntry } from './spec';
import { BODY_METHODS, noFailures, type FailureCounts, type LoadEndReason, type LoadProgress, type LoadSummary } from './types';

/** How long requests in flight may still finish after a stop. */
export const STOP_GRACE_MS = 1000;
/** The open-loop pacer never sleeps longer than this, so a ramp is followed closely. */
const PACER_MAX_SLEEP_MS = 20;

export interface LoadDeps {
  /** Monotonic ms clock (default performance.now). */
  now?: () => number;
  /** Uniform in [0, 1) for the request mix and the keys (default Math.random). */
  random?: () => number;
}

export interface LoadRun {
  /** Asks the run to end; `done` resolves once in-flight requests finished or were abandoned. */
  stop(): void;
  readonly done: Promise<LoadSummary>;
}

type Outcome = 'ok' | keyof FailureCounts | 'cancelled';

interface Pending {
  req: http.ClientRequest;
  /** Set when we destroy the request ourselves, so its error is classified by why. */
  abortedAs?: 'timeout' | 'cancelled';
}

export function runLoad(spec: LoadSpec, onProgress: (p: LoadProgress) => void, deps: LoadDeps = {}): LoadRun {
  return new LoadEngine(spec, onProgress, deps);
}

class LoadEngine implements LoadRun {
  readonly done: Promise<LoadSummary>;
  private resolveDone!: (s: LoadSummary) => void;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly agent: http.Agent;
  private readonly target: URL;
  private readonly pick: () => RequestMixEntry;
  private readonly body: Buffer;
  private readonly startedAt: number;
  private readonly pending = new Set<Pending>();

  private sent = 0;
  private ok = 0;
  private readonly failed = noFailures();
  private skipped = 0;
  private cancelled = 0;
  /** Open loop: requests the schedule released so far, sent or skipped. */
  private released = 0;
  private readonly backends = new Map<string, number>();
  private readonly intervalLatency = new LatencyHistogram();
  private readonly overallLatency = new LatencyHistogram();
  private last = { at: 0, sent: 0, finished: 0 };

  private stopping = false;
  private over = false;
  private reason: LoadEndReason = 'stopped';
  private endedAt = 0;
  private pacer: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;
  private readonly deadline: NodeJS.Timeout;
  private grace: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: LoadSpec,
    private readonly onProgress: (p: LoadProgress) => void,
    deps: LoadDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.now = deps.now ?? (() => performance.now());
    this.random = deps.random ?? Math.random;
    const sockets = spec.mode === 'open' ? spec.maxInFlight : spec.concurrency;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
    this.target = new URL(spec.target);
    this.pick = weightedPicker(spec.requests, this.random);
    this.body = Buffer.alloc(spec.bodyBytes, 'x');
    this.startedAt = this.now();
    this.last.at = this.startedAt;

    this.ticker = setInterval(() => this.onProgress(this.progress()), spec.progressIntervalMs);
    this.deadline = setTimeout(() => this.end('duration'), spec.durationMs);
    if (spec.mode === 'open') this.pace();
    else for (let i = 0; i < spec.concurrency; i++) this.client();
  }

  stop(): void {
    this.end('stopped');
  }

  /** Open loop: sends what the schedule has made due, then sleeps until about the next one. */
  private pace(): void {
    if (this.stopping || this.spec.mode !== 'open') return;
    const t = this.now() - this.startedAt;
    const due = Math.floor(dueBy(this.spec, t));
    while (this.released < due) {
      this.released += 1;
      if (this.pending.size >= this.spec.maxInFlight) this.skipped += 1;
      else this.send();
    }
    const rate = rateAt(this.spec, t);
    const untilNext = rate > 0 ? ((due + 1 - dueBy(this.spec, t)) * 1000) / rate : PACER_MAX_SLEEP_MS;
    this.pacer = setTimeout(() => this.pace(), Math.min(PACER_MAX_SLEEP_MS, Math.max(1, untilNext)));
  }

  /** Closed loop: one client, sending again each time its request finishes. */
  private client(): void {
    if (!this.stopping) this.send(() => this.client());
  }

  private send(then?: () => void): void {
    const entry = this.pick();
    const headers = keyHeaders(this.spec.key, this.random);
    const withBody = this.body.length > 0 && BODY_METHODS.has(entry.method);
    if (withBody) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = this.body.length;
    }
    const started = this.now();
    const req = http.request({
      agent: this.agent,
      hostname: this.target.hostname.replace(/^\[|\]$/g, ''),
      port: this.target.port || 80,
      method: entry.method,
      path: entry.path,
      headers,
    });
    const pending: Pending = { req };
    this.pending.add(pending);
    this.sent += 1;

    let finished = false;
    const finish = (outcome: Outcome, backend?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.pending.delete(pending);
      this.count(outcome, backend);
      if (this.stopping) {
        if (this.pending.size === 0) this.finishRun();
      } else if (then) {
        then();
      }
    };
    const timer = setTimeout(() => {
      pending.abortedAs = 'timeout';
      req.destroy();
    }, this.spec.timeoutMs);

    req.on('response', (res) => {
      const header = res.headers['x-demo-backend'];
      const backend = typeof header === 'string' ? header : undefined;
      const status = res.statusCode ?? 0;
      res.on('end', () => {
        const ms = this.now() - started;
        this.intervalLatency.record(ms);
        this.overallLatency.record(ms);
        finish(status >= 500 ? 'status5xx' : status >= 400 ? 'status4xx' : 'ok', backend);
      });
      res.on('error', () => finish(pending.abortedAs ?? 'reset'));
      res.on('close', () => finish(pending.abortedAs ?? 'reset')); // after 'end' this is a no-op
      res.resume();
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish(pending.abortedAs ?? classifyError(err)));
    if (withBody) req.end(this.body);
    else req.end();
  }

  private count(outcome: Outcome, backend: string | undefined): void {
    if (outcome === 'ok') this.ok += 1;
    else if (outcome === 'cancelled') this.cancelled += 1;
    else this.failed[outcome] += 1;
    if (backend !== undefined) this.backends.set(backend, (this.backends.get(backend) ?? 0) + 1);
  }

  private finishedCount(): number {
    const f = this.failed;
    return this.ok + f.status4xx + f.status5xx + f.refused + f.reset + f.timeout + f.other + this.cancelled;
  }

  private progress(): LoadProgress {
    const at = this.now();
    const finished = this.finishedCount();
    const intervalS = Math.max(1e-3, (at - this.last.at) / 1000);
    const overallS = Math.max(1e-3, (at - this.startedAt) / 1000);
    const [p50, p99] = this.intervalLatency.percentiles([50, 99]);
    const p: LoadProgress = {
      elapsedMs: at - this.startedAt,
      sent: this.sent,
      ok: this.ok,
      failed: { ...this.failed },
      skipped: this.skipped,
      inFlight: this.pending.size,
      rate: { interval: (this.sent - this.last.sent) / intervalS, overall: this.sent / overallS },
      throughput: { interval: (finished - this.last.finished) / intervalS, overall: finished / overallS },
      latency: { p50: p50!, p99: p99!, count: this.intervalLatency.count },
      backends: Object.fromEntries(this.backends),
    };
    if (this.spec.mode === 'open') p.targetRate = rateAt(this.spec, at - this.startedAt);
    this.last = { at, sent: this.sent, finished };
    this.intervalLatency.reset();
    return p;
  }

  private end(reason: LoadEndReason): void {
    if (this.stopping) return;
    this.stopping = true;
    this.reason = reason;
    this.endedAt = this.now();
    clearTimeout(this.pacer);
    clearTimeout(this.deadline);
    if (this.pending.size === 0) return this.finishRun();
    this.grace = setTimeout(() => {
      for (const p of [...this.pending]) {
        p.abortedAs = 'cancelled';
        p.req.destroy();
      }
    }, STOP_GRACE_MS);
  }

  private finishRun(): void {
    if (this.over) return;
    this.over = true;
    clearInterval(this.ticker);
    clearTimeout(this.grace);
    this.agent.destroy();
    const seconds = Math.max(1e-3, (this.endedAt - this.startedAt) / 1000);
    const [p50, p90, p99] = this.overallLatency.percentiles([50, 90, 99]);
    this.resolveDone({
      reason: this.reason,
      durationMs: this.endedAt - this.startedAt,
      sent: this.sent,
      ok: this.ok,
      failed: { ...this.failed },
      skipped: this.skipped,
      cancelled: this.cancelled,
      rate: this.sent / seconds,
      throughput: (this.finishedCount() - this.cancelled) / seconds,
      latency: { p50: p50!, p90: p90!, p99: p99!, max: this.overallLatency.max, count: this.overallLatency.count },
      backends: Object.fromEntries(this.backends),
    });
  }
}

function classifyError(err: NodeJS.ErrnoException): keyof FailureCounts {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}
