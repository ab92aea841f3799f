/**
 * Wires a bridge to a store: stats ticks, load progress and events go into
 * the store, and every (re)connect reloads what the UI shows. Stats and load
 * pushes are queued and applied at the next animation frame, all of them in
 * one set(), so a page that cannot draw every tick draws the newest instead
 * of falling further behind; an event (or a connection change) first applies
 * what is queued, so the store sees everything in the order it came. Pushes
 * are the one source of what changes: `config:changed` carries the service
 * views (whoever made the change), `drill:done` the report, `faults:changed`
 * a backend's faults; demo backends coming and going re-read the demo list;
 * a refused change becomes a notice.
 * The event log replays the core's history on each connect (./event-history).
 */
import type { WorkbenchEvent } from '../../core/contract';
import type { Bridge } from '../bridge/types';
import type { Actions } from './actions';
import { replayHistory } from './event-history';
import { nextFrame, type Schedule } from './frame';
import type { AppStore } from './store';

function applyEvent(store: AppStore, actions: Actions, e: WorkbenchEvent): void {
  const s = store.getState();
  s.logEvent(e);
  switch (e.type) {
    case 'config:changed':
      // The one source of the service list: the views the core pushes with every change, whoever made it.
      if (e.services) s.setServices(e.services);
      // Drills live in the workspace: an opened or replaced workspace brings its own.
      void actions.refreshDrills();
      break;
    case 'demo:changed':
      void actions.refreshDemos();
      break;
    case 'config:rejected':
      // Nothing changed, so nothing to read again: only say so.
      s.setRejectedChange(e);
      break;
    case 'faults:changed':
      s.setBackendFaults(e.service, e.backendId, e.faults);
      break;
    case 'keyspace:moved':
      s.setKeyMove(e.move);
      break;
    case 'load:started':
    case 'load:done':
      s.applyLoadEvent(e);
      break;
    case 'drill:started':
    case 'drill:step':
      s.applyDrillEvent(e);
      break;
    case 'drill:done':
      s.applyDrillEvent(e);
      if (e.report) s.setDrillReport(e.report);
      break;
  }
}

export interface ConnectOptions {
  /** When queued stats and load pushes are applied (default: the next animation frame). */
  schedule?: Schedule;
}

export function connectStore(store: AppStore, bridge: Bridge, actions: Actions, { schedule = nextFrame }: ConnectOptions = {}): () => void {
  let cancelFlush: (() => void) | null = null;
  const flush = () => {
    cancelFlush?.();
    cancelFlush = null;
    store.getState().flushLive();
  };
  const flushLater = () => {
    cancelFlush ??= schedule(flush);
  };

  const offPush = bridge.subscribe((push) => {
    switch (push.channel) {
      case 'stats':
        store.getState().queueSnapshot(push.snapshot);
        flushLater();
        break;
      case 'load':
        store.getState().queueLoadProgress(push.progress);
        flushLater();
        break;
      case 'event':
        flush();
        applyEvent(store, actions, push.event);
        break;
      case 'lab':
        // At most one per tick, each a bounded sample: applied as it comes, in one set().
        store.getState().applyLabBatch(push.batch);
        break;
    }
  });
  const offConnection = bridge.onConnection((connected) => {
    flush();
    store.getState().setConnected(connected);
    if (connected) {
      void actions.reload();
      void replayHistory(store, bridge);
    }
  });
  return () => {
    cancelFlush?.();
    cancelFlush = null;
    offPush();
    offConnection();
  };
}
