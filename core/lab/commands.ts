/**
 * The strategy lab's commands: the next picks of a round robin (on a copy of
 * its state, so nothing is consumed), a hashing strategy's key space, and a
 * service's recent decisions (for a UI that opens late; new ones come on the
 * 'lab' push each tick). Plus `labBatch`, the tick's sample of every service.
 */
import type { CommandContext, Handlers } from '../command-context';
import type { ServiceRuntime } from '../service-runtime';
import { keySpace } from './keyspace';
import type { Decision, KeySpaceView, LabBatch, PreviewView } from './types';

export type LabCommand = 'strategy:preview' | 'strategy:keyspace' | 'strategy:decisions';

/** The request a preview's picks are made for: round robins look at none of it. */
const PREVIEW_REQUEST = { clientAddress: '', headers: {} };

export function preview(svc: ServiceRuntime, count: number): PreviewView {
  const picks = svc.pool.preview(count, PREVIEW_REQUEST);
  return { service: svc.name, strategy: svc.pool.strategyName, applicable: picks !== undefined, picks: (picks ?? []).map((b) => b.name) };
}

export function keySpaceOf(svc: ServiceRuntime): KeySpaceView {
  const primaries = svc.backends.filter((b) => !b.backup);
  return { ...keySpace(svc.name, svc.pool.strategyName, svc.pool.strategyOptions, primaries), lastMove: svc.lab.lastMove };
}

export function labCommands(ctx: CommandContext): Handlers<LabCommand> {
  return {
    'strategy:preview': ({ service, count }): PreviewView => preview(ctx.runtime(service), count),
    'strategy:keyspace': ({ service }): KeySpaceView => keySpaceOf(ctx.runtime(service)),
    'strategy:decisions': ({ service }): Decision[] => ctx.runtime(service).lab.recentDecisions(),
  };
}

/** Every service's sample of the tick, or undefined when none sampled anything. */
export function labBatch(at: number, services: Iterable<ServiceRuntime>): LabBatch | undefined {
  const batches = [];
  for (const svc of services) {
    const b = svc.lab.drain();
    if (b) batches.push(b);
  }
  return batches.length === 0 ? undefined : { at, services: batches };
}
