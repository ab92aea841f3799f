/**
 * A fault as a form edits it: every field a string as typed, toxicity in
 * percent. `checkFault` turns a draft into a Fault with the core's own
 * FaultSchema (re-exported by the contract for exactly this), so the UI
 * refuses what the core would refuse, with the same rules.
 */
import { FaultSchema, type Fault } from '../../core/contract';
import { faultMismatch } from '../../core/faults/protocols';
import type { FaultType } from '../../core/faults/spec';
import type { Protocol } from '../../core/model/spec';
import { issuesByPath, numberOf } from './issues';

export const FAULT_TYPE_LABELS: Record<FaultType, string> = {
  latency: 'Latency',
  error: 'Error status',
  reset: 'Connection reset',
  hang: 'Hang',
  bandwidth: 'Bandwidth',
  down: 'Down',
  blackhole: 'Blackhole',
  'slow-close': 'Slow close',
};

export type ResetWhen = Extract<Fault, { type: 'reset' }>['when'];

/** When a reset happens, in each protocol's terms, with what the menu says. */
export const RESET_WHEN: Record<Protocol, ReadonlyArray<[ResetWhen, string]>> = {
  http: [
    ['before-response', 'before the response'],
    ['mid-body', 'in the middle of the body'],
  ],
  tcp: [
    ['connect', 'at connect'],
    ['after-bytes', 'after some bytes'],
  ],
};

/** Whether a reset lets bytes through first (and so has `afterBytes`). */
export const resetAfterBytes = (when: ResetWhen) => when === 'mid-body' || when === 'after-bytes';

export interface FaultDraft {
  /** Unique per draft, for React keys and input ids. */
  key: number;
  type: FaultType;
  enabled: boolean;
  /** Percent, 0..100. */
  toxicity: string;
  /** Latency's delay, or slow-close's. */
  ms: string;
  jitterMs: string;
  /** TCP latency: every chunk rather than the connect. */
  perChunk: boolean;
  status: string;
  when: ResetWhen;
  afterBytes: string;
  kibPerSec: string;
}

let nextKey = 1;

export function newFaultDraft(type: FaultType = 'error', protocol: Protocol = 'http'): FaultDraft {
  return {
    key: nextKey++,
    type,
    enabled: true,
    toxicity: '100',
    ms: '300',
    jitterMs: '0',
    perChunk: false,
    status: '503',
    when: protocol === 'tcp' ? 'connect' : 'before-response',
    afterBytes: '1024',
    kibPerSec: '64',
  };
}

function trimNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

export function draftOf(f: Fault): FaultDraft {
  const d = newFaultDraft(f.type);
  d.enabled = f.enabled;
  d.toxicity = trimNumber(f.toxicity * 100);
  if (f.type === 'latency') {
    d.ms = String(f.ms);
    d.jitterMs = String(f.jitterMs);
    d.perChunk = f.perChunk === true;
  } else if (f.type === 'slow-close') {
    d.ms = String(f.ms);
  } else if (f.type === 'error') {
    d.status = String(f.status);
  } else if (f.type === 'reset') {
    d.when = f.when;
    d.afterBytes = String(f.afterBytes);
  } else if (f.type === 'bandwidth') {
    d.kibPerSec = String(f.kibPerSec);
  }
  return d;
}

/** What the draft asks for, before validation: only the fields of its type. */
function candidateOf(d: FaultDraft, toxicity: number | undefined): Record<string, unknown> {
  const base = { type: d.type, enabled: d.enabled, toxicity };
  switch (d.type) {
    case 'latency': {
      const latency = { ...base, ms: numberOf(d.ms), jitterMs: numberOf(d.jitterMs) };
      // Only when set, so an HTTP latency fault is exactly what it always was.
      return d.perChunk ? { ...latency, perChunk: true } : latency;
    }
    case 'slow-close':
      return { ...base, ms: numberOf(d.ms) };
    case 'error':
      return { ...base, status: numberOf(d.status) };
    case 'reset':
      return resetAfterBytes(d.when) ? { ...base, when: d.when, afterBytes: numberOf(d.afterBytes) } : { ...base, when: d.when };
    case 'bandwidth':
      return { ...base, kibPerSec: numberOf(d.kibPerSec) };
    default:
      return base;
  }
}

export interface FaultCheck {
  fault?: Fault;
  /** First problem per field: `toxicity`, `ms`, `status`, ... */
  errors: Record<string, string>;
}

/** The draft as a Fault for a service of `protocol`, or the problems per field. */
export function checkFault(d: FaultDraft, protocol: Protocol = 'http'): FaultCheck {
  const errors: Record<string, string> = {};
  const pct = numberOf(d.toxicity);
  if (pct === undefined || !Number.isFinite(pct)) errors.toxicity = 'enter a percentage';
  else if (pct < 0 || pct > 100) errors.toxicity = 'must be 0–100%';
  const toxicity = errors.toxicity ? 1 : pct! / 100;
  const parsed = FaultSchema.safeParse(candidateOf(d, toxicity));
  if (!parsed.success) {
    for (const [field, message] of Object.entries(issuesByPath(parsed.error.issues))) errors[field] ??= message;
    return { errors };
  }
  const mismatch = faultMismatch(parsed.data, protocol);
  if (mismatch) errors[mismatch.field] ??= mismatch.why;
  return Object.keys(errors).length > 0 ? { errors } : { fault: parsed.data, errors };
}

/** Every draft checked; `faults` only when all of them are valid. */
export function checkFaults(drafts: readonly FaultDraft[], protocol: Protocol = 'http'): { faults?: Fault[]; checks: FaultCheck[] } {
  const checks = drafts.map((d) => checkFault(d, protocol));
  if (checks.some((c) => !c.fault)) return { checks };
  return { faults: checks.map((c) => c.fault!), checks };
}
