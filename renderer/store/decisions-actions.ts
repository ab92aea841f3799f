/**
 * The strategy lab's commands as the Decisions tab uses them: the recent
 * decisions (then kept current by the 'lab' push), the next picks of a round
 * robin, and a hashing strategy's key space. Preview and key space are asked
 * for and shown by the view that asked; only decisions go into the store.
 */
import type { CommandOutput, Result } from '../../core/contract';
import type { Bridge } from '../bridge/types';
import type { AppStore } from './store';

export interface DecisionsActions {
  /** Reads a service's recent decisions into the store. */
  loadDecisions(service: string): Promise<Result<CommandOutput<'strategy:decisions'>>>;
  strategyPreview(service: string, count: number): Promise<Result<CommandOutput<'strategy:preview'>>>;
  strategyKeyspace(service: string): Promise<Result<CommandOutput<'strategy:keyspace'>>>;
}

export function createDecisionsActions(store: AppStore, bridge: Bridge): DecisionsActions {
  return {
    loadDecisions: async (service) => {
      const res = await bridge.invoke('strategy:decisions', { service });
      if (res.ok) store.getState().setDecisions(service, res.value);
      return res;
    },
    strategyPreview: (service, count) => bridge.invoke('strategy:preview', { service, count }),
    strategyKeyspace: (service) => bridge.invoke('strategy:keyspace', { service }),
  };
}
