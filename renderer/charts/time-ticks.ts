/**
 * Ticks for the charts' time axis, on round wall-clock times (every 10 s,
 * 30 s, a minute...) chosen so at most `max` fit the window. Handing recharts
 * the ticks with `interval={0}` spares it measuring every candidate label's
 * width on each redraw (the labels change as the window slides, so its
 * cache of text sizes does not help).
 */
const STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

/** Round times from `from` to `to` (ms), at most `max` of them; none for an empty window. */
export function timeTicks(from: number, to: number, max = 5): number[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return Number.isFinite(from) ? [from] : [];
  const span = to - from;
  const step = STEPS_MS.find((s) => span / s <= max) ?? Math.ceil(span / max / 3_600_000) * 3_600_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}
