/**
 * Waiting helpers for tests with real sockets and timers: poll a condition
 * until it holds, with a generous deadline, instead of sleeping a fixed time
 * and hoping. A slow machine only makes the wait longer, not the test red.
 */

export interface WaitOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Poll every this often (default 10 ms). */
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  message?: string;
}

/**
 * Resolves with the first truthy value `pred` returns (it may be async);
 * rejects with an error naming the condition when the deadline passes.
 * A `pred` that throws is treated as not-yet and its last error is reported.
 */
export async function waitFor<T>(pred: () => T | Promise<T>, opts: number | WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 10, message } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await pred();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = message ?? pred.toString();
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** A plain delay, for pacing; never use it as the assertion itself. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
