/**
 * Per-test cleanup: whatever a test starts is registered here and closed
 * after it, last first, even when the test fails.
 */
import { afterEach } from 'vitest';

export interface Cleanup {
  /** Runs `fn` after the current test. */
  defer(fn: () => unknown): void;
  /** Closes `thing` after the current test and hands it back. */
  track<T extends { close(): unknown }>(thing: T): T;
}

export function useCleanup(): Cleanup {
  const pending: Array<() => unknown> = [];
  afterEach(async () => {
    while (pending.length) await pending.pop()!();
  });
  return {
    defer: (fn) => void pending.push(fn),
    track: (thing) => {
      pending.push(() => thing.close());
      return thing;
    },
  };
}
