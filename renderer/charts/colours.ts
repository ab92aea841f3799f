/**
 * Backend colours that belong to the backend, not to its place in a list:
 * removing one backend must not recolour the others (nor their history in
 * the charts), and a reloaded page must draw each backend as before.
 *
 * A backend (by service and name: names are unique in a service and survive
 * a restart of the core, ids do not) first gets the palette colour its name
 * hashes to, or the next one not in use by the backends drawn with it (demo
 * backends bring their own colours, which others avoid). The choice is kept
 * in localStorage, so it holds across removals and reloads; a kept colour is
 * given up only when it would clash with a colour fixed since.
 */
import { SERIES_COLORS } from './palette';

export const COLOURS_STORAGE_KEY = 'lbw.backendColours';
/** Kept choices per service before those of backends not drawn now are dropped. */
const KEPT_PER_SERVICE = 64;

type Kept = Record<string, Record<string, number>>;

/** The part of Storage used here; tests pass their own. */
export interface ColourStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function defaultStorage(): ColourStorage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled for this page
  }
}

function read(storage: ColourStorage | undefined): Kept {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(COLOURS_STORAGE_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Kept) : {};
  } catch {
    return {};
  }
}

function write(storage: ColourStorage | undefined, kept: Kept): void {
  try {
    storage?.setItem(COLOURS_STORAGE_KEY, JSON.stringify(kept));
  } catch {
    // Not kept: colours still hold for as long as this page lives (same hash, same probing).
  }
}

/** FNV-1a over the name: a stable palette slot to start from. */
function hashSlot(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SERIES_COLORS.length;
}

/**
 * Colours for the backends `names` of `service`, in the same order.
 * `fixed[i]`, when set, is backend i's own colour (a demo backend's) and is used as it is.
 */
export function backendColours(
  service: string,
  names: readonly string[],
  fixed: readonly (string | undefined)[] = [],
  storage: ColourStorage | undefined = defaultStorage(),
): string[] {
  const all = read(storage);
  const kept: Record<string, number> = { ...(all[service] ?? {}) };
  const out: (string | undefined)[] = names.map((_, i) => fixed[i]);
  const used = new Set(out.filter((c): c is string => c !== undefined).map((c) => c.toLowerCase()));
  const take = (i: number, slot: number) => {
    out[i] = SERIES_COLORS[slot];
    used.add(SERIES_COLORS[slot]!.toLowerCase());
    kept[names[i]!] = slot;
  };

  // Kept choices first, so a newcomer probes around them and never takes one.
  names.forEach((name, i) => {
    const slot = kept[name];
    if (out[i] !== undefined || typeof slot !== 'number' || !SERIES_COLORS[slot]) return;
    if (!used.has(SERIES_COLORS[slot].toLowerCase())) take(i, slot);
  });
  names.forEach((name, i) => {
    if (out[i] !== undefined) return;
    const start = hashSlot(name);
    let slot = start;
    for (let step = 0; step < SERIES_COLORS.length; step++) {
      const candidate = (start + step) % SERIES_COLORS.length;
      if (!used.has(SERIES_COLORS[candidate]!.toLowerCase())) {
        slot = candidate;
        break;
      }
    }
    take(i, slot); // more backends than colours: the hashed one, shared
  });

  if (Object.keys(kept).length > KEPT_PER_SERVICE) {
    const drawn = new Set(names);
    for (const name of Object.keys(kept)) if (!drawn.has(name)) delete kept[name];
  }
  const before = all[service] ?? {};
  const changed = Object.keys(kept).length !== Object.keys(before).length || Object.entries(kept).some(([n, s]) => before[n] !== s);
  if (changed) write(storage, { ...all, [service]: kept });
  return out as string[];
}
