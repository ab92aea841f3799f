/**
 * Plain selector functions over AppState. Each returns a value already in
 * the state (or a primitive), never a new object, so components re-render
 * only when what they read changed.
 */
import type { BackendSnapshot, DemoView, ServiceSnapshot, ServiceView, StrategyInfo } from '../../core/contract';
import type { AppState } from './store';
import { emptyHistory, type ServiceHistory } from './series';

export const selectServices = (s: AppState): ServiceView[] => s.services;
export const selectStrategies = (s: AppState): StrategyInfo[] => s.strategies;
export const selectSelectedName = (s: AppState): string | null => s.selectedService;
export const selectConnected = (s: AppState): boolean => s.connected;
export const selectEvents = (s: AppState) => s.events;
export const selectPendingUndo = (s: AppState) => s.pendingUndo;
export const selectDirty = (s: AppState): boolean => s.dirty;
export const selectTheme = (s: AppState) => s.theme;
export const selectRejectedChange = (s: AppState) => s.rejectedChange;

export const selectService = (s: AppState, name: string | null): ServiceView | undefined =>
  name === null ? undefined : s.services.find((svc) => svc.name === name);

export const selectSelectedService = (s: AppState): ServiceView | undefined => selectService(s, s.selectedService);

export const selectStrategy = (s: AppState, name: string): StrategyInfo | undefined => s.strategies.find((x) => x.name === name);

export const selectServiceSnapshot = (s: AppState, name: string): ServiceSnapshot | undefined =>
  s.latest?.services.find((svc) => svc.name === name);

export const selectBackendSnapshot = (s: AppState, service: string, backendId: string): BackendSnapshot | undefined =>
  selectServiceSnapshot(s, service)?.backends.find((b) => b.id === backendId);

export const selectHistory = (s: AppState, service: string): ServiceHistory => s.histories[service] ?? emptyHistory;

export const selectServiceTab = (s: AppState) => s.serviceTab;
export const selectDemos = (s: AppState) => s.demos;
export const selectDrills = (s: AppState) => s.drills;
export const selectDrillRun = (s: AppState) => s.drillRun;
export const selectDrillReport = (s: AppState) => s.drillReport;
export const selectLoadRun = (s: AppState) => s.loadRun;
export const selectLoadProgress = (s: AppState) => s.loadProgress;
export const selectLoadRows = (s: AppState) => s.loadRows;
export const selectLoadSummary = (s: AppState) => s.loadSummary;

/** The demo backend a service's backend points at, if it is one. */
export const selectDemoOf = (s: AppState, service: string, backendId: string): DemoView | undefined =>
  s.demos.find((d) => d.usedBy.some((u) => u.service === service && u.backendId === backendId));

/** A demo backend's colour by its name (the `x-demo-backend` header the load generator counts by). */
export const selectDemoColour = (s: AppState, name: string): string | undefined => s.demos.find((d) => d.name === name)?.colour;
