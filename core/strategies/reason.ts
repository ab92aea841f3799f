/**
 * Why a strategy picked what it picked: the decision trace. A pick is given a
 * PickTrace only when the request is sampled (or the access log is on); the
 * strategy then fills `reason` from the very values it decided on. Without a
 * trace a pick allocates nothing for it, so the hot path stays as it was.
 * Backends are named by id here; the service's recorder turns ids into names.
 */

/** One backend's row of nginx's smooth weighted round robin, before and after the pick. */
export interface WeightRow {
  backend: string;
  weight: number;
  /** Its current weight before the round (what it had earned so far). */
  before: number;
  /** After the round: grown by its weight, and the winner paid the total back. */
  after: number;
  /** False when it sat the round out (down, or tried by this request already). */
  inRound: boolean;
}

/** A load-based candidate: (in-flight + recent failures) / weight. */
export interface LoadRow {
  backend: string;
  inFlight: number;
  /** Recent failures counted as load (decaying), so a fast-failing backend does not look idle. */
  failures: number;
  weight: number;
  load: number;
}

/** One of the two random candidates of power-of-two or peak-EWMA. */
export interface ChoiceRow {
  backend: string;
  /** The cost compared: load per weight (power-of-two) or latency x (in-flight + 1) (peak-EWMA). */
  score: number;
  inFlight: number;
  /** Peak-EWMA's latency estimate, ms. */
  latencyMs?: number;
  /** Power-of-two's failure load. */
  failures?: number;
}

export type DecisionReason =
  /** Round robin: the chosen backend is the `position`-th (1-based) of the `of` backends in the round, in list order. */
  | { kind: 'round-robin'; position: number; of: number; table: WeightRow[] }
  | { kind: 'weighted-round-robin'; table: WeightRow[]; total: number }
  /** The least loaded; `tied` backends shared that load and took turns (`table`: the smooth round among them). */
  | { kind: 'least-connections'; candidates: LoadRow[]; least: number; tied: number }
  | { kind: 'power-of-two' | 'peak-ewma'; candidates: ChoiceRow[] }
  /** The key, its 32-bit hash, and the backend owning that place; `walked` points or slots passed over (owner down or tried). */
  | { kind: 'ring-hash' | 'maglev'; key: string; hash: number; owner: string; walked: number; slot?: number }
  /** Weighted random: the draw in [0, total) and the weight intervals it fell into. */
  | { kind: 'random'; draw: number; total: number }
  /** Only one backend could take it. */
  | { kind: 'only'; strategy: string };

/** What a sampled pick is given; the strategy sets `reason`. */
export interface PickTrace {
  reason?: DecisionReason;
  /** Set by the pool: the pick came from the backups (no primary was available). */
  backups?: boolean;
}
