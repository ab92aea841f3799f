/**
 * The live slice: stats snapshots and load progress as pushes bring them,
 * queued outside the state and applied together by `flushLive`, in one
 * `set()`. The bridge wiring (./connect) flushes once per animation frame,
 * so a page that falls behind draws the latest ticks once instead of every
 * tick in turn; each tick still becomes exactly one row, in order.
 */
import type { StateCreator } from 'zustand';
import type { LoadProgress, StatsSnapshot } from '../../core/contract';
import { applyProgress } from './load-slice';
import { LOAD_ROWS } from './ring';
import { applySnapshot } from './stats-slice';
import type { AppState } from './store';

export interface LiveSlice {
  queueSnapshot(snapshot: StatsSnapshot): void;
  queueLoadProgress(progress: LoadProgress): void;
  /** True while something waits for `flushLive`. */
  livePending(): boolean;
  /** Applies every queued snapshot and progress message in one set(); no set when nothing waits or nothing changed. */
  flushLive(): void;
}

/** Keeps the newest `capacity` items: older ones would fall out of the ring anyway. */
function enqueue<T>(queue: T[], item: T, capacity: number): void {
  queue.push(item);
  if (queue.length > capacity) queue.splice(0, queue.length - capacity);
}

export const createLiveSlice: StateCreator<AppState, [], [], LiveSlice> = (set, get) => {
  let snapshots: StatsSnapshot[] = [];
  let progress: LoadProgress[] = [];
  return {
    queueSnapshot: (snapshot) => enqueue(snapshots, snapshot, get().historyTicks),
    queueLoadProgress: (p) => enqueue(progress, p, LOAD_ROWS),
    livePending: () => snapshots.length > 0 || progress.length > 0,

    flushLive: () => {
      if (snapshots.length === 0 && progress.length === 0) return;
      const [snaps, prog] = [snapshots, progress];
      snapshots = [];
      progress = [];
      const s = get();
      let stats: Pick<AppState, 'latest' | 'histories' | 'lastTick'> = s;
      for (const snap of snaps) stats = applySnapshot(stats, snap, s.historyTicks);
      let load: Pick<AppState, 'loadRun' | 'loadProgress' | 'loadRows'> = s;
      for (const p of prog) load = applyProgress(load, p, LOAD_ROWS);
      if (stats === s && load === s) return;
      set({
        ...(stats !== s && { latest: stats.latest, histories: stats.histories, lastTick: stats.lastTick }),
        ...(load !== s && { loadRun: load.loadRun, loadProgress: load.loadProgress, loadRows: load.loadRows }),
      });
    },
  };
};
