/**
 * A Workbench with one HTTP service on an ephemeral loopback port, for data
 * plane tests that must see what a user sees: the stats the UI gets (summed
 * over every pushed snapshot), the events, and live changes made through
 * commands. Ticks every 100 ms so counters show up quickly; closed after the
 * test by the cleanup it is given.
 */
import type { CommandName } from '../../../core/contract/commands';
import type { WorkbenchEvent } from '../../../core/contract/events';
import type { ServiceInput } from '../../../core/model/spec';
import type { BackendSnapshot, ErrorCounts, ServiceSnapshot, StatsSnapshot, StatusClasses } from '../../../core/stats/types';
import { Workbench } from '../../../core/workbench';
import type { Cleanup } from '../../helpers/cleanup';
import { waitFor } from '../../helpers/wait';

/** The name of the one service. */
export const SERVICE = 'svc';

/** Counters summed over every snapshot pushed so far. */
export interface Totals {
  requests: number;
  errors: ErrorCounts;
  status: StatusClasses;
}

export interface WorkbenchService {
  wb: Workbench;
  port: number;
  events: WorkbenchEvent[];
  snapshots: StatsSnapshot[];
  /** The service's counters, summed over all snapshots so far. */
  serviceTotals(): Totals;
  /** One backend's counters (by name), summed over all snapshots so far. */
  backendTotals(name: string): Totals;
  /** The backend as the newest snapshot shows it (health, lastCheck, lastError). */
  latestBackend(name: string): BackendSnapshot | undefined;
  /** Runs a command against the workbench (errors come back as data). */
  invoke(name: CommandName, input: unknown): ReturnType<Workbench['invoke']>;
  /** Waits until the service counters satisfy `pred` (a few ticks at most, normally). */
  waitTotals(pred: (t: Totals) => boolean, message: string, timeoutMs?: number): Promise<Totals>;
}

export type ServiceFields = Omit<ServiceInput, 'name' | 'listen'>;

export async function startWorkbenchService(cleanup: Cleanup, service: ServiceFields): Promise<WorkbenchService> {
  const wb = new Workbench({
    tickMs: 100,
    graceMs: 500,
    workspace: { services: [{ name: SERVICE, listen: '127.0.0.1:0', ...service }] },
  });
  const events: WorkbenchEvent[] = [];
  const snapshots: StatsSnapshot[] = [];
  wb.subscribe((push) => {
    if (push.channel === 'event') events.push(push.event);
    if (push.channel === 'stats') snapshots.push(push.snapshot);
  });
  await wb.start({ failFast: true });
  cleanup.defer(() => wb.stop(0));
  const address = wb.service(SERVICE)!.view().address!;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));

  const svcOf = (s: StatsSnapshot): ServiceSnapshot | undefined => s.services.find((x) => x.name === SERVICE);
  const sum = (pick: (s: StatsSnapshot) => ServiceSnapshot | BackendSnapshot | undefined): Totals => {
    const t: Totals = {
      requests: 0,
      errors: { refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 },
      status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    };
    for (const snap of snapshots) {
      const x = pick(snap);
      if (!x) continue;
      t.requests += x.requests;
      for (const k of Object.keys(t.errors) as Array<keyof ErrorCounts>) t.errors[k] += x.errors[k];
      for (const k of Object.keys(t.status) as Array<keyof StatusClasses>) t.status[k] += x.status[k];
    }
    return t;
  };
  const serviceTotals = () => sum(svcOf);
  return {
    wb,
    port,
    events,
    snapshots,
    serviceTotals,
    backendTotals: (name) => sum((s) => svcOf(s)?.backends.find((b) => b.name === name)),
    latestBackend: (name) => {
      const last = snapshots.at(-1);
      return last ? svcOf(last)?.backends.find((b) => b.name === name) : undefined;
    },
    invoke: (name, input) => wb.invoke(name, input),
    waitTotals: (pred, message, timeoutMs = 5000) => waitFor(() => (pred(serviceTotals()) ? serviceTotals() : undefined), { timeoutMs, message }),
  };
}
