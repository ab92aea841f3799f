/**
 * The workspace slice: services and strategies as the core last reported
 * them: `services:list` and `strategies:list` on connect, then the service
 * views every `config:changed` carries. Command replies do not touch it.
 */
import type { StateCreator } from 'zustand';
import type { ErrorData, Fault, ServiceView, StrategyInfo } from '../../core/contract';
import type { AppState } from './store';

export interface WorkspaceSlice {
  services: ServiceView[];
  strategies: StrategyInfo[];
  /** True once services:list answered since the last connect. */
  loaded: boolean;
  loadError: ErrorData | null;

  setServices(services: ServiceView[]): void;
  setStrategies(strategies: StrategyInfo[]): void;
  setLoadError(error: ErrorData | null): void;
  /** A backend's injected faults changed ('faults:changed', `faults:set`): patched in place, no refetch. */
  setBackendFaults(service: string, backendId: string, faults: Fault[]): void;
}

/** The selection after the list changed: kept if still there, else the first service. */
function keepSelection(selected: string | null, services: readonly ServiceView[]): string | null {
  if (selected !== null && services.some((s) => s.name === selected)) return selected;
  return services[0]?.name ?? null;
}

export const createWorkspaceSlice: StateCreator<AppState, [], [], WorkspaceSlice> = (set) => ({
  services: [],
  strategies: [],
  loaded: false,
  loadError: null,

  setServices: (services) =>
    set((s) => ({ services, loaded: true, loadError: null, selectedService: keepSelection(s.selectedService, services) })),
  setStrategies: (strategies) => set({ strategies }),
  setLoadError: (loadError) => set({ loadError }),

  setBackendFaults: (service, backendId, faults) =>
    set((s) => {
      const svc = s.services.find((x) => x.name === service);
      if (!svc?.backends.some((b) => b.id === backendId)) return {};
      return {
        services: s.services.map((x) =>
          x === svc ? { ...x, backends: x.backends.map((b) => (b.id === backendId ? { ...b, faults } : b)) } : x,
        ),
      };
    }),
});
