/**
 * The load slice: the load generator's one run as the core reports it. A
 * 'load' push (about every 500 ms) is exactly one `set()`: the latest
 * progress and one more chart row in a bounded ring. 'load:started' and
 * 'load:done' events start and end a run; `load:status` seeds it on connect.
 */
import type { StateCreator } from 'zustand';
import type { LoadProgress, LoadStatus, LoadSummary, WorkbenchEvent } from '../../core/contract';
import type { AppState } from './store';
import { LOAD_ROWS, pushBounded } from './ring';

/** One point of the load chart, per progress message. */
export interface LoadRow {
  /** Seconds since the run started: the chart's x axis. */
  t: number;
  /** Requests sent per second over the last interval. */
  rate: number;
  /** What the open loop's schedule asks for now; null for a closed loop. */
  target: number | null;
  /** Client-side latency over the last interval, ms; null when nothing was answered. */
  p50: number | null;
  p99: number | null;
}

export interface LoadRun {
  state: 'idle' | 'running' | 'stopping';
  service: string | null;
  target: string | null;
  /** The drill that runs it, or null for a user's run. */
  drill: string | null;
  /** How long it was asked to run, when a status told us. */
  durationMs: number | null;
}

export interface LoadSlice {
  loadRun: LoadRun;
  loadProgress: LoadProgress | null;
  /** At most LOAD_ROWS, oldest first, for the current (or last) run. */
  loadRows: LoadRow[];
  /** The summary of the last finished run, and whose it was. */
  loadSummary: { summary: LoadSummary; service: string | null; drill: string | null } | null;
  /**
   * Counts 'load:started' and 'load:done' events. A command's answer about
   * the run is stale when an event came in while it was on its way (IPC does
   * not order replies and pushes), so actions compare this before applying it.
   */
  loadEventSeq: number;

  ingestLoadProgress(progress: LoadProgress): void;
  /** Applies 'load:started' or 'load:done'. */
  applyLoadEvent(event: Extract<WorkbenchEvent, { type: 'load:started' | 'load:done' }>): void;
  /**
   * Replaces the run with what `load:status` (or `load:start` / `load:stop`)
   * answered. A stale answer (an event overtook it) only fills in the run's
   * duration, which no event carries.
   */
  setLoadStatus(status: LoadStatus, stale?: boolean): void;
}

const idle: LoadRun = { state: 'idle', service: null, target: null, drill: null, durationMs: null };

export function loadRow(p: LoadProgress): LoadRow {
  const answered = p.latency.count > 0;
  return {
    t: Math.round(p.elapsedMs / 100) / 10,
    rate: Math.round(p.rate.interval * 10) / 10,
    target: p.targetRate ?? null,
    p50: answered ? p.latency.p50 : null,
    p99: answered ? p.latency.p99 : null,
  };
}

type LoadData = Pick<LoadSlice, 'loadRun' | 'loadProgress' | 'loadRows'>;

/** The load data after one more progress message. Time going back means a new run whose start we missed. */
export function applyProgress(prev: LoadData, progress: LoadProgress, capacity: number): LoadData {
  const newRun = prev.loadProgress !== null && progress.elapsedMs < prev.loadProgress.elapsedMs;
  const rows = newRun ? [] : prev.loadRows;
  const loadRun = prev.loadRun.state === 'idle' ? { ...prev.loadRun, state: 'running' as const } : prev.loadRun;
  return { loadRun, loadProgress: progress, loadRows: pushBounded(rows, loadRow(progress), capacity) };
}

export const createLoadSlice: StateCreator<AppState, [], [], LoadSlice> = (set) => ({
  loadRun: idle,
  loadProgress: null,
  loadRows: [],
  loadSummary: null,
  loadEventSeq: 0,

  ingestLoadProgress: (progress) => set((s) => applyProgress(s, progress, LOAD_ROWS)),

  applyLoadEvent: (e) =>
    set((s) => {
      const loadEventSeq = s.loadEventSeq + 1;
      if (e.type === 'load:started') {
        const loadRun: LoadRun = { state: 'running', service: e.service, target: e.target, drill: e.drill, durationMs: null };
        return { loadEventSeq, loadRun, loadProgress: null, loadRows: [] };
      }
      return { loadEventSeq, loadRun: idle, loadSummary: { summary: e.summary, service: e.service, drill: e.drill } };
    }),

  setLoadStatus: (status, stale = false) =>
    set((s) => {
      const durationMs = status.spec?.durationMs ?? null;
      if (stale) {
        const same = status.state !== 'idle' && s.loadRun.state !== 'idle' && s.loadRun.target === status.target;
        return same && s.loadRun.durationMs === null ? { loadRun: { ...s.loadRun, durationMs } } : {};
      }
      const loadRun: LoadRun =
        status.state === 'idle'
          ? idle
          : {
              state: status.state,
              service: status.service,
              target: status.target,
              drill: status.owner?.kind === 'drill' ? status.owner.drill : null,
              durationMs,
            };
      // The events name the last run's service; the status alone does not.
      const loadSummary = s.loadSummary ?? (status.last ? { summary: status.last, service: null, drill: null } : null);
      // A run already under way when this window connected: start its chart at the latest progress.
      if (status.state !== 'idle' && status.progress && s.loadProgress === null) {
        return { loadRun, loadSummary, loadProgress: status.progress, loadRows: [loadRow(status.progress)] };
      }
      return { loadRun, loadSummary };
    }),
});
