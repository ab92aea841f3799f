/**
 * Smooth weighted round robin, nginx's rule (ngx_http_upstream_get_peer): each
 * backend taking part in a round grows its current weight by its weight; the
 * largest (the first on a tie) wins and pays back the total of those that took
 * part. A backend sitting the round out (down, or already tried by this
 * request) keeps its current weight untouched, so a retry reruns the rotation
 * over the rest without taking anyone's turn: with [a, broken, c] each of a and
 * c serves half and broken is tried first a third of the time. Shared by
 * round-robin (every weight 1), weighted-round-robin and least-connections
 * (among the least loaded only).
 */
import type { Pickable } from '../model/backend';
import type { WeightRow } from './reason';

export class SmoothWeights {
  /** Current weights by backend id; a backend never seen starts at 0. */
  private readonly current = new Map<string, number>();

  /** A copy with the same current weights (a preview picks from it and consumes nothing). */
  clone(): SmoothWeights {
    const copy = new SmoothWeights();
    for (const [id, c] of this.current) copy.current.set(id, c);
    return copy;
  }

  /** Forgets every current weight: the sequence starts over. */
  reset(): void {
    this.current.clear();
  }

  /** Forgets backends that left the list; the others keep their place in the rotation. */
  prune(backends: readonly Pickable[]): void {
    const ids = new Set(backends.map((b) => b.id));
    for (const id of this.current.keys()) if (!ids.has(id)) this.current.delete(id);
  }

  /**
   * One round over the backends `takesPart` admits; undefined when none does.
   * With `table` (a sampled pick) each backend's row, before and after, is
   * appended to it.
   */
  next<B extends Pickable>(backends: readonly B[], takesPart: (b: B) => boolean, weightOf: (b: B) => number, table?: WeightRow[]): B | undefined {
    if (table) return this.traced(backends, takesPart, weightOf, table);
    let best: B | undefined;
    let bestCurrent = -Infinity;
    let total = 0;
    for (const b of backends) {
      if (!takesPart(b)) continue;
      const w = weightOf(b);
      const c = (this.current.get(b.id) ?? 0) + w;
      this.current.set(b.id, c);
      total += w;
      if (c > bestCurrent) {
        best = b;
        bestCurrent = c;
      }
    }
    if (best) this.current.set(best.id, bestCurrent - total);
    return best;
  }

  /** `next` recording every row: the same round, kept apart so the untraced one stays lean. */
  private traced<B extends Pickable>(backends: readonly B[], takesPart: (b: B) => boolean, weightOf: (b: B) => number, table: WeightRow[]): B | undefined {
    const first = table.length;
    for (const b of backends) {
      const before = this.current.get(b.id) ?? 0;
      table.push({ backend: b.id, weight: weightOf(b), before, after: before, inRound: takesPart(b) });
    }
    const best = this.next(backends, takesPart, weightOf);
    for (let i = first; i < table.length; i++) {
      const row = table[i]!;
      if (row.inRound) row.after = this.current.get(row.backend) ?? 0;
    }
    return best;
  }
}
