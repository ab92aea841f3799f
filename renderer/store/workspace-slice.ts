/**
 * The workspace slice: services and strategies as the core last reported
 * them: `services:list` and `strategies:list` on connect, then the service
 * views every `config:changed` carries. Command replies do not touch it.
 */
import type { StateCreator } from 'zustand';
import type { BackendView, ErrorData, Fault, ServiceView, StrategyInfo } from '../../core/contract';
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
  /** Replaces the service called `previousName` (default: the view's own name), or appends it. */
  upsertService(view: ServiceView, previousName?: string): void;
  removeService(name: string): void;
  /** Replaces a backend (matched by id) in a service, or appends it. */
  upsertBackend(service: string, view: BackendView): void;
  removeBackend(service: string, backendId: string): void;
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

  upsertService: (view, previousName = view.name) =>
    set((s) => {
      const i = s.services.findIndex((x) => x.name === previousName);
      const services = i < 0 ? [...s.services, view] : s.services.map((x, j) => (j === i ? view : x));
      const selectedService = s.selectedService === previousName ? view.name : keepSelection(s.selectedService, services);
      return { services, selectedService };
    }),

  removeService: (name) =>
    set((s) => {
      const services = s.services.filter((x) => x.name !== name);
      return { services, selectedService: keepSelection(s.selectedService, services) };
    }),

  upsertBackend: (service, view) =>
    set((s) => ({
      services: s.services.map((svc) => {
        if (svc.name !== service) return svc;
        const i = svc.backends.findIndex((b) => b.id === view.id);
        const backends = i < 0 ? [...svc.backends, view] : svc.backends.map((b, j) => (j === i ? view : b));
        return { ...svc, backends };
      }),
    })),

  removeBackend: (service, backendId) =>
    set((s) => ({
      services: s.services.map((svc) =>
        svc.name === service ? { ...svc, backends: svc.backends.filter((b) => b.id !== backendId) } : svc,
      ),
    })),

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
