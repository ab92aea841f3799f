/**
 * A repeating tick for snapshots: setInterval, unref'd so a running ticker
 * never keeps the process alive on its own (a CLI run ends when its work
 * does). `fn` gets the timer's own clock reading; it should not throw, as an
 * error escaping a timer is uncaught.
 */
export type StopTicker = () => void;

export function startTicker(intervalMs: number, fn: () => void): StopTicker {
  if (!(intervalMs > 0)) throw new RangeError(`ticker interval must be > 0 ms, got ${intervalMs}`);
  const timer = setInterval(fn, intervalMs);
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
  };
}
