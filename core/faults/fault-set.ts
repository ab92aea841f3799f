/**
 * One backend's faults, and the decision of what they do to one exchange.
 * The proxy's attempt and the active health checker's probe both ask
 * `plan(random)` once per exchange, so a probe meets the same faults, at the
 * same odds, as a request; that is what lets health checks notice them.
 *
 * Each enabled fault fires independently with its toxicity. Of the faults
 * that end an exchange, the strongest wins: down (refused) over hang (or
 * blackhole) over error over reset-before-response (or at connect). Latency
 * adds up; mid-body reset and bandwidth shape the response of an exchange
 * that is forwarded. For a TCP connection, the exchange is the connection:
 * the shaping fields act on both directions of the bridged stream
 * (core/faults/stream.ts), and per-chunk latency and slow close add up too.
 */
import { faultLabel, type Fault } from './spec';

/** What the faults do instead of the backend's answer. */
export type FaultAnswer =
  /** Refused, like a closed port: nothing reached the backend. */
  | { kind: 'refuse' }
  /** Never answers: the caller's response timeout decides (TCP: accepted, then nothing is connected or forwarded). */
  | { kind: 'hang' }
  /** The proxy answers this status on the backend's behalf. */
  | { kind: 'error'; status: number }
  /** The connection drops after the request went out, before any response (TCP: the client is reset instead of connected). */
  | { kind: 'reset' };

/** What happens to one exchange; only fields that apply are set. */
export interface FaultPlan {
  /** Wait this long before forwarding, ms (0: none). */
  delayMs: number;
  answer?: FaultAnswer;
  /** Drop the connection after this many response body bytes (never the whole body; TCP: bytes sent to the client). */
  cutAfterBytes?: number;
  /** Throttle the response body (TCP: each direction) to this many bytes per second. */
  bytesPerSec?: number;
  /** TCP: hold each forwarded chunk this long, ± jitterMs drawn per chunk. */
  chunkDelay?: { ms: number; jitterMs: number };
  /** TCP: pass a FIN on this long after it arrived, ms. */
  closeDelayMs?: number;
}

const STRENGTH: Record<FaultAnswer['kind'], number> = { refuse: 4, hang: 3, error: 2, reset: 1 };

export class FaultSet {
  private all: readonly Fault[] = [];
  private enabled: readonly Fault[] = [];
  private labelList: string[] = [];

  /** Replaces the list (validated by the caller). */
  set(faults: readonly Fault[]): void {
    this.all = faults.map((f) => ({ ...f }));
    this.enabled = this.all.filter((f) => f.enabled && f.toxicity > 0);
    // A fresh array each time: snapshots in history keep the one they were given.
    this.labelList = this.enabled.map(faultLabel);
  }

  clear(): void {
    this.set([]);
  }

  /** Every fault in the list, disabled ones included (a copy). */
  list(): Fault[] {
    return this.all.map((f) => ({ ...f }));
  }

  /** Labels of the faults that apply now (enabled, toxicity above 0). Shared, and replaced (never changed) by `set`: do not mutate. */
  labels(): string[] {
    return this.labelList;
  }

  get size(): number {
    return this.all.length;
  }

  /** Draws what the faults do to one exchange; undefined when none fires (the common, free case). */
  plan(random: () => number): FaultPlan | undefined {
    if (this.enabled.length === 0) return undefined;
    let fired = false;
    const plan: FaultPlan = { delayMs: 0 };
    for (const f of this.enabled) {
      if (f.toxicity < 1 && !(random() < f.toxicity)) continue;
      fired = true;
      switch (f.type) {
        case 'latency':
          if (f.perChunk) plan.chunkDelay = { ms: (plan.chunkDelay?.ms ?? 0) + f.ms, jitterMs: (plan.chunkDelay?.jitterMs ?? 0) + f.jitterMs };
          else plan.delayMs += Math.max(0, f.jitterMs > 0 ? f.ms + (2 * random() - 1) * f.jitterMs : f.ms);
          break;
        case 'bandwidth':
          plan.bytesPerSec = Math.min(plan.bytesPerSec ?? Infinity, f.kibPerSec * 1024);
          break;
        case 'reset':
          if (f.when === 'mid-body' || f.when === 'after-bytes') plan.cutAfterBytes = Math.min(plan.cutAfterBytes ?? Infinity, f.afterBytes);
          else stronger(plan, { kind: 'reset' });
          break;
        case 'error':
          stronger(plan, { kind: 'error', status: f.status });
          break;
        case 'hang':
        case 'blackhole':
          stronger(plan, { kind: 'hang' });
          break;
        case 'slow-close':
          plan.closeDelayMs = (plan.closeDelayMs ?? 0) + f.ms;
          break;
        case 'down':
          stronger(plan, { kind: 'refuse' });
          break;
      }
    }
    return fired ? plan : undefined;
  }
}

function stronger(plan: FaultPlan, answer: FaultAnswer): void {
  if (!plan.answer || STRENGTH[answer.kind] > STRENGTH[plan.answer.kind]) plan.answer = answer;
}

/** An error shaped like the one Node raises for the failure a fault stands in for. */
export function faultError(kind: 'refuse' | 'reset', backend: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException =
    kind === 'refuse' ? new Error(`connect ECONNREFUSED (injected fault on ${backend})`) : new Error(`socket hang up (injected fault on ${backend})`);
  err.code = kind === 'refuse' ? 'ECONNREFUSED' : 'ECONNRESET';
  return err;
}
