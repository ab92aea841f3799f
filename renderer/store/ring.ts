/**
 * A bounded, copy-on-write ring: appending returns a new array holding at
 * most `capacity` items, the oldest dropped first. A new array per append is
 * what lets React and zustand see the change by reference; at a few hundred
 * items per tick the copy costs nothing.
 */
export function pushBounded<T>(items: readonly T[], item: T, capacity: number): T[] {
  const keep = Math.max(0, capacity - 1);
  const start = Math.max(0, items.length - keep);
  const next = items.slice(start);
  next.push(item);
  return next;
}

/** Prepends (newest first) and keeps at most `capacity` items. */
export function unshiftBounded<T>(items: readonly T[], item: T, capacity: number): T[] {
  const next = [item, ...items];
  if (next.length > capacity) next.length = capacity;
  return next;
}

/**
 * Ticks kept per service, and so points per chart series: a minute at the
 * default 500 ms tick. Drawing cost grows with the points (recharts works
 * through every point of every series on each redraw), and a minute shows
 * a failover and a recovery.
 */
export const HISTORY_TICKS = 120;
/** Rows kept in the event log. */
export const EVENT_LOG_ROWS = 500;
/** Markers kept for the charts' time axis. */
export const MARKERS_KEPT = 100;
/** Ticks the distribution chart's share is summed over (10 s at 500 ms). */
export const SHARE_WINDOW_TICKS = 20;
/** Load progress rows kept for the load chart: two minutes at the default 500 ms. */
export const LOAD_ROWS = 240;
/** Drill step events kept for the running drill's progress. */
export const DRILL_STEPS_KEPT = 100;
