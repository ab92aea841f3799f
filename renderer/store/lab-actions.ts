/**
 * The failover lab's user actions: demo backends, faults, the load
 * generator and drills. Like the other actions, each sends one command,
 * applies the answer to the store and hands the Result back so the
 * component that asked can show an error next to its control.
 */
import type {
  BackendFaults,
  BackendView,
  CommandInput,
  DemoView,
  DrillSpec,
  DrillStatus,
  Fault,
  LoadStatus,
  Result,
} from '../../core/contract';
import type { Bridge } from '../bridge/types';
import type { AppStore } from './store';

export type LoadStartSpec = CommandInput<'load:start'>['spec'];
export type ExportFormat = 'json' | 'html';

export interface LabActions {
  /** Demo backends, drills, the load run, the drill run and its last report: called on every (re)connect. */
  reloadLab(): Promise<void>;
  refreshDemos(): Promise<void>;
  refreshDrills(): Promise<void>;
  addDemo(service: string): Promise<Result<{ demo: DemoView; backend: BackendView }>>;
  removeDemo(name: string): Promise<Result<{ removed: string; backends: BackendView[] }>>;
  setFaults(service: string, backendId: string, faults: Fault[]): Promise<Result<BackendFaults>>;
  /** Heals every backend of every service. */
  healAll(): Promise<Result<BackendFaults[]>>;
  startLoad(spec: LoadStartSpec, service: string | undefined): Promise<Result<LoadStatus>>;
  stopLoad(): Promise<Result<LoadStatus>>;
  saveDrill(drill: DrillSpec): Promise<Result<DrillSpec>>;
  deleteDrill(name: string): Promise<Result<{ removed: string }>>;
  runDrill(name: string): Promise<Result<DrillStatus>>;
  stopDrill(): Promise<Result<DrillStatus>>;
  /** Writes the last report to a file on the host; CONFLICT when it exists and lbw did not write it, unless `overwrite` (the user said yes). */
  exportDrillReport(format: ExportFormat, path: string, overwrite?: boolean): Promise<Result<{ path: string; format: ExportFormat; bytes: number }>>;
}

export function createLabActions(store: AppStore, bridge: Bridge): LabActions {
  const state = () => store.getState();

  /** Applies a load command's answer unless a load event overtook it (then the event is newer). */
  async function loadCommand(run: () => Promise<Result<LoadStatus>>): Promise<Result<LoadStatus>> {
    const seq = state().loadEventSeq;
    const res = await run();
    if (res.ok) state().setLoadStatus(res.value, state().loadEventSeq !== seq);
    return res;
  }

  const lab: LabActions = {
    async reloadLab() {
      const seq = state().loadEventSeq;
      const [demos, drills, load, drill, report] = await Promise.all([
        bridge.invoke('demo:list', {}),
        bridge.invoke('drills:list', {}),
        bridge.invoke('load:status', {}),
        bridge.invoke('drills:status', {}),
        bridge.invoke('drills:report', {}),
      ]);
      if (demos.ok) state().setDemos(demos.value);
      if (drills.ok) state().setDrills(drills.value);
      if (load.ok) state().setLoadStatus(load.value, state().loadEventSeq !== seq);
      if (drill.ok) state().setDrillStatus(drill.value);
      if (report.ok) state().setDrillReport(report.value);
    },

    async refreshDemos() {
      const res = await bridge.invoke('demo:list', {});
      if (res.ok) state().setDemos(res.value);
    },

    async refreshDrills() {
      const res = await bridge.invoke('drills:list', {});
      if (res.ok) state().setDrills(res.value);
    },

    async addDemo(service) {
      const res = await bridge.invoke('demo:add', { service });
      // The service's new backend arrives with config:changed; the demo list is the lab's own.
      if (res.ok) {
        state().setDemos([...state().demos.filter((d) => d.name !== res.value.demo.name), res.value.demo]);
        state().setDirty(true);
      }
      return res;
    },

    async removeDemo(name) {
      const res = await bridge.invoke('demo:remove', { name });
      if (res.ok) {
        state().setDemos(state().demos.filter((d) => d.name !== name));
        if (res.value.backends.length > 0) state().setDirty(true);
      }
      return res;
    },

    async setFaults(service, backendId, faults) {
      const res = await bridge.invoke('faults:set', { service, backend: backendId, faults });
      if (res.ok) state().setBackendFaults(res.value.service, res.value.backendId, res.value.faults);
      return res;
    },

    async healAll() {
      const res = await bridge.invoke('faults:clear', {});
      if (res.ok) for (const b of res.value) state().setBackendFaults(b.service, b.backendId, b.faults);
      return res;
    },

    startLoad: (spec, service) => loadCommand(() => bridge.invoke('load:start', service === undefined ? { spec } : { spec, service })),

    stopLoad: () => loadCommand(() => bridge.invoke('load:stop', {})),

    async saveDrill(drill) {
      const res = await bridge.invoke('drills:save', { drill });
      if (res.ok) {
        state().upsertDrill(res.value);
        state().setDirty(true);
      }
      return res;
    },

    async deleteDrill(name) {
      const res = await bridge.invoke('drills:remove', { name });
      if (res.ok) {
        state().removeDrill(name);
        state().setDirty(true);
      }
      return res;
    },

    async runDrill(name) {
      const res = await bridge.invoke('drills:run', { name });
      if (res.ok) state().setDrillStatus(res.value);
      return res;
    },

    stopDrill: () => bridge.invoke('drills:stop', {}),

    exportDrillReport: (format, path, overwrite = false) => bridge.invoke('drills:export', { format, path, ...(overwrite && { overwrite }) }),
  };
  return lab;
}
