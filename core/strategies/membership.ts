/**
 * The backend list a precomputing strategy (ring-hash, maglev) was last
 * refreshed with, and how a pick's list relates to it. The pool normally
 * passes that very array (the fast path: no work); on a retry it passes a
 * subset without the backends already tried, and then a pick may return only
 * members of the subset.
 */
import type { Pickable } from '../model/backend';

/** A pick's backends hold one the strategy was never refreshed with. */
export const STALE = Symbol('stale');

export class Membership {
  private list: readonly Pickable[] = [];
  private length = -1;
  private index = new Map<string, number>();

  get backends(): readonly Pickable[] {
    return this.list;
  }

  /** True once a list was recorded (an empty one counts). */
  get ready(): boolean {
    return this.length >= 0;
  }

  set(backends: readonly Pickable[]): void {
    this.list = backends;
    this.length = backends.length;
    this.index = new Map(backends.map((b, i) => [b.id, i]));
  }

  /**
   * null: `backends` is the refreshed list itself, so refreshed index i may be
   * returned as is. An array: the passed backends by refreshed index (holes
   * where a backend is not allowed). STALE: refresh with `backends` first.
   */
  match<B extends Pickable>(backends: readonly B[]): (B | undefined)[] | null | typeof STALE {
    if (!this.ready) return STALE;
    if (backends === this.list && backends.length === this.length) return null;
    const allowed = new Array<B | undefined>(this.length);
    for (const b of backends) {
      const i = this.index.get(b.id);
      if (i === undefined) return STALE;
      allowed[i] = b;
    }
    return allowed;
  }

  /** match(), after calling `refresh` first when the list is stale (so never STALE). */
  matchFresh<B extends Pickable>(backends: readonly B[], refresh: (backends: readonly B[]) => void): (B | undefined)[] | null {
    const allowed = this.match(backends);
    if (allowed !== STALE) return allowed;
    refresh(backends);
    return null;
  }
}

/** Whether any of `backends` takes traffic; lets a table walk stop early when none does. */
export function anyAvailable(backends: readonly Pickable[]): boolean {
  for (const b of backends) if (b.available()) return true;
  return false;
}

/** The first available backend, for when a table holds no available one. */
export function firstAvailable<B extends Pickable>(backends: readonly B[]): B | undefined {
  for (const b of backends) if (b.available()) return b;
  return undefined;
}
