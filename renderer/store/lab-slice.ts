/**
 * The lab slice: the failover lab's state as the core last reported it:
 * demo backends (`demo:list`), saved drills (`drills:list`), the running or
 * last drill as its events tell it, and the last drill report.
 */
import type { StateCreator } from 'zustand';
import type { DemoView, DrillReport, DrillSpec, DrillStatus, WorkbenchEvent } from '../../core/contract';
import type { DrillResult, DrillVerdict } from '../../core/drills/report';
import type { AppState } from './store';
import { DRILL_STEPS_KEPT, pushBounded } from './ring';

export type DrillEvent = Extract<WorkbenchEvent, { type: 'drill:started' | 'drill:step' | 'drill:done' }>;
export type DrillStepEvent = Extract<WorkbenchEvent, { type: 'drill:step' }>;

/** The running drill, or the last one while its report is on its way. */
export interface DrillRunView {
  drill: string;
  service: string;
  /** Wall-clock ms of 'drill:started' (or the status's startedAt). */
  startedAt: number;
  durationMs: number;
  /** Steps applied so far, oldest first. */
  steps: DrillStepEvent[];
  stepsDone: number;
  /** Set by 'drill:done'. */
  result: DrillResult | null;
  verdict: DrillVerdict | null;
}

export interface LabSlice {
  demos: DemoView[];
  drills: DrillSpec[];
  drillRun: DrillRunView | null;
  drillReport: DrillReport | null;

  setDemos(demos: DemoView[]): void;
  setDrills(drills: DrillSpec[]): void;
  upsertDrill(drill: DrillSpec): void;
  removeDrill(name: string): void;
  applyDrillEvent(event: DrillEvent): void;
  /** Seeds the run from `drills:status` (a drill already running when this window connected). */
  setDrillStatus(status: DrillStatus): void;
  setDrillReport(report: DrillReport | null): void;
}

export const createLabSlice: StateCreator<AppState, [], [], LabSlice> = (set) => ({
  demos: [],
  drills: [],
  drillRun: null,
  drillReport: null,

  setDemos: (demos) => set({ demos }),
  setDrills: (drills) => set({ drills }),
  upsertDrill: (drill) =>
    set((s) => {
      const i = s.drills.findIndex((d) => d.name === drill.name);
      return { drills: i < 0 ? [...s.drills, drill] : s.drills.map((d, j) => (j === i ? drill : d)) };
    }),
  removeDrill: (name) => set((s) => ({ drills: s.drills.filter((d) => d.name !== name) })),

  applyDrillEvent: (e) =>
    set((s) => {
      if (e.type === 'drill:started') {
        return {
          drillRun: { drill: e.drill, service: e.service, startedAt: e.at, durationMs: e.durationMs, steps: [], stepsDone: 0, result: null, verdict: null },
        };
      }
      const run = s.drillRun;
      if (!run || run.drill !== e.drill) return {};
      if (e.type === 'drill:step') {
        return { drillRun: { ...run, steps: pushBounded(run.steps, e, DRILL_STEPS_KEPT), stepsDone: Math.max(run.stepsDone, e.index + 1) } };
      }
      return { drillRun: { ...run, result: e.result, verdict: e.verdict } };
    }),

  setDrillStatus: (status) =>
    set((s) => {
      if (status.state === 'idle' || status.drill === null) {
        // A run this window saw start but not end (it missed 'drill:done' while disconnected) is over.
        return s.drillRun && s.drillRun.result === null ? { drillRun: null } : {};
      }
      if (s.drillRun?.drill === status.drill && s.drillRun.result === null) return { drillRun: { ...s.drillRun, stepsDone: Math.max(s.drillRun.stepsDone, status.stepsDone) } };
      const spec = s.drills.find((d) => d.name === status.drill);
      return {
        drillRun: {
          drill: status.drill,
          service: spec?.service ?? '',
          startedAt: status.startedAt ?? Date.now(),
          durationMs: status.durationMs ?? spec?.durationMs ?? 0,
          steps: [],
          stepsDone: status.stepsDone,
          result: null,
          verdict: null,
        },
      };
    }),

  setDrillReport: (drillReport) => set({ drillReport }),
});
