/**
 * Events the core publishes. They are sent on one channel together with the
 * per-tick stats snapshot; only transitions and changes become events, never
 * individual requests.
 */
import type { HealthState } from '../model/backend';
import type { ErrorData } from '../model/errors';
import type { StatsSnapshot } from '../stats/types';
import type { Fault } from '../faults/spec';
import type { LoadProgress, LoadSummary } from '../demo/load/types';
import type { DrillReport, DrillResult, DrillVerdict } from '../drills/report';
import type { DrillAction } from '../drills/spec';
import type { ServiceView } from './commands';
import type { KeyMove, LabBatch } from '../lab/types';

interface BackendEventBase {
  at: number;
  service: string;
  backend: string;
  backendId: string;
}

export type WorkbenchEvent =
  | ({ type: 'health:changed'; from: HealthState; to: HealthState; cause: string } & BackendEventBase)
  | ({ type: 'backend:ejected'; cause: string; durationMs: number } & BackendEventBase)
  | ({ type: 'backend:returned'; cause: string } & BackendEventBase)
  /**
   * The workspace changed: what the user did (`cause`), what changed in words
   * (`changes`: `b weight 1 → 3`, `backend bravo added`; the Workbench always
   * sets it) and the one service it concerns, if one. `services` is every
   * service as `services:list` would answer now: the UIs' one source for them
   * (left out of `events:history`).
   */
  | { type: 'config:changed'; at: number; cause: string; service?: string; changes?: string[]; services?: ServiceView[] }
  /** A change was refused (invalid, a port in use, a CA file missing): nothing changed, everything kept running. */
  | { type: 'config:rejected'; at: number; cause: string; error: ErrorData }
  | { type: 'service:listening'; at: number; service: string; address: string }
  | { type: 'service:stopped'; at: number; service: string }
  | { type: 'service:error'; at: number; service: string; error: ErrorData }
  /** A backend's injected faults changed (set, toggled, cleared); `labels` are the ones that apply now. */
  | ({ type: 'faults:changed'; faults: Fault[]; labels: string[] } & BackendEventBase)
  | { type: 'demo:changed'; at: number; name: string; change: 'added' | 'removed' | 'stopped' | 'started' }
  | { type: 'load:started'; at: number; service: string | null; target: string; drill: string | null }
  | { type: 'load:done'; at: number; service: string | null; drill: string | null; summary: LoadSummary }
  | { type: 'drill:started'; at: number; drill: string; service: string; durationMs: number }
  | {
      type: 'drill:step';
      at: number;
      drill: string;
      index: number;
      atMs: number;
      action: DrillAction;
      service: string;
      backend: string | null;
      label: string;
      error?: ErrorData;
    }
  /** The drill ended; `report` is the full report (also `drills:report`), left out of `events:history`. */
  | { type: 'drill:done'; at: number; drill: string; result: DrillResult; verdict: DrillVerdict; report?: DrillReport }
  /** A hashing service's membership or weights changed: the share of sampled keys that moved, and the ideal. */
  | { type: 'keyspace:moved'; at: number; service: string; move: KeyMove };

export type EventType = WorkbenchEvent['type'];

/** Everything pushed from the core to a UI, on a single channel. `load` carries the load run's progress, about every 500 ms. */
export type Push =
  | { channel: 'event'; event: WorkbenchEvent }
  | { channel: 'stats'; snapshot: StatsSnapshot }
  | { channel: 'load'; progress: LoadProgress }
  /** The strategy lab's sample of the tick: a bounded number of decisions and access records per service, never one push per request. */
  | { channel: 'lab'; batch: LabBatch };
