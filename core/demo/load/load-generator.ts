/**
 * The load generator: one run of a load spec in its own worker thread, so
 * the requests it sends are not competing with the proxy for the caller's
 * event loop. It reports progress about every 500 ms and a summary at the
 * end, and it always ends: at `durationMs` (at most ten minutes) the worker
 * stops by itself, and should it not, this side terminates it.
 *
 * A generator runs once; create another to run again.
 */
import { Worker } from 'node:worker_threads';
import { LbError, toErrorData, type ErrorData } from '../../model/errors';
import { STOP_GRACE_MS } from './engine';
import { parseLoadSpec, type LoadSpec, type LoadSpecInput } from './spec';
import { noFailures, type FromWorker, type LoadProgress, type LoadSummary, type ToWorker } from './types';

/** Beyond the run's own deadline and grace, how long the worker may take before it is terminated. */
const WORKER_GRACE_MS = 3000;
/** How long the worker may take to load (it compiles TypeScript when run from source) before it is terminated. */
const BOOT_TIMEOUT_MS = 30_000;
/**
 * The worker's young generation, MB (two 2 MB semi-spaces). Its live data is
 * a few MB, but V8 grows a thread's semi-spaces to 16 MB each once a run has
 * gone on for a while, which added up to 30 MB to the workbench's RSS for the
 * rest of the run, at no gain: the scavenges it saves are cheap here.
 */
const WORKER_YOUNG_GENERATION_MB = 6;

type Listeners = {
  progress: (p: LoadProgress) => void;
  done: (s: LoadSummary) => void;
};

/**
 * Starts the worker. Running from TypeScript source (tsx, vitest), a worker
 * needs a loader of its own, which the .mjs bootstrap registers; giving the
 * Worker `execArgv: ['--import', 'tsx']` does not work on Node 20 ("Unknown
 * file extension .ts"). In the Electron bundle (CommonJS, see forge.config.ts) the
 * worker is built beside main as worker.cjs.
 */
function spawnWorker(spec: LoadSpec): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  return new Worker(new URL(fromSource ? './worker-bootstrap.mjs' : './worker.cjs', import.meta.url), {
    workerData: { spec },
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
}

export class LoadGenerator {
  readonly spec: LoadSpec;
  private state: 'idle' | 'running' | 'done' = 'idle';
  private worker: Worker | undefined;
  private booted = false;
  private stopRequested = false;
  private lastProgress: LoadProgress | undefined;
  private readonly finished: Promise<LoadSummary>;
  private resolveFinished!: (s: LoadSummary) => void;
  private backstop: NodeJS.Timeout | undefined;
  private readonly listeners: { [K in keyof Listeners]: Set<Listeners[K]> } = { progress: new Set(), done: new Set() };

  /** Validates the spec; a bad one (a non-loopback target among them) throws an INPUT_INVALID LbError. */
  constructor(spec: LoadSpecInput) {
    this.spec = parseLoadSpec(spec);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Subscribes to progress reports or to the end; returns the unsubscribe function. */
  on<K extends keyof Listeners>(event: K, fn: Listeners[K]): () => void {
    const set = this.listeners[event] as Set<Listeners[K]>;
    set.add(fn);
    return () => set.delete(fn);
  }

  start(): void {
    if (this.state !== 'idle') throw new LbError('CONFLICT', 'this load generator has already run; create a new one to run again');
    this.state = 'running';
    const worker = spawnWorker(this.spec);
    this.worker = worker;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'started') {
        // The run's clock starts now, not when the thread was asked for.
        this.booted = true;
        this.arm(this.stopRequested ? STOP_GRACE_MS + WORKER_GRACE_MS : this.spec.durationMs + STOP_GRACE_MS + WORKER_GRACE_MS);
      } else if (message.type === 'progress') {
        this.lastProgress = message.progress;
        for (const fn of this.listeners.progress) fn(message.progress);
      } else {
        this.finish(message.summary);
      }
    });
    worker.on('error', (err) => this.finish(this.fallbackSummary('error', toErrorData(err))));
    worker.on('exit', (code) =>
      this.finish(this.fallbackSummary('error', { code: 'INTERNAL', message: `the load worker exited (code ${code}) before it reported a summary` })),
    );
    this.arm(BOOT_TIMEOUT_MS);
  }

  /** Ends the run (in-flight requests get a short grace) and resolves with its summary. */
  stop(): Promise<LoadSummary> {
    if (this.state === 'idle') this.finish(this.fallbackSummary('stopped'));
    else if (this.state === 'running' && !this.stopRequested) {
      this.stopRequested = true;
      this.worker?.postMessage({ type: 'stop' } satisfies ToWorker); // handled once the worker has loaded
      if (this.booted) this.arm(STOP_GRACE_MS + WORKER_GRACE_MS);
    }
    return this.finished;
  }

  /** Resolves with the summary when the run ends, however it ends. */
  whenDone(): Promise<LoadSummary> {
    return this.finished;
  }

  /** Terminates the worker if it has not reported its summary within `ms`. */
  private arm(ms: number): void {
    clearTimeout(this.backstop);
    const what = this.booted ? 'stop' : 'start';
    this.backstop = setTimeout(() => {
      this.finish(this.fallbackSummary('error', { code: 'INTERNAL', message: `the load worker did not ${what} within ${ms} ms and was terminated` }));
    }, ms);
    this.backstop.unref();
  }

  private finish(summary: LoadSummary): void {
    if (this.state === 'done') return;
    this.state = 'done';
    clearTimeout(this.backstop);
    void this.worker?.terminate();
    this.worker = undefined;
    for (const fn of this.listeners.done) fn(summary);
    this.resolveFinished(summary);
  }

  /** A summary from the last progress report, for a run whose worker could not report one. */
  private fallbackSummary(reason: LoadSummary['reason'], error?: ErrorData): LoadSummary {
    const p = this.lastProgress;
    const s: LoadSummary = {
      reason,
      durationMs: p?.elapsedMs ?? 0,
      sent: p?.sent ?? 0,
      ok: p?.ok ?? 0,
      failed: p ? { ...p.failed } : noFailures(),
      skipped: p?.skipped ?? 0,
      cancelled: p?.inFlight ?? 0,
      rate: p?.rate.overall ?? 0,
      throughput: p?.throughput.overall ?? 0,
      latency: { p50: 0, p90: 0, p99: 0, max: 0, count: 0 },
      backends: { ...p?.backends },
    };
    if (error) s.error = error;
    return s;
  }
}
