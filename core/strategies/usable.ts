/**
 * What a strategy may pick: an available backend that this request has not
 * tried yet. Every strategy sees the one backend list it was refreshed with and
 * skips the ids in `exclude` exactly as it skips unavailable backends, so a
 * retry never shifts anyone's place in a rotation, ring or table.
 */
import type { Pickable } from '../model/backend';

/** The exclusion set of a first attempt: nothing tried yet. */
export const NOTHING_TRIED: ReadonlySet<string> = new Set<string>();

export function usable(b: Pickable, exclude: ReadonlySet<string>): boolean {
  return b.available() && (exclude.size === 0 || !exclude.has(b.id));
}

/** Whether any of `backends` may be picked; lets a table walk stop early when none may. */
export function anyUsable(backends: readonly Pickable[], exclude: ReadonlySet<string>): boolean {
  for (const b of backends) if (usable(b, exclude)) return true;
  return false;
}

/** The first backend that may be picked, for when a table holds none. */
export function firstUsable<B extends Pickable>(backends: readonly B[], exclude: ReadonlySet<string>): B | undefined {
  for (const b of backends) if (usable(b, exclude)) return b;
  return undefined;
}
