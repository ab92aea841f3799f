/**
 * The stats slice: the latest snapshot and, per service, a bounded history
 * of chart rows. A tick is never split across `set()`s: the snapshot and
 * every service's derived series change together. Pushed snapshots arrive
 * through the live slice, which applies all those waiting in one set.
 */
import type { StateCreator } from 'zustand';
import type { StatsSnapshot } from '../../core/contract';
import type { AppState } from './store';
import { HISTORY_TICKS } from './ring';
import { appendTick, emptyHistory, type ServiceHistory } from './series';

export interface StatsSlice {
  latest: StatsSnapshot | null;
  /** By service name; a service missing from a tick loses its history. */
  histories: Record<string, ServiceHistory>;
  /** Tick number of `latest`, -1 before the first. */
  lastTick: number;
  historyTicks: number;

  ingestSnapshot(snapshot: StatsSnapshot): void;
  /** Replaces the history with the core's own (`stats:history`), in one set, after applying the live ticks still queued. */
  seedHistory(snapshots: readonly StatsSnapshot[]): void;
}

type StatsData = Pick<StatsSlice, 'latest' | 'histories' | 'lastTick'>;

const emptyStats: StatsData = { latest: null, histories: {}, lastTick: -1 };

/** The stats after one more snapshot. A repeated tick is ignored; an older one means the core restarted. */
export function applySnapshot(prev: StatsData, snap: StatsSnapshot, capacity: number): StatsData {
  if (snap.tick === prev.lastTick) return prev;
  const base = snap.tick < prev.lastTick ? emptyStats : prev;
  const histories: Record<string, ServiceHistory> = {};
  for (const svc of snap.services) {
    histories[svc.name] = appendTick(base.histories[svc.name] ?? emptyHistory, snap.tick, snap.at, snap.intervalMs, svc, capacity);
  }
  return { latest: snap, histories, lastTick: snap.tick };
}

export const createStatsSlice: StateCreator<AppState, [], [], StatsSlice> = (set, get) => ({
  ...emptyStats,
  historyTicks: HISTORY_TICKS,

  ingestSnapshot: (snapshot) => set((s) => applySnapshot(s, snapshot, s.historyTicks)),

  seedHistory: (snapshots) => {
    // Queued ticks came before the history's answer; applied first, they are kept only if newer.
    get().flushLive();
    set((s) => {
      let next: StatsData = emptyStats;
      for (const snap of snapshots.slice(-s.historyTicks)) next = applySnapshot(next, snap, s.historyTicks);
      // Live ticks that arrived while the history was on its way are newer; keep them.
      if (s.latest && s.lastTick > next.lastTick) next = applySnapshot(next, s.latest, s.historyTicks);
      return next;
    });
  },
});
