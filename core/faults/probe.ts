/**
 * What a fault plan makes of one health probe, so the active checker sees a
 * faulty path as a real failure: refused and reset probes fail at once, an
 * error status is judged like a real one, a hang runs into the probe's
 * timeout. The latency (applied by the probe before it dials) counts toward
 * the probe's latency and timeout. Mid-body resets and bandwidth limits do
 * not change a probe: its outcome is decided by the status line.
 *
 * A TCP check that only connects (and maybe sends) fails only on `refuse`
 * (down): the port still accepts under a blackhole or a reset. One that
 * waits for a reply (`expect`) also fails on a hang or blackhole (its
 * timeout), a reset at connect, and a reset after 0 bytes (no reply can
 * pass). An error status is HTTP's: it does not touch TCP checks. Per-chunk
 * latency, bandwidth, a later reset and a slow close leave TCP probes alone,
 * as body faults leave HTTP ones.
 */
import type { FaultPlan } from './fault-set';

export interface InjectedProbeOutcome {
  ok: boolean;
  detail: string;
  /** Set for an injected status (the time from the probe's start). */
  status?: number;
}

/** The injected outcome, `'hang'` to wait for the timeout, or undefined to probe the backend for real. */
export function injectedProbeOutcome(plan: FaultPlan | undefined, check: 'http' | 'tcp' | 'tcp-reply'): InjectedProbeOutcome | 'hang' | undefined {
  const answer = plan?.answer ?? (check === 'tcp-reply' && plan?.cutAfterBytes === 0 ? { kind: 'reset' as const } : undefined);
  if (!answer) return undefined;
  if (answer.kind === 'refuse') return { ok: false, detail: 'ECONNREFUSED' };
  if (check === 'tcp') return undefined; // the port still accepts: hang, error and reset happen after connect
  if (check === 'tcp-reply' && answer.kind === 'error') return undefined;
  switch (answer.kind) {
    case 'hang':
      return 'hang';
    case 'reset':
      return { ok: false, detail: 'ECONNRESET' };
    case 'error':
      return { ok: false, detail: String(answer.status), status: answer.status };
  }
}
