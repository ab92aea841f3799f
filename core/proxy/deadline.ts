/**
 * An attempt's timeout: one deadline at a time (connect, then response
 * headers, then each gap in the response body; or a tunnel's idle gap)
 * served by one timer. A deadline that moves later (the connection
 * came up, a body chunk went out) leaves the timer as it is; when the timer
 * fires early it is set again for what is left. So the usual attempt sets one
 * timer and clears it, and moving the deadline per body chunk costs no timer
 * call. Only a deadline moved earlier re-sets the timer at once.
 */
export type Phase = 'connect' | 'response' | 'idle';

/** Who is told when a deadline passes. */
export interface TimeoutOwner {
  timedOut(phase: Phase, limitMs: number): void;
}

export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires, on the `performance.now()` clock. */
  private timerAt = 0;
  private at = 0;
  private phase: Phase | undefined;
  /** The configured limit of the phase, for the error message. */
  private limitMs = 0;

  constructor(private readonly owner: TimeoutOwner) {}

  /** `phase` times out `ms` from now (reported as `limitMs`). */
  set(phase: Phase, ms: number, limitMs: number): void {
    this.phase = phase;
    this.limitMs = limitMs;
    this.at = performance.now() + ms;
    if (this.timer !== undefined && this.timerAt <= this.at) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(Deadline.fire, ms, this);
    this.timerAt = this.at;
  }

  /** Moves the deadline to `ms` from now, if `phase` is the one running. */
  extend(phase: Phase, ms: number): void {
    if (this.phase === phase) this.at = performance.now() + ms;
  }

  clear(): void {
    this.phase = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private static fire(this: void, d: Deadline): void {
    d.timer = undefined;
    const phase = d.phase;
    if (phase === undefined) return;
    const left = d.at - performance.now();
    if (left >= 1) {
      d.timer = setTimeout(Deadline.fire, left, d);
      d.timerAt = d.at;
      return;
    }
    // Not yet: after a long stall of the event loop, the awaited bytes may be waiting to be read. Timers
    // run before I/O, so the verdict waits for the I/O phase (setImmediate runs after it).
    setImmediate(Deadline.judge, d, phase);
  }

  private static judge(this: void, d: Deadline, phase: Phase): void {
    // Cleared, moved to another phase or extended meanwhile (the awaited bytes came): no timeout.
    if (d.phase !== phase || d.timer !== undefined) return;
    if (d.at - performance.now() >= 1) {
      d.timer = setTimeout(Deadline.fire, d.at - performance.now(), d);
      d.timerAt = d.at;
      return;
    }
    d.phase = undefined;
    d.owner.timedOut(phase, d.limitMs);
  }
}
