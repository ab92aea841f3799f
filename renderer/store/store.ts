/**
 * The renderer's store: seven slices (workspace, stats, load, live, lab, decisions, ui) combined into one
 * zustand store. A store is created per app (and per test), never a module
 * singleton, so tests start clean.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createDecisionsSlice, type DecisionsSlice } from './decisions-slice';
import { createLabSlice, type LabSlice } from './lab-slice';
import { createLiveSlice, type LiveSlice } from './live-slice';
import { createLoadSlice, type LoadSlice } from './load-slice';
import { createStatsSlice, type StatsSlice } from './stats-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { createWorkspaceSlice, type WorkspaceSlice } from './workspace-slice';

export type AppState = WorkspaceSlice & StatsSlice & LoadSlice & LiveSlice & LabSlice & DecisionsSlice & UiSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createWorkspaceSlice(...a),
    ...createStatsSlice(...a),
    ...createLoadSlice(...a),
    ...createLiveSlice(...a),
    ...createLabSlice(...a),
    ...createDecisionsSlice(...a),
    ...createUiSlice(...a),
  }));
}
