/**
 * A demo backend as the simulation models it, after core/demo/demo-backend:
 * `capacity` requests are worked on at once, the rest wait in a FIFO queue;
 * a request's latency is drawn (with the demo's own sampleLatency) when it
 * gets a slot, and it is answered with errorStatus at the share errorRate.
 * A killed server refuses connects and resets whatever it held, as a stopped
 * demo backend drops its connections.
 */
import { sampleLatency, type LatencySpec } from '../../demo/latency';
import type { EventQueue, Scheduled } from './event-queue';
import type { ScenarioBackend } from './scenario';

/** One attempt's visit to a server. */
export interface Visit {
  state: 'queued' | 'running' | 'done';
  timer?: Scheduled;
  /** Called once: with the status it answered, or 'reset' when the server died holding it. */
  onEnd(result: { status: number } | { error: 'reset' }): void;
}

export class SimServer {
  alive = true;
  latency: LatencySpec;
  private active = 0;
  private readonly running = new Set<Visit>();
  private queue: Visit[] = [];

  constructor(
    readonly spec: ScenarioBackend,
    private readonly clock: EventQueue,
    private readonly random: () => number,
  ) {
    this.latency = { ...spec.latency };
  }

  /** Takes an attempt (the caller checked `alive`): a slot now, or the queue. */
  admit(v: Visit): void {
    if (this.active < this.spec.capacity) this.start(v);
    else {
      v.state = 'queued';
      this.queue.push(v);
    }
  }

  /** The client went away: frees its slot or its place in the queue; nothing is reported. */
  cancel(v: Visit): void {
    if (v.state === 'queued') this.queue = this.queue.filter((q) => q !== v);
    else if (v.state === 'running') {
      v.timer!.cancelled = true;
      this.running.delete(v);
      this.active--;
      this.drain();
    }
    v.state = 'done';
  }

  /** Stops listening: every attempt held (running or queued) ends as a reset, in arrival order. */
  kill(): void {
    this.alive = false;
    const held = [...this.running, ...this.queue];
    this.running.clear();
    this.queue = [];
    this.active = 0;
    for (const v of held) {
      if (v.timer) v.timer.cancelled = true;
      v.state = 'done';
      v.onEnd({ error: 'reset' });
    }
  }

  private start(v: Visit): void {
    v.state = 'running';
    this.active++;
    this.running.add(v);
    const ms = sampleLatency(this.latency, this.random);
    v.timer = this.clock.at(this.clock.now + ms, () => {
      this.running.delete(v);
      this.active--;
      v.state = 'done';
      const failed = this.spec.errorRate > 0 && this.random() < this.spec.errorRate;
      this.drain(); // the next in the queue starts before this answer's client can send again
      v.onEnd({ status: failed ? this.spec.errorStatus : 200 });
    });
  }

  private drain(): void {
    while (this.active < this.spec.capacity && this.queue.length > 0) this.start(this.queue.shift()!);
  }
}
