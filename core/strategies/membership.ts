/**
 * The backend list a precomputing strategy (ring-hash, maglev) was last
 * refreshed with, so a pick can tell whether its ring or table (indices into
 * that list) fits the list it is given. The pool always passes that very array
 * (the fast path: no work); another array holding the same ids in the same
 * order fits as well, and anything else is built for first.
 */
import type { Pickable } from '../model/backend';

export class Membership {
  private list: readonly Pickable[] | undefined;
  private length = -1;

  /** Records the list a ring or table was just built for. */
  set(backends: readonly Pickable[]): void {
    this.list = backends;
    this.length = backends.length;
  }

  /** Makes sure the ring or table fits `backends`, calling `refresh` with them when it does not. */
  ensure<B extends Pickable>(backends: readonly B[], refresh: (backends: readonly B[]) => void): void {
    if (backends === this.list && backends.length === this.length) return;
    if (this.list && sameIds(this.list, backends)) this.set(backends);
    else refresh(backends);
  }
}

function sameIds(a: readonly Pickable[], b: readonly Pickable[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id) return false;
  return true;
}
