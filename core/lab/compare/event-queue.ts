/**
 * The simulation's agenda: a binary min-heap of timed callbacks on a virtual
 * clock. Ties run in the order they were scheduled (a sequence number breaks
 * them), so a run is the same on every machine. A scheduled entry can be
 * cancelled; it is then skipped when its time comes.
 */

export interface Scheduled {
  readonly at: number;
  cancelled: boolean;
}

interface Entry extends Scheduled {
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;
  /** The virtual time, ms: the time of the entry being run. */
  now = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` at virtual time `at` (never before now). */
  at(at: number, run: () => void): Scheduled {
    const entry: Entry = { at: Math.max(at, this.now), seq: this.seq++, run, cancelled: false };
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
    return entry;
  }

  /** Runs entries in time order until none is left or the next is after `until`. */
  run(until: number): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (top.at > until) break;
      this.pop();
      if (top.cancelled) continue;
      this.now = top.at;
      top.run();
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l]!, h[m]!)) m = l;
      if (r < h.length && less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function less(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
