/**
 * Passive health (outlier detection) for one service: watches real request
 * outcomes and ejects a backend that fails too many times in a row, for a
 * period that doubles on each repeated ejection. Pure logic: no timers, the
 * clock comes in as an argument, and the caller calls `sweep(now)` to return
 * backends whose period ended (`nextReturnAt()` says when one is due).
 *
 * Rules, in short:
 * - Two streaks per backend: consecutive 5xx (status >= 500) and consecutive
 *   errors (refused, reset, timeout, other). A success (status < 500, or an
 *   outcome with neither status nor error) resets both; a failure of one kind
 *   leaves the other streak as it is.
 * - A failure more than `windowMs` after the previous failure of its kind
 *   starts that streak over: old failures are forgotten.
 * - Reaching a threshold ejects for baseEjectionMs * 2^k (capped at
 *   maxEjectionMs), k being the ejections so far; outcomes reported while
 *   ejected are ignored, and the streaks restart after an ejection.
 * - k decays by one for every full baseEjectionMs a backend spends back in
 *   the pool (Envoy decrements its multiplier per clean interval likewise).
 * - At most floor(backends * maxEjectedPercent / 100) backends are ejected at
 *   once; when that floor is zero (0 %, or a pool too small for the percent)
 *   nothing is ejected. A refused ejection leaves the streak standing, so the
 *   next failure tries again once room is made.
 */
import type { Backend } from '../model/backend';
import type { PassiveHealthSpec } from '../model/spec';

export type OutcomeError = 'refused' | 'reset' | 'timeout' | 'tls' | 'other';

/** One request's result as the data plane saw it: a status, an error, or neither (a clean TCP session). */
export interface RequestOutcome {
  status?: number;
  error?: OutcomeError;
  /** With `error`: its reason, named in the ejection's cause (`tls: self-signed certificate`). */
  detail?: string;
}

export interface Ejection {
  backend: Backend;
  /** `5 consecutive 5xx (last: 503)`, `5 consecutive connect errors (last: refused)`. */
  cause: string;
  durationMs: number;
}

export interface BackendReturn {
  backend: Backend;
  /** `ejection period ended`, `active check passed`, `passive health turned off`. */
  cause: string;
}

export interface OutlierDeps {
  onEject(e: Ejection): void;
  onReturn(r: BackendReturn): void;
}

/** A backend's passive-health state, for snapshots and the UI. */
export interface OutlierInfo {
  ejected: boolean;
  ejectedUntil: number | undefined;
  /** Ejections that still count towards the back-off. */
  ejections: number;
  consecutive5xx: number;
  consecutiveErrors: number;
}

interface Streak {
  count: number;
  lastAt: number;
}

interface State {
  fivexx: Streak;
  errors: Streak;
  lastStatus: number;
  /** The last error's kind, with its reason when it adds one. */
  lastError: string;
  ejections: number;
  ejectedUntil: number;
  /** When the backend last came back (or the back-off last decayed); the decay counts from here. */
  cleanSince: number;
}

export class OutlierDetector {
  private spec: PassiveHealthSpec;
  private readonly deps: OutlierDeps;
  private readonly states = new Map<Backend, State>();

  constructor(spec: PassiveHealthSpec, deps: OutlierDeps) {
    this.spec = spec;
    this.deps = deps;
  }

  /**
   * Sets the pool the percent cap counts. Removed backends are forgotten and
   * quietly un-ejected (they take no traffic here any more). A new backend
   * that arrives already ejected is returned by the next sweep.
   */
  setBackends(backends: readonly Backend[]): void {
    const wanted = new Set(backends);
    for (const backend of this.states.keys()) {
      if (wanted.has(backend)) continue;
      backend.ejected = false;
      this.states.delete(backend);
    }
    for (const backend of backends) {
      if (this.states.has(backend)) continue;
      this.states.set(backend, {
        fivexx: { count: 0, lastAt: 0 },
        errors: { count: 0, lastAt: 0 },
        lastStatus: 0,
        lastError: 'other',
        ejections: 0,
        ejectedUntil: backend.ejected ? -Infinity : 0,
        cleanSince: 0,
      });
    }
  }

  get currentSpec(): PassiveHealthSpec {
    return this.spec;
  }

  /**
   * Applies a new spec. Current ejections keep their end time; turning the
   * detector off returns every ejected backend at once (and reports it).
   */
  update(spec: PassiveHealthSpec): Backend[] {
    this.spec = spec;
    if (spec.enabled) return [];
    const returned: Backend[] = [];
    // Turned off, the history goes too: a later re-enable starts from a clean slate.
    for (const [backend, state] of this.states) {
      state.fivexx.count = 0;
      state.errors.count = 0;
      if (backend.ejected) {
        this.giveBack(backend, state, 0, 'passive health turned off');
        returned.push(backend);
      }
      state.ejections = 0;
    }
    return returned;
  }

  /** Records one request outcome; returns the ejection it caused, if any. */
  onOutcome(backend: Backend, outcome: RequestOutcome, now: number): Ejection | undefined {
    const state = this.states.get(backend);
    if (!this.spec.enabled || !state || backend.ejected) return undefined;
    this.decay(backend, state, now);
    if (outcome.error) {
      state.lastError = outcome.detail && outcome.detail !== outcome.error ? `${outcome.error}: ${outcome.detail}` : outcome.error;
      const n = bump(state.errors, now, this.spec.windowMs);
      if (n >= this.spec.consecutiveErrors) return this.eject(backend, state, now, `${n} consecutive connect errors (last: ${state.lastError})`);
    } else if (outcome.status !== undefined && outcome.status >= 500) {
      state.lastStatus = outcome.status;
      const n = bump(state.fivexx, now, this.spec.windowMs);
      if (n >= this.spec.consecutive5xx) return this.eject(backend, state, now, `${n} consecutive 5xx (last: ${outcome.status})`);
    } else {
      state.fivexx.count = 0;
      state.errors.count = 0;
    }
    return undefined;
  }

  /** Returns every backend whose ejection period has ended by `now`. */
  sweep(now: number): Backend[] {
    const returned: Backend[] = [];
    for (const [backend, state] of this.states) {
      if (backend.ejected && state.ejectedUntil <= now) {
        this.giveBack(backend, state, now, 'ejection period ended');
        returned.push(backend);
      }
    }
    return returned;
  }

  /** A passing active check returns an ejected backend before its period ends. */
  onActivePass(backend: Backend, now: number): boolean {
    const state = this.states.get(backend);
    if (!state || !backend.ejected) return false;
    this.giveBack(backend, state, now, 'active check passed');
    return true;
  }

  /** The earliest time a sweep has something to return, or undefined when nothing is ejected. */
  nextReturnAt(): number | undefined {
    let next: number | undefined;
    for (const [backend, state] of this.states) {
      if (backend.ejected && (next === undefined || state.ejectedUntil < next)) next = state.ejectedUntil;
    }
    return next;
  }

  info(backend: Backend, now: number): OutlierInfo | undefined {
    const state = this.states.get(backend);
    if (!state) return undefined;
    this.decay(backend, state, now);
    return {
      ejected: backend.ejected,
      ejectedUntil: backend.ejected ? state.ejectedUntil : undefined,
      ejections: state.ejections,
      consecutive5xx: state.fivexx.count,
      consecutiveErrors: state.errors.count,
    };
  }

  private eject(backend: Backend, state: State, now: number, cause: string): Ejection | undefined {
    if (!this.roomToEject()) return undefined;
    const { baseEjectionMs, maxEjectionMs } = this.spec;
    const durationMs = Math.min(maxEjectionMs, baseEjectionMs * 2 ** state.ejections);
    backend.ejected = true;
    state.ejectedUntil = now + durationMs;
    state.ejections++;
    state.fivexx.count = 0;
    state.errors.count = 0;
    const ejection = { backend, cause, durationMs };
    this.deps.onEject(ejection);
    return ejection;
  }

  private roomToEject(): boolean {
    const allowed = Math.floor((this.states.size * this.spec.maxEjectedPercent) / 100);
    let ejected = 0;
    for (const backend of this.states.keys()) if (backend.ejected) ejected++;
    return ejected + 1 <= allowed;
  }

  private giveBack(backend: Backend, state: State, now: number, cause: string): void {
    backend.ejected = false;
    state.ejectedUntil = 0;
    state.cleanSince = now;
    this.deps.onReturn({ backend, cause });
  }

  /** Takes one ejection off the back-off per full baseEjectionMs spent in the pool. */
  private decay(backend: Backend, state: State, now: number): void {
    if (state.ejections === 0 || backend.ejected) return;
    const steps = Math.floor((now - state.cleanSince) / this.spec.baseEjectionMs);
    if (steps <= 0) return;
    state.ejections = Math.max(0, state.ejections - steps);
    state.cleanSince += steps * this.spec.baseEjectionMs;
  }
}

/** Counts one failure into a streak, starting it over if the previous failure is older than the window. */
function bump(streak: Streak, now: number, windowMs: number): number {
  if (streak.count > 0 && now - streak.lastAt > windowMs) streak.count = 0;
  streak.count++;
  streak.lastAt = now;
  return streak.count;
}
