/**
 * Wires a bridge to a store: stats ticks and events go into the store, and
 * every (re)connect reloads what the UI shows. Changes the core announces
 * (config, a service starting or stopping) trigger a refresh of the list.
 */
import type { EventType } from '../../core/contract';
import type { Bridge } from '../bridge/types';
import type { Actions } from './actions';
import type { AppStore } from './store';

const REFRESH_ON: ReadonlySet<EventType> = new Set(['config:changed', 'service:listening', 'service:stopped']);

export function connectStore(store: AppStore, bridge: Bridge, actions: Actions): () => void {
  const offPush = bridge.subscribe((push) => {
    if (push.channel === 'stats') {
      store.getState().ingestSnapshot(push.snapshot);
      return;
    }
    if (push.channel !== 'event') return; // load progress: no load panel yet
    store.getState().logEvent(push.event);
    if (REFRESH_ON.has(push.event.type)) void actions.refresh();
  });
  const offConnection = bridge.onConnection((connected) => {
    store.getState().setConnected(connected);
    if (connected) void actions.reload();
  });
  return () => {
    offPush();
    offConnection();
  };
}
