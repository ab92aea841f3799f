/**
 * The UI slice: what this window shows and remembers that the core does not
 * own: selection, theme, the event log, connection state, the undo offer
 * for a removed backend, the unsaved-changes flag and the notice of the
 * last change the core refused.
 */
import type { StateCreator } from 'zustand';
import type { BackendView, ErrorData, WorkbenchEvent } from '../../core/contract';
import type { AppState } from './store';
import { EVENT_LOG_ROWS, unshiftBounded } from './ring';
import { mergeHistory } from './event-history';

export type Theme = 'system' | 'light' | 'dark';
/** The views under a service's header. */
export type ServiceTab = 'traffic' | 'decisions' | 'load' | 'drills' | 'compare';

export interface LogRow {
  /** Unique per window, for React keys. */
  seq: number;
  event: WorkbenchEvent;
}

/** A change the core refused ('config:rejected'): shown until dismissed, so a user who looked away still sees why nothing changed. */
export type RejectedChange = Extract<WorkbenchEvent, { type: 'config:rejected' }>;

/** A backend just removed, offered back by the Undo toast. */
export interface PendingUndo {
  service: string;
  backend: BackendView;
}

export interface UiSlice {
  selectedService: string | null;
  serviceTab: ServiceTab;
  theme: Theme;
  /** Newest first, at most EVENT_LOG_ROWS. */
  events: LogRow[];
  eventSeq: number;
  connected: boolean;
  /** Tells "connecting" (never connected yet) from "reconnecting". */
  everConnected: boolean;
  pendingUndo: PendingUndo | null;
  /** Changed since the workspace was last opened or saved from this window. */
  dirty: boolean;
  workspacePath: string;
  /** The last open/save failure, with its issue lines. */
  workspaceError: ErrorData | null;
  /** The last refused change, until dismissed (a newer one replaces it). */
  rejectedChange: RejectedChange | null;

  selectService(name: string | null): void;
  setServiceTab(tab: ServiceTab): void;
  setTheme(theme: Theme): void;
  setConnected(connected: boolean): void;
  logEvent(event: WorkbenchEvent): void;
  /** The core's history (`events:history`, oldest first) merged into the log: see ./event-history. */
  seedEvents(history: WorkbenchEvent[]): void;
  setPendingUndo(undo: PendingUndo | null): void;
  setDirty(dirty: boolean): void;
  setWorkspacePath(path: string): void;
  setWorkspaceError(error: ErrorData | null): void;
  setRejectedChange(event: RejectedChange | null): void;
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  selectedService: null,
  serviceTab: 'traffic',
  theme: 'system',
  events: [],
  eventSeq: 0,
  connected: false,
  everConnected: false,
  pendingUndo: null,
  dirty: false,
  workspacePath: '',
  workspaceError: null,
  rejectedChange: null,

  selectService: (selectedService) => set({ selectedService }),
  setServiceTab: (serviceTab) => set({ serviceTab }),
  setTheme: (theme) => set({ theme }),
  setConnected: (connected) =>
    set((s) => (connected ? { connected, everConnected: true } : { connected, loaded: false, everConnected: s.everConnected })),
  logEvent: (event) =>
    set((s) => {
      const seq = s.eventSeq + 1;
      return { eventSeq: seq, events: unshiftBounded(s.events, { seq, event }, EVENT_LOG_ROWS) };
    }),
  seedEvents: (history) => set((s) => mergeHistory(s.events, history, s.eventSeq)),
  setPendingUndo: (pendingUndo) => set({ pendingUndo }),
  setDirty: (dirty) => set({ dirty }),
  setWorkspacePath: (workspacePath) => set({ workspacePath }),
  setWorkspaceError: (workspaceError) => set({ workspaceError }),
  setRejectedChange: (rejectedChange) => set({ rejectedChange }),
});
