/**
 * What the strategy lab records about real traffic: sampled decisions (the
 * strategy's own reason for each pick, and for a retry what failed before
 * it), access-log records (one per request), and the key-space moves of the
 * hashing strategies. Plain data: it travels to UIs, into JSON lines and
 * through `strategy:*` answers as it is.
 */
import type { DecisionReason } from '../strategies/reason';

export type { DecisionReason };

/** How one attempt ended: `ok` (an answer under 500), `status N` (a 5xx, or one held for a retry), or the failure's kind. */
export type AttemptOutcomeLabel = 'ok' | 'refused' | 'reset' | 'timeout' | 'tls' | 'other' | 'client closed' | `status ${number}`;

export interface AttemptRecord {
  backend: string;
  outcome: AttemptOutcomeLabel;
  ms: number;
}

/** One pick of a sampled request, with the strategy's reason (backends named, not by id). */
export interface Decision {
  /** Wall-clock ms. */
  at: number;
  service: string;
  strategy: string;
  method: string;
  path: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** The backend chosen; null when none was available. */
  backend: string | null;
  /** null when the strategy gave none (no backend available). */
  reason: DecisionReason | null;
  /** The pick came from the backups: no primary was available. */
  backups: boolean;
  /** For a retry: the attempt before it, and how it failed. */
  after?: AttemptRecord;
}

/** One client request, as `lbw run --access-log` writes it (one JSON line each). */
export interface AccessRecord {
  /** ISO 8601, when the request arrived. */
  time: string;
  service: string;
  method: string;
  path: string;
  /** What the client got (499: it left first). */
  status: number;
  /** The whole request, every attempt included. */
  ms: number;
  /** The backend whose answer the client got; null for the balancer's own 502/503/504. */
  backend: string | null;
  attempts: AttemptRecord[];
  /** The strategy's reason for the last pick (the one that answered, or the last tried). */
  reason: DecisionReason | null;
}

/** One tick's sample of a service: bounded, whatever the request rate. */
export interface LabServiceBatch {
  service: string;
  decisions: Decision[];
  access: AccessRecord[];
  /** Requests that ended this tick but are not in `access` (over the per-tick sample). */
  unsampled: number;
}

/** The lab's per-tick push (only when something was sampled). */
export interface LabBatch {
  at: number;
  services: LabServiceBatch[];
}

/** A measured key-space move after a membership or weight change (hashing strategies only). */
export interface KeyMove {
  at: number;
  service: string;
  strategy: string;
  /** Keys sampled (key-0 … key-9999), hashed to an owner before and after. */
  keys: number;
  /** Share of those keys whose owner changed, 0..1. */
  moved: number;
  /**
   * The least any mapping could move: half the sum of the changes in each
   * backend's weight share (1/N when one of N equal backends joins or leaves).
   */
  ideal: number;
  before: string[];
  after: string[];
}

/** A hashing strategy's key space, compressed for drawing. */
export interface KeySpaceView {
  service: string;
  strategy: string;
  /** False for strategies that do not hash (their picks have no key space). */
  applicable: boolean;
  /** 'ring': a 32-bit ring of points; 'table': Maglev's lookup table. */
  kind: 'ring' | 'table' | null;
  /** Ring points or table slots. */
  size: number;
  /** Per backend (primaries, in list order): its share of the key space, 0..1. */
  backends: Array<{ backend: string; weight: number; share: number; available: boolean }>;
  /** Owners of evenly spaced places around the ring or along the table, as indices into `backends` (-1: none). */
  cells: number[];
  /** The last measured move, if any since the service started. */
  lastMove: KeyMove | null;
}

/** The next picks of a round robin, computed on a copy of its state. */
export interface PreviewView {
  service: string;
  strategy: string;
  /** False for strategies whose next pick depends on load, latency or chance. */
  applicable: boolean;
  picks: string[];
}
