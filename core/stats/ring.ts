/**
 * A bounded ring buffer: keeps the newest `capacity` items and drops the
 * oldest. Each item also has an absolute index (0 for the first ever pushed),
 * so a reader can ask for "everything since index n" and get only what is
 * still kept.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  /** Where the next push goes. */
  private head = 0;
  private size = 0;
  private pushed = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring capacity must be a whole number >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Items kept now (at most `capacity`). */
  get length(): number {
    return this.size;
  }

  /** Items ever pushed; the next push gets this absolute index. */
  get total(): number {
    return this.pushed;
  }

  push(item: T): void {
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
    this.pushed += 1;
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.head - 1 + this.capacity) % this.capacity];
  }

  /** All kept items, oldest to newest. */
  toArray(): T[] {
    return this.tail(this.size);
  }

  /**
   * The newest items, oldest to newest:
   * - with a number, those whose absolute index is >= it (all kept ones when it is older);
   * - with a predicate, the newest run for which it holds: the scan goes back
   *   from the newest item and stops at the first that fails. For a key that
   *   only grows (a tick number) this is the same as filtering, but touches
   *   only the items returned.
   */
  since(from: number | ((item: T) => boolean)): T[] {
    if (typeof from === 'number') {
      const wanted = this.pushed - Math.max(0, Math.ceil(from));
      return this.tail(Math.max(0, Math.min(this.size, wanted)));
    }
    let n = 0;
    while (n < this.size && from(this.at(this.size - 1 - n))) n += 1;
    return this.tail(n);
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
  }

  /** The item at position i among those kept (0 = oldest). */
  private at(i: number): T {
    return this.items[(this.head - this.size + i + this.capacity) % this.capacity] as T;
  }

  /** The newest n kept items, oldest to newest. */
  private tail(n: number): T[] {
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.at(this.size - n + i);
    return out;
  }
}
