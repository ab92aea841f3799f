/**
 * The strategy lab's live slice: what the core's per-tick 'lab' push brings
 * (sampled decisions and access records per service, each a bounded batch),
 * and the last key-space move per service. One set() per push. The access
 * log can be paused: while it is, new records are only counted, so the rows
 * on screen hold still to be read.
 */
import type { StateCreator } from 'zustand';
import type { AccessRecord, Decision, KeyMove, LabBatch } from '../../core/contract';
import type { AppState } from './store';

/** Decisions kept per service (as the core keeps). */
export const DECISION_ROWS = 200;
/** Access records kept per service. */
export const ACCESS_ROWS = 1000;

export interface DecisionsSlice {
  /** Per service, oldest first. */
  decisions: Record<string, Decision[]>;
  /** Per service, oldest first. */
  access: Record<string, AccessRecord[]>;
  /** Per service: requests that were not sampled into the access batches (over the core's per-tick sample). */
  unsampled: Record<string, number>;
  accessPaused: boolean;
  /** Records that arrived while paused (dropped, counted). */
  missedWhilePaused: number;
  keyMoves: Record<string, KeyMove>;
  applyLabBatch(batch: LabBatch): void;
  /** Decisions read with `strategy:decisions` (a view opened late): replaces what is kept for the service. */
  setDecisions(service: string, list: Decision[]): void;
  setAccessPaused(paused: boolean): void;
  clearAccess(service: string): void;
  setKeyMove(move: KeyMove): void;
}

function appendBounded<T>(list: readonly T[] | undefined, more: readonly T[], cap: number): T[] {
  const out = list ? [...list, ...more] : [...more];
  return out.length > cap ? out.slice(out.length - cap) : out;
}

export const createDecisionsSlice: StateCreator<AppState, [], [], DecisionsSlice> = (set, get) => ({
  decisions: {},
  access: {},
  unsampled: {},
  accessPaused: false,
  missedWhilePaused: 0,
  keyMoves: {},
  applyLabBatch: (batch) => {
    const s = get();
    const decisions = { ...s.decisions };
    const access = { ...s.access };
    const unsampled = { ...s.unsampled };
    let missed = s.missedWhilePaused;
    for (const b of batch.services) {
      if (b.decisions.length > 0) decisions[b.service] = appendBounded(decisions[b.service], b.decisions, DECISION_ROWS);
      if (s.accessPaused) missed += b.access.length;
      else if (b.access.length > 0) access[b.service] = appendBounded(access[b.service], b.access, ACCESS_ROWS);
      unsampled[b.service] = (unsampled[b.service] ?? 0) + b.unsampled;
    }
    set({ decisions, access, unsampled, missedWhilePaused: missed });
  },
  setDecisions: (service, list) => set((s) => ({ decisions: { ...s.decisions, [service]: list.slice(-DECISION_ROWS) } })),
  setAccessPaused: (paused) => set({ accessPaused: paused, ...(paused ? {} : { missedWhilePaused: 0 }) }),
  clearAccess: (service) => set((s) => ({ access: { ...s.access, [service]: [] }, unsampled: { ...s.unsampled, [service]: 0 } })),
  setKeyMove: (move) => set((s) => ({ keyMoves: { ...s.keyMoves, [move.service]: move } })),
});
