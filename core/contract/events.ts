/**
 * Events the core publishes. They are sent on one channel together with the
 * per-tick stats snapshot; only transitions and changes become events, never
 * individual requests.
 */
import type { HealthState } from '../model/backend';
import type { ErrorData } from '../model/errors';
import type { StatsSnapshot } from '../stats/types';

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
  | { type: 'config:changed'; at: number; cause: string }
  | { type: 'service:listening'; at: number; service: string; address: string }
  | { type: 'service:stopped'; at: number; service: string }
  | { type: 'service:error'; at: number; service: string; error: ErrorData };

export type EventType = WorkbenchEvent['type'];

/** Everything pushed from the core to a UI, on a single channel. */
export type Push = { channel: 'event'; event: WorkbenchEvent } | { channel: 'stats'; snapshot: StatsSnapshot };
