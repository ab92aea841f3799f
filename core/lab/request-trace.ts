/**
 * One sampled request on its way through the retry loop: each pick's trace
 * and each attempt's outcome, gathered only for requests the recorder chose
 * (every one while the access log is on, a bounded few per tick otherwise).
 * The loop calls it in three places; an unsampled request has none and pays
 * nothing.
 */
import type { ErrorKind } from '../stats/types';
import type { PickTrace } from '../strategies/reason';
import type { AttemptOutcomeLabel, AttemptRecord } from './types';

interface Named {
  readonly id: string;
  readonly name: string;
}

/** What a finished trace hands its recorder. */
export interface TraceEnd {
  trace: RequestTrace;
  status: number;
  ms: number;
}

export class RequestTrace {
  readonly attempts: AttemptRecord[] = [];
  /** One per pick: the backend (or null) and its trace. */
  readonly picks: Array<{ backend: Named | null; trace: PickTrace; after: AttemptRecord | undefined }> = [];
  /** The backend whose answer went to the client. */
  answeredBy: Named | null = null;
  private current: PickTrace | undefined;
  private attemptStart = 0;

  constructor(
    /** Wall-clock ms when the request arrived. */
    readonly time: number,
    readonly method: string,
    readonly path: string,
    /** Whether it goes to the UIs (within the tick's sample) or only to the access log. */
    readonly ui: boolean,
    private readonly now: () => number,
    private readonly finish: (end: TraceEnd) => void,
    /** False for a TCP connection: its decisions are kept, but it makes no access-log record. */
    readonly logged = true,
  ) {}

  /** A fresh trace for the next pick. */
  nextPick(): PickTrace {
    this.current = {};
    return this.current;
  }

  /** The pick made with the last `nextPick()` trace chose `backend` (undefined: none available). */
  picked(backend: Named | undefined): void {
    this.picks.push({ backend: backend ?? null, trace: this.current ?? {}, after: this.attempts.at(-1) });
    this.attemptStart = this.now();
  }

  /** The attempt on `backend` ended: failed with `error`, held or answered with `status`, or the client left. */
  attempted(backend: Named, how: { error?: ErrorKind | undefined; status?: number | undefined; clientGone?: boolean }): void {
    this.attempts.push({ backend: backend.name, outcome: outcomeLabel(how), ms: round(this.now() - this.attemptStart) });
  }

  /** The request ended with `status` for the client, `ms` after it arrived. */
  end(status: number, ms: number): void {
    this.finish({ trace: this, status, ms: round(ms) });
  }
}

/** An attempt's outcome in the access log's words. */
export function outcomeLabel(how: { error?: ErrorKind | undefined; status?: number | undefined; clientGone?: boolean }): AttemptOutcomeLabel {
  if (how.clientGone) return 'client closed';
  if (how.error) return how.error;
  const status = how.status ?? 0;
  return status >= 500 ? `status ${status}` : 'ok';
}

/** Milliseconds to a tenth. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
