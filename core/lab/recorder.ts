/**
 * A service's lab recorder: decides which requests are traced, and keeps
 * what they tell. Each tick the first SAMPLE_PER_TICK requests are sampled
 * for the UIs (their decisions and access records go out in the tick's
 * batch, the decisions also into a ring of the last DECISIONS_KEPT); with an
 * access-log sink every request is traced for the log, but still only the
 * sample reaches the UIs. An unsampled request costs one counter and one
 * comparison, and with the log off nothing more.
 */
import { RingBuffer } from '../stats/ring';
import type { DecisionReason } from '../strategies/reason';
import { RequestTrace, type TraceEnd } from './request-trace';
import type { AccessRecord, Decision, KeyMove, LabServiceBatch } from './types';

/** Requests per service per tick whose decisions and records reach the UIs. */
export const SAMPLE_PER_TICK = 50;
/** Recent decisions kept per service (`strategy:decisions`). */
export const DECISIONS_KEPT = 200;

export interface RecorderDeps {
  now(): number;
  /** The service's current name and strategy (both may change live). */
  service(): string;
  strategy(): string;
  /** A backend's name by id (its id when it is gone). */
  nameOf(id: string): string;
  /** Every request's record (`lbw run --access-log`); absent when the log is off. */
  sink?: ((record: AccessRecord) => void) | undefined;
}

export class LabRecorder {
  private budget = SAMPLE_PER_TICK;
  private unsampled = 0;
  private decisions: Decision[] = [];
  private access: AccessRecord[] = [];
  private readonly recent = new RingBuffer<Decision>(DECISIONS_KEPT);
  /** The last key-space move measured (hashing strategies). */
  lastMove: KeyMove | null = null;

  constructor(private readonly deps: RecorderDeps) {}

  /** A trace for this request, or undefined when it is neither sampled nor logged. */
  sample(method: string, path: string): RequestTrace | undefined {
    const ui = this.budget > 0;
    if (ui) this.budget--;
    else {
      this.unsampled++;
      if (!this.deps.sink) return undefined;
    }
    return new RequestTrace(this.deps.now(), method, path, ui, this.deps.now, (end) => this.ended(end));
  }

  /** A trace of a TCP connection's picks, within the tick's sample only (connections make no access-log records). */
  sampleConnection(): RequestTrace | undefined {
    if (this.budget === 0) return undefined;
    this.budget--;
    return new RequestTrace(this.deps.now(), 'TCP', '', true, this.deps.now, (end) => this.ended(end), false);
  }

  /** The last decisions, oldest first. */
  recentDecisions(): Decision[] {
    return this.recent.toArray();
  }

  /** This tick's sample (undefined when nothing happened), and a fresh budget for the next. */
  drain(): LabServiceBatch | undefined {
    this.budget = SAMPLE_PER_TICK;
    if (this.decisions.length === 0 && this.access.length === 0 && this.unsampled === 0) return undefined;
    const batch = { service: this.deps.service(), decisions: this.decisions, access: this.access, unsampled: this.unsampled };
    this.decisions = [];
    this.access = [];
    this.unsampled = 0;
    return batch;
  }

  private ended({ trace, status, ms }: TraceEnd): void {
    const service = this.deps.service();
    const nameOf = this.deps.nameOf;
    for (const p of trace.picks) if (p.trace.reason) nameReason(p.trace.reason, nameOf);
    if (!trace.logged) return this.keepDecisions(trace, service);
    const answered = trace.answeredBy;
    const final = (answered && trace.picks.find((p) => p.backend === answered)) ?? lastWithBackend(trace.picks);
    const record: AccessRecord = {
      time: new Date(trace.time).toISOString(),
      service,
      method: trace.method,
      path: trace.path,
      status,
      ms,
      backend: answered?.name ?? null,
      attempts: trace.attempts,
      reason: final?.trace.reason ?? null,
    };
    this.deps.sink?.(record);
    if (!trace.ui) return;
    this.access.push(record);
    this.keepDecisions(trace, service);
  }

  /** A sampled trace's picks as decisions: this tick's batch and the ring of recent ones. */
  private keepDecisions(trace: RequestTrace, service: string): void {
    const strategy = this.deps.strategy();
    trace.picks.forEach((p, i) => {
      const d: Decision = {
        at: trace.time,
        service,
        strategy,
        method: trace.method,
        path: trace.path,
        attempt: i + 1,
        backend: p.backend?.name ?? null,
        reason: p.trace.reason ?? null,
        backups: p.trace.backups === true,
      };
      if (p.after) d.after = p.after;
      this.decisions.push(d);
      this.recent.push(d);
    });
  }
}

function lastWithBackend<P extends { backend: unknown }>(picks: readonly P[]): P | undefined {
  for (let i = picks.length - 1; i >= 0; i--) if (picks[i]!.backend !== null) return picks[i];
  return undefined;
}

/** Replaces backend ids by names in a reason (in place: each reason belongs to one trace). */
function nameReason(r: DecisionReason, nameOf: (id: string) => string): void {
  switch (r.kind) {
    case 'round-robin':
    case 'weighted-round-robin':
      for (const row of r.table) row.backend = nameOf(row.backend);
      break;
    case 'least-connections':
    case 'power-of-two':
    case 'peak-ewma':
      for (const row of r.candidates) row.backend = nameOf(row.backend);
      break;
    case 'ring-hash':
    case 'maglev':
      r.owner = nameOf(r.owner);
      break;
    default:
      break;
  }
}
