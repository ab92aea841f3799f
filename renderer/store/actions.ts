/**
 * User actions: each sends one command through the bridge, applies the
 * result to the store and hands the Result back, so the component that
 * asked can show an error next to the input that caused it.
 */
import type {
  BackendView,
  CommandInput,
  CommandName,
  CommandOutput,
  Result,
  ServiceView,
} from '../../core/contract';
import type { BackendInput, Protocol, WorkspaceSpec } from '../../core/model/spec';
import type { Bridge } from '../bridge/types';
import { createCompareActions, type CompareActions } from './compare-actions';
import { createDecisionsActions, type DecisionsActions } from './decisions-actions';
import { createExportActions, type ExportActions } from './export-actions';
import { createWorkspaceFileActions, type WorkspaceFileActions } from './workspace-file-actions';
import { createLabActions, type LabActions } from './lab-actions';
import type { AppStore } from './store';

export type BackendPatch = CommandInput<'backends:update'>['patch'];
export type ServicePatch = CommandInput<'services:update'>['patch'];

/** Workspace actions here; the failover lab's (demo, faults, load, drills) in ./lab-actions. */
export interface Actions extends WorkspaceFileActions, LabActions, CompareActions, ExportActions, DecisionsActions {
  /** Everything the UI shows from the core: services, strategies, stats history, the lab. Called on every (re)connect. */
  reload(): Promise<void>;
  /** Re-reads the service list; calls that overlap collapse into one more read. */
  refresh(): Promise<void>;
  addService(service: { name: string; listen: string; protocol: Protocol }): Promise<Result<ServiceView>>;
  renameService(name: string, newName: string): Promise<Result<ServiceView>>;
  /** Changes a service's settings (health checks, retries, timeouts) in one `services:update`. */
  updateService(name: string, patch: ServicePatch): Promise<Result<ServiceView>>;
  removeService(name: string): Promise<Result<{ removed: string }>>;
  /** `allowDuplicate`: the user confirmed adding a URL the service already has (the core answers CONFLICT otherwise). */
  addBackend(service: string, backend: BackendInput, options?: { allowDuplicate?: boolean }): Promise<Result<BackendView>>;
  updateBackend(service: string, backendId: string, patch: BackendPatch): Promise<Result<BackendView>>;
  /** Removes a backend and offers it back through `pendingUndo`. */
  removeBackend(service: string, backendId: string): Promise<Result<BackendView>>;
  /** Re-adds the backend in `pendingUndo`; null when there is nothing to undo. */
  undoRemove(): Promise<Result<BackendView> | null>;
  setStrategy(service: string, strategy: string, options?: Record<string, unknown>): Promise<Result<ServiceView>>;
  openWorkspace(path: string): Promise<Result<WorkspaceSpec>>;
  /**
   * Writes the workspace (to `path`, or the file it came from). CONFLICT (the
   * file exists and lbw did not write it) is handed back for the UI to ask
   * about, not shown as an error; `overwrite` is the user's yes.
   */
  saveWorkspace(path?: string, overwrite?: boolean): Promise<Result<{ path: string }>>;
}

/** The spec part of a backend view: what `backends:add` takes to recreate it. */
export function backendSpecOf(view: BackendView): BackendInput {
  const spec: BackendInput = { url: view.url, name: view.name, weight: view.weight, state: view.state, backup: view.backup };
  if (view.maxConnections !== undefined) spec.maxConnections = view.maxConnections;
  return spec;
}

export function createActions(store: AppStore, bridge: Bridge): Actions {
  const state = () => store.getState();
  let refreshing: Promise<void> | null = null;
  let again = false;

  async function readServices(): Promise<void> {
    const res = await bridge.invoke('services:list', {});
    if (res.ok) state().setServices(res.value);
    else state().setLoadError(res.error);
  }

  /** Sends a command that changes the workspace; on success marks it unsaved and applies the value. */
  async function change<K extends CommandName>(
    name: K,
    input: CommandInput<K>,
    apply: (value: CommandOutput<K>) => void,
  ): Promise<Result<CommandOutput<K>>> {
    const res = await bridge.invoke(name, input);
    if (res.ok) {
      apply(res.value);
      state().setDirty(true);
      void actions.refresh();
    }
    return res;
  }

  const actions: Actions = {
    ...createLabActions(store, bridge, () => actions.refresh()),
    ...createExportActions(bridge),
    ...createWorkspaceFileActions(store, bridge, () => actions.refresh()),
    ...createCompareActions(bridge),
    ...createDecisionsActions(store, bridge),

    async reload() {
      const [services, strategies, history] = await Promise.all([
        bridge.invoke('services:list', {}),
        bridge.invoke('strategies:list', {}),
        bridge.invoke('stats:history', {}),
        actions.reloadLab(),
      ]);
      if (strategies.ok) state().setStrategies(strategies.value);
      if (services.ok) state().setServices(services.value);
      else state().setLoadError(services.error);
      if (history.ok) state().seedHistory(history.value);
    },

    refresh() {
      if (refreshing) {
        again = true;
        return refreshing;
      }
      refreshing = (async () => {
        try {
          do {
            again = false;
            await readServices();
          } while (again);
        } finally {
          refreshing = null;
        }
      })();
      return refreshing;
    },

    addService: (service) => change('services:add', { service }, (v) => state().upsertService(v)),

    renameService: (name, newName) =>
      change('services:update', { service: name, patch: { name: newName } }, (v) => state().upsertService(v, name)),

    updateService: (name, patch) => change('services:update', { service: name, patch }, (v) => state().upsertService(v, name)),

    removeService: (name) => change('services:remove', { service: name }, () => state().removeService(name)),

    addBackend: (service, backend, options) =>
      change('backends:add', { service, backend, ...(options?.allowDuplicate ? { allowDuplicate: true } : {}) }, (v) => state().upsertBackend(service, v)),

    updateBackend: (service, backendId, patch) =>
      change('backends:update', { service, backend: backendId, patch }, (v) => state().upsertBackend(service, v)),

    removeBackend: (service, backendId) =>
      change('backends:remove', { service, backend: backendId }, (v) => {
        state().removeBackend(service, backendId);
        state().setPendingUndo({ service, backend: v });
      }),

    async undoRemove() {
      const undo = state().pendingUndo;
      if (!undo) return null;
      state().setPendingUndo(null);
      return actions.addBackend(undo.service, backendSpecOf(undo.backend));
    },

    setStrategy: (service, strategy, options) =>
      change('strategy:set', options ? { service, strategy, options } : { service, strategy }, (v) => state().upsertService(v)),

    async openWorkspace(path) {
      const res = await bridge.invoke('workspace:open', { path });
      if (res.ok) {
        state().setWorkspacePath(path);
        state().setWorkspaceError(null);
        state().setPendingUndo(null);
        await actions.refresh();
        state().setDirty(false);
      } else {
        state().setWorkspaceError(res.error);
      }
      return res;
    },

    async saveWorkspace(path, overwrite = false) {
      const res = await bridge.invoke('workspace:save', { ...(path && { path }), ...(overwrite && { overwrite }) });
      if (res.ok) {
        state().setWorkspacePath(res.value.path);
        state().setWorkspaceError(null);
        state().setDirty(false);
      } else if (res.error.code !== 'CONFLICT') {
        state().setWorkspaceError(res.error);
      }
      return res;
    },
  };
  return actions;
}
