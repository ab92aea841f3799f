/**
 * The key space of the hashing strategies, seen from outside: who owns which
 * part of the ring or the Maglev table, and how many keys move when the
 * membership or the weights change. Built with the strategies' own
 * `buildRing`/`buildTable` and lookups, which depend on nothing but the
 * backends' names and weights, so it is the very mapping the picks use
 * (each key's home owner, before any walk past a backend that is down).
 */
import type { Pickable } from '../model/backend';
import { murmur3 } from '../strategies/hash';
import { buildTable, DEFAULT_TABLE_SIZE } from '../strategies/maglev';
import { buildRing, firstAtOrAfter } from '../strategies/ring-hash';
import type { KeySpaceView } from './types';

/** Keys hashed before and after a change: key-0 … key-9999. */
export const MOVE_SAMPLE_KEYS = 10_000;
/** Places drawn around a ring or along a table. */
export const KEYSPACE_CELLS = 720;
const RING = 2 ** 32;

export type Member = Pickable & { readonly name: string };

/** The owner (index into `backends`) of each key, by `strategy`; undefined for strategies that do not hash. */
export interface KeyMap {
  kind: 'ring' | 'table';
  size: number;
  ownerOf(hash: number): number;
  /** Share of the key space per backend index. */
  shares(): number[];
}

export function isHashing(strategy: string): boolean {
  return strategy === 'ring-hash' || strategy === 'maglev';
}

export function keyMap(strategy: string, options: unknown, backends: readonly Pickable[]): KeyMap | undefined {
  if (strategy === 'ring-hash') {
    const { hashes, owners } = buildRing(backends);
    return {
      kind: 'ring',
      size: hashes.length,
      ownerOf: (h) => (hashes.length === 0 ? -1 : owners[firstAtOrAfter(hashes, h)]!),
      shares: () => {
        // Point i owns the arc from the point before it (exclusive) up to itself; the first one wraps past 2^32.
        const out = new Array<number>(backends.length).fill(0);
        for (let i = 0; i < hashes.length; i++) {
          const from = i === 0 ? hashes[hashes.length - 1]! - RING : hashes[i - 1]!;
          out[owners[i]!]! += (hashes[i]! - from) / RING;
        }
        return out;
      },
    };
  }
  if (strategy === 'maglev') {
    const size = tableSizeOf(options);
    const table = buildTable(backends, size);
    return {
      kind: 'table',
      size,
      ownerOf: (h) => table[h % size]!,
      shares: () => {
        const out = new Array<number>(backends.length).fill(0);
        for (const owner of table) if (owner >= 0) out[owner]! += 1 / size;
        return out;
      },
    };
  }
  return undefined;
}

function tableSizeOf(options: unknown): number {
  const size = (options as { tableSize?: unknown } | undefined)?.tableSize;
  return typeof size === 'number' ? size : DEFAULT_TABLE_SIZE;
}

/** The key space drawn: shares per backend and owners at KEYSPACE_CELLS evenly spaced places. */
export function keySpace(service: string, strategy: string, options: unknown, backends: readonly Member[]): Omit<KeySpaceView, 'lastMove'> {
  const map = keyMap(strategy, options, backends);
  if (!map) return { service, strategy, applicable: false, kind: null, size: 0, backends: [], cells: [] };
  const shares = map.shares();
  const cells: number[] = [];
  for (let k = 0; k < KEYSPACE_CELLS; k++) {
    // The place in the middle of cell k: a ring position, or a table slot.
    const place = map.kind === 'ring' ? Math.floor(((k + 0.5) / KEYSPACE_CELLS) * RING) : Math.floor(((k + 0.5) / KEYSPACE_CELLS) * map.size);
    cells.push(map.ownerOf(place));
  }
  return {
    service,
    strategy,
    applicable: true,
    kind: map.kind,
    size: map.size,
    backends: backends.map((b, i) => ({ backend: b.name, weight: b.weight, share: shares[i] ?? 0, available: b.available() })),
    cells,
  };
}

/**
 * Hashes MOVE_SAMPLE_KEYS keys under the old and the new membership and
 * returns the share whose owner (by name) changed, with the ideal: half the
 * sum of each backend's change in weight share. Undefined for strategies
 * that do not hash, or when either side is empty.
 */
export function measureMove(strategy: string, options: unknown, before: readonly Member[], after: readonly Member[]): { moved: number; ideal: number } | undefined {
  if (before.length === 0 || after.length === 0) return undefined;
  const was = keyMap(strategy, options, before);
  const now = keyMap(strategy, options, after);
  if (!was || !now) return undefined;
  let moved = 0;
  for (let i = 0; i < MOVE_SAMPLE_KEYS; i++) {
    const h = murmur3(`key-${i}`);
    if (before[was.ownerOf(h)]?.name !== after[now.ownerOf(h)]?.name) moved++;
  }
  return { moved: moved / MOVE_SAMPLE_KEYS, ideal: idealMove(before, after) };
}

/** The least share of keys any mapping must move: the total variation between the weight shares. */
export function idealMove(before: readonly Member[], after: readonly Member[]): number {
  const shares = (list: readonly Member[]) => {
    const total = list.reduce((s, b) => s + Math.max(0, b.weight), 0) || 1;
    const m = new Map<string, number>();
    for (const b of list) m.set(b.name, (m.get(b.name) ?? 0) + Math.max(0, b.weight) / total);
    return m;
  };
  const a = shares(before);
  const b = shares(after);
  let sum = 0;
  for (const name of new Set([...a.keys(), ...b.keys()])) sum += Math.abs((a.get(name) ?? 0) - (b.get(name) ?? 0));
  return sum / 2;
}

/** Frozen copies (name and weight) of live backends, whose weights an update changes in place. */
export function snapshotMembers(backends: readonly Member[]): Member[] {
  return backends.map((b) => {
    const { id, name, weight } = b;
    return { id, name, hashKey: b.hashKey ?? name, weight, inFlight: 0, available: () => true, latencyEstimate: () => 0, recentFailures: () => 0 };
  });
}

/** What a membership is, for telling whether a change touched it: names, weights, and backup flags. */
export function membershipKey(backends: ReadonlyArray<Member & { readonly backup: boolean }>): string {
  return backends.map((b) => `${b.name}\u0000${b.weight}\u0000${b.backup ? 1 : 0}`).join('\u0001');
}
