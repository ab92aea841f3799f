/**
 * The rise/fall health state machine: one per backend. It counts consecutive
 * passes and fails, flips after `rise` passes or `fall` fails, and reports
 * whether a record changed the state. It emits nothing; its owner turns a
 * reported change into an event, so only transitions become events.
 *
 * From `unknown`, the first pass is enough to become healthy (a new backend
 * takes traffic as soon as it answers, as HAProxy starts a server up), while
 * becoming unhealthy still takes `fall` consecutive fails (one lost probe does
 * not condemn a backend nobody has judged yet).
 */
import type { HealthState } from '../model/backend';
import { LbError } from '../model/errors';

export interface Thresholds {
  /** Consecutive passes that turn an unhealthy backend healthy. */
  rise: number;
  /** Consecutive fails that turn a healthy (or unknown) backend unhealthy. */
  fall: number;
}

export interface HealthChange {
  changed: boolean;
  from: HealthState;
  to: HealthState;
}

export class HealthStateMachine {
  private current: HealthState;
  private rise = 1;
  private fall = 1;
  private passes = 0;
  private fails = 0;

  constructor(thresholds: Thresholds, initial: HealthState = 'unknown') {
    this.configure(thresholds);
    this.current = initial;
  }

  get state(): HealthState {
    return this.current;
  }

  /** The current streak: at most one of the two is non-zero. */
  get streak(): { passes: number; fails: number } {
    return { passes: this.passes, fails: this.fails };
  }

  /** New thresholds apply from the next record; the streak so far counts. */
  configure(thresholds: Thresholds): void {
    checkThresholds(thresholds);
    this.rise = thresholds.rise;
    this.fall = thresholds.fall;
  }

  record(pass: boolean): HealthChange {
    const from = this.current;
    if (pass) {
      this.fails = 0;
      this.passes++;
      if (from === 'unknown' || (from === 'unhealthy' && this.passes >= this.rise)) this.current = 'healthy';
    } else {
      this.passes = 0;
      this.fails++;
      if (from !== 'unhealthy' && this.fails >= this.fall) this.current = 'unhealthy';
    }
    return { changed: from !== this.current, from, to: this.current };
  }

  /** Forgets the streak and sets a state, for example `unknown` when checks are turned off. */
  reset(state: HealthState = 'unknown'): void {
    this.current = state;
    this.passes = 0;
    this.fails = 0;
  }
}

/** Throws CONFIG_INVALID unless rise and fall are whole numbers of at least 1. */
export function checkThresholds({ rise, fall }: Thresholds): void {
  if (!Number.isInteger(rise) || rise < 1) throw new LbError('CONFIG_INVALID', `rise must be a whole number of at least 1, got ${rise}`);
  if (!Number.isInteger(fall) || fall < 1) throw new LbError('CONFIG_INVALID', `fall must be a whole number of at least 1, got ${fall}`);
}
