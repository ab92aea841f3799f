/**
 * The pure parts of load generation: the open-loop schedule (how many
 * requests are due by a given time, ramp included), the weighted choice of
 * method and path, and the key a request carries. Randomness is passed in.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { LoadKey, OpenLoopSpec, RequestMixEntry } from './spec';

type Schedule = Pick<OpenLoopSpec, 'rate' | 'rampFromRate' | 'rampMs'>;

/** The scheduled rate in req/s at `tMs` after the start: linear from rampFromRate to rate over rampMs. */
export function rateAt(s: Schedule, tMs: number): number {
  const from = s.rampFromRate ?? s.rate;
  if (s.rampMs <= 0 || tMs >= s.rampMs) return s.rate;
  return from + ((s.rate - from) * Math.max(0, tMs)) / s.rampMs;
}

/**
 * How many requests are due by `tMs`: the integral of the rate. The open
 * loop sends whatever is due and not yet sent, so the achieved rate does not
 * depend on how evenly the timers fire.
 */
export function dueBy(s: Schedule, tMs: number): number {
  const t = Math.max(0, tMs);
  const from = s.rampFromRate ?? s.rate;
  if (s.rampMs <= 0 || from === s.rate) return (s.rate * t) / 1000;
  if (t <= s.rampMs) return (from * t + ((s.rate - from) * t * t) / (2 * s.rampMs)) / 1000;
  return (((from + s.rate) / 2) * s.rampMs + s.rate * (t - s.rampMs)) / 1000;
}

/** Picks entries in proportion to their weights. */
export function weightedPicker(entries: readonly RequestMixEntry[], random: () => number): () => RequestMixEntry {
  if (entries.length === 1) {
    const only = entries[0]!;
    return () => only;
  }
  const cumulative: number[] = [];
  let total = 0;
  for (const e of entries) cumulative.push((total += e.weight));
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return entries[lo]!;
  };
}

/** The header that carries a random one of the K keys, or nothing without a key spec. */
export function keyHeaders(key: LoadKey | undefined, random: () => number): OutgoingHttpHeaders {
  if (!key) return {};
  const value = `${key.prefix}${Math.min(key.count - 1, Math.floor(random() * key.count))}`;
  return key.header ? { [key.header]: value } : { cookie: `${key.cookie}=${value}` };
}
