/**
 * Faults on a bridged TCP stream: the Transforms a fault plan puts between a
 * connection's two sockets, one chain per direction, so the path acts like a
 * degraded link that treats both directions alike.
 *
 * In pipe order: per-chunk latency (ChunkDelay), bandwidth (the HTTP plane's
 * Throttle, one per direction at the full rate), the reset after N bytes
 * (CutAt; backend to client only, like HTTP's mid-body reset: the bytes the
 * client receives) and the slow close (SlowClose, which holds the FIN). Each
 * keeps at most one timer, releases it when destroyed, and lets backpressure
 * through: a slow stage stops taking chunks, so the pipe pauses the socket
 * that sends them.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { FaultPlan } from './fault-set';
import { Throttle } from './response';

/** The bytes a ChunkDelay holds before it stops taking more: its window, like a TCP window, so memory stays bounded. */
export const DELAY_WINDOW_BYTES = 64 * 1024;

/**
 * Holds each chunk `ms` (± `jitterMs`, drawn per chunk) from its arrival,
 * never releasing one before the chunk ahead of it. Chunks are held side by
 * side, so latency does not cut throughput below a window per delay.
 */
export class ChunkDelay extends Transform {
  private readonly queue: Array<{ chunk: Buffer; at: number }> = [];
  private held = 0;
  /** When the last queued chunk goes, ms (performance.now). */
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The write callback held back while the window is full. */
  private blocked: TransformCallback | undefined;
  private flushed: TransformCallback | undefined;

  constructor(
    private readonly ms: number,
    private readonly jitterMs: number,
    private readonly random: () => number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const delay = Math.max(0, this.jitterMs > 0 ? this.ms + (2 * this.random() - 1) * this.jitterMs : this.ms);
    this.lastAt = Math.max(performance.now() + delay, this.lastAt);
    this.queue.push({ chunk, at: this.lastAt });
    this.held += chunk.length;
    if (this.held < DELAY_WINDOW_BYTES) done();
    else this.blocked = done;
    this.schedule();
  }

  override _flush(done: TransformCallback): void {
    if (this.queue.length === 0) done();
    else this.flushed = done;
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearTimeout(this.timer);
    done(err);
  }

  private schedule(): void {
    const head = this.queue[0];
    if (this.timer || !head || this.destroyed) return;
    this.timer = setTimeout(() => this.release(), Math.max(0, head.at - performance.now()));
  }

  private release(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { chunk } = this.queue.shift()!;
      this.held -= chunk.length;
      this.push(chunk);
    }
    const blocked = this.blocked;
    if (blocked && this.held < DELAY_WINDOW_BYTES) {
      this.blocked = undefined;
      blocked();
    }
    const flushed = this.flushed;
    if (flushed && this.queue.length === 0) {
      this.flushed = undefined;
      flushed();
    }
    this.schedule();
  }
}

/**
 * Lets `limit` bytes through, then calls `onCut` once (synchronously: the
 * caller lets the last bytes out before it resets the connection) and drops
 * the rest. A stream that ends short of the limit ends cleanly.
 */
export class CutAt extends Transform {
  private left: number;
  private cut = false;

  constructor(
    limit: number,
    private readonly onCut: () => void,
  ) {
    super();
    this.left = limit;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.cut) return done();
    const granted = Math.min(chunk.length, this.left);
    this.left -= granted;
    if (granted > 0) this.push(granted === chunk.length ? chunk : chunk.subarray(0, granted));
    if (this.left === 0) {
      this.cut = true;
      this.onCut();
    }
    done();
  }
}

/** Passes data straight through and the end (the FIN) `ms` late. */
export class SlowClose extends Transform {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.timer = setTimeout(done, this.ms);
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearTimeout(this.timer);
    done(err);
  }
}

export interface StreamShapers {
  /** Client to backend, in pipe order. */
  toBackend: Transform[];
  /** Backend to client, in pipe order. */
  toClient: Transform[];
}

/**
 * The chains a plan puts on a bridged connection (both empty when it shapes
 * nothing). `random` draws per-chunk jitter; `onCut` runs once when the
 * client has been sent `cutAfterBytes` (see CutAt).
 */
export function streamShapers(plan: FaultPlan | undefined, random: () => number, onCut: () => void): StreamShapers {
  if (!plan) return { toBackend: [], toClient: [] };
  const chain = (toClient: boolean): Transform[] => {
    const out: Transform[] = [];
    const delay = plan.chunkDelay;
    if (delay && (delay.ms > 0 || delay.jitterMs > 0)) out.push(new ChunkDelay(delay.ms, delay.jitterMs, random));
    if (plan.bytesPerSec !== undefined) out.push(new Throttle(plan.bytesPerSec));
    if (toClient && plan.cutAfterBytes !== undefined) out.push(new CutAt(plan.cutAfterBytes, onCut));
    if (plan.closeDelayMs) out.push(new SlowClose(plan.closeDelayMs));
    return out;
  };
  return { toBackend: chain(false), toClient: chain(true) };
}
