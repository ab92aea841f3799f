/**
 * The load generator's form as typed (strings, seconds) and its conversion
 * to a `load:start` spec, checked with the contract's LoadStartSpecSchema so
 * the form refuses what the core would. The request mix is shared with the
 * drill editor.
 */
import { LoadStartSpecSchema } from '../../core/contract';
import { LOAD_METHODS } from '../../core/demo/load/spec';
import type { LoadStartSpec } from '../store/lab-actions';
import { issuesByPath, numberOf } from './issues';

export type Method = (typeof LOAD_METHODS)[number];
export { LOAD_METHODS };

export interface MixDraft {
  key: number;
  method: Method;
  path: string;
  weight: string;
}

export interface KeyDraft {
  on: boolean;
  kind: 'header' | 'cookie';
  name: string;
  count: string;
}

export interface LoadForm {
  /** The service to load; null follows the selected service. */
  service: string | null;
  mode: 'open' | 'closed';
  rate: string;
  ramp: boolean;
  rampFromRate: string;
  /** Seconds. */
  rampSeconds: string;
  concurrency: string;
  /** Seconds. */
  duration: string;
  mix: MixDraft[];
  bodyBytes: string;
  key: KeyDraft;
}

let nextKey = 1;

export function mixRow(method: Method = 'GET', path = '/', weight = '1'): MixDraft {
  return { key: nextKey++, method, path, weight };
}

export const defaultKey = (): KeyDraft => ({ on: false, kind: 'header', name: 'x-user', count: '100' });

export function defaultLoadForm(): LoadForm {
  return {
    service: null,
    mode: 'open',
    rate: '50',
    ramp: false,
    rampFromRate: '0',
    rampSeconds: '10',
    concurrency: '4',
    duration: '60',
    mix: [mixRow()],
    bodyBytes: '0',
    key: defaultKey(),
  };
}

/** Seconds typed into a field as whole ms; empty or not a number is NaN, which the schema reports. */
export function msOf(seconds: string): number {
  const n = numberOf(seconds);
  return n === undefined || !Number.isFinite(n) ? NaN : Math.round(n * 1000);
}

export function mixOf(rows: readonly MixDraft[]) {
  return rows.map((r) => ({ method: r.method, path: r.path.trim(), weight: numberOf(r.weight) ?? NaN }));
}

export function keyOf(k: KeyDraft) {
  if (!k.on) return undefined;
  const count = numberOf(k.count) ?? NaN;
  return k.kind === 'header' ? { header: k.name.trim(), count } : { cookie: k.name.trim(), count };
}

/** The spec the form describes, or its problems keyed by path (`rate`, `requests.0.path`, `key.count`). */
export function loadSpecOf(form: LoadForm): { spec?: LoadStartSpec; errors: Record<string, string> } {
  const common = {
    durationMs: msOf(form.duration),
    requests: mixOf(form.mix),
    bodyBytes: numberOf(form.bodyBytes) ?? 0,
    ...(form.key.on ? { key: keyOf(form.key) } : {}),
  };
  const candidate =
    form.mode === 'open'
      ? {
          mode: 'open' as const,
          rate: numberOf(form.rate) ?? NaN,
          ...(form.ramp ? { rampFromRate: numberOf(form.rampFromRate) ?? NaN, rampMs: msOf(form.rampSeconds) } : {}),
          ...common,
        }
      : { mode: 'closed' as const, concurrency: numberOf(form.concurrency) ?? NaN, ...common };
  const parsed = LoadStartSpecSchema.safeParse(candidate);
  if (!parsed.success) return { errors: issuesByPath(parsed.error.issues) };
  // The input as typed (not the parsed output with every default): what load:start is sent.
  return { spec: candidate as LoadStartSpec, errors: {} };
}
