/**
 * The renderer's store: three slices (workspace, stats, ui) combined into one
 * zustand store. A store is created per app (and per test), never a module
 * singleton, so tests start clean.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createStatsSlice, type StatsSlice } from './stats-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { createWorkspaceSlice, type WorkspaceSlice } from './workspace-slice';

export type AppState = WorkspaceSlice & StatsSlice & UiSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createWorkspaceSlice(...a),
    ...createStatsSlice(...a),
    ...createUiSlice(...a),
  }));
}
