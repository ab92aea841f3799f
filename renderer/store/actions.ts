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
  /** Reads the service list (on connect; otherwise config:changed brings it). */
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

  /**
   * Sends a command that changes the workspace; on success marks it unsaved.
   * The reply says only whether it worked: the services it changed arrive
   * with the core's config:changed push (see ./connect), which comes first.
   */
  async function change<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>> {
    const res = await bridge.invoke(name, input);
    if (res.ok) state().setDirty(true);
    return res;
  }

  const actions: Actions = {
    ...createLabActions(store, bridge),
    ...createExportActions(bridge),
    ...createWorkspaceFileActions(store, bridge),
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

    async refresh() {
      const res = await bridge.invoke('services:list', {});
      if (res.ok) state().setServices(res.value);
      else state().setLoadError(res.error);
    },

    addService: (service) => change('services:add', { service }),

    async renameService(name, newName) {
      const selected = state().selectedService;
      const res = await change('services:update', { service: name, patch: { name: newName } });
      // The pushed list no longer has the old name: the selection follows the service.
      if (res.ok && selected === name) state().selectService(newName);
      return res;
    },

    updateService: (name, patch) => change('services:update', { service: name, patch }),

    removeService: (name) => change('services:remove', { service: name }),

    addBackend: (service, backend, options) =>
      change('backends:add', { service, backend, ...(options?.allowDuplicate ? { allowDuplicate: true } : {}) }),

    updateBackend: (service, backendId, patch) => change('backends:update', { service, backend: backendId, patch }),

    async removeBackend(service, backendId) {
      const res = await change('backends:remove', { service, backend: backendId });
      // The reply is the removed backend, kept so it can be added back.
      if (res.ok) state().setPendingUndo({ service, backend: res.value });
      return res;
    },

    async undoRemove() {
      const undo = state().pendingUndo;
      if (!undo) return null;
      state().setPendingUndo(null);
      return actions.addBackend(undo.service, backendSpecOf(undo.backend));
    },

    setStrategy: (service, strategy, options) =>
      change('strategy:set', options ? { service, strategy, options } : { service, strategy }),

    async openWorkspace(path) {
      const res = await bridge.invoke('workspace:open', { path });
      if (res.ok) {
        state().setWorkspacePath(path);
        state().setWorkspaceError(null);
        state().setPendingUndo(null);
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
