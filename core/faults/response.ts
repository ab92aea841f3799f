/**
 * Faults on a forwarded response body: a bandwidth limit (a Transform that
 * lets bytes through at a set rate) and a mid-body reset (a Transform that
 * lets part of the body through, then reports that the connection must go).
 * Both own at most one timer and release it when destroyed.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { FaultPlan } from './fault-set';

/** A throttled body is released in slices of about this much time, so the rate holds at any chunk size. */
const SLICE_MS = 20;
const MIN_SLICE_BYTES = 256;

/** Lets bytes through at `bytesPerSec`, in small slices on a timer. */
export class Throttle extends Transform {
  private readonly slice: number;
  /** When the next byte may go, ms (performance.now). */
  private nextAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bytesPerSec: number) {
    super();
    this.slice = Math.max(MIN_SLICE_BYTES, Math.floor((bytesPerSec * SLICE_MS) / 1000));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.release(chunk, 0, done);
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearTimeout(this.timer);
    done(err);
  }

  private release(chunk: Buffer, offset: number, done: TransformCallback): void {
    if (this.destroyed) return;
    const now = performance.now();
    if (this.nextAt > now) {
      this.timer = setTimeout(() => this.release(chunk, offset, done), this.nextAt - now);
      return;
    }
    const piece = chunk.subarray(offset, offset + this.slice);
    this.nextAt = Math.max(this.nextAt, now) + (piece.length * 1000) / this.bytesPerSec;
    this.push(piece);
    if (offset + piece.length >= chunk.length) done();
    else this.release(chunk, offset + piece.length, done);
  }
}

/**
 * Lets at most `limit` body bytes through and never the whole body: at the
 * limit, or at the body's end if that comes first, it stops and calls
 * `onCut` (the caller then drops the connection, as an upstream reset would).
 */
export class CutAfter extends Transform {
  private passed = 0;
  private cut = false;

  constructor(
    private readonly limit: number,
    private readonly onCut: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.cut) return done();
    const room = this.limit - this.passed;
    if (chunk.length >= room) {
      if (room > 0) this.push(chunk.subarray(0, room));
      this.passed = this.limit;
      this.trip();
      return done();
    }
    this.passed += chunk.length;
    this.push(chunk);
    done();
  }

  override _flush(_done: TransformCallback): void {
    // The body ended under the limit: still never end it cleanly.
    this.trip();
  }

  private trip(): void {
    if (this.cut) return;
    this.cut = true;
    this.onCut();
  }
}

/**
 * The streams a plan puts between the backend's response and the client,
 * in pipe order (empty when the plan shapes nothing). `contentLength`, when the
 * response declares one, keeps a mid-body cut short of the whole body.
 */
export function responseShapers(plan: FaultPlan | undefined, contentLength: number | undefined, onCut: () => void): Transform[] {
  const out: Transform[] = [];
  if (!plan) return out;
  // Throttle first, so a cut comes when the slowed body reaches it.
  if (plan.bytesPerSec !== undefined) out.push(new Throttle(plan.bytesPerSec));
  if (plan.cutAfterBytes !== undefined) {
    const limit = contentLength !== undefined ? Math.max(0, Math.min(plan.cutAfterBytes, contentLength - 1)) : plan.cutAfterBytes;
    out.push(new CutAfter(limit, onCut));
  }
  return out;
}
