/**
 * A service's health, retry and timeout settings as the settings form edits
 * them: every number a string as typed, each check section with an on/off
 * switch. `checkSettings` turns the draft into a `services:update` patch with
 * the core's own schemas, holding only the sections whose values changed, or
 * says what is wrong per field. Fields the form does not show (a check's
 * expected statuses, the retry budget, ...) keep the service's values.
 */
import type { ServiceView } from '../../core/contract';
import { HealthCheckSchema, PassiveHealthSchema, RetrySchema, TimeoutsSchema, type Protocol } from '../../core/model/spec';
import type { ServicePatch } from '../store/actions';
import { issueText, numberOf, type IssueLike } from './issues';

export interface SettingsDraft {
  health: { on: boolean; path: string; intervalMs: string; timeoutMs: string; rise: string; fall: string; send: string; expect: string };
  passive: { on: boolean; consecutive5xx: string; consecutiveErrors: string; baseEjectionMs: string; maxEjectedPercent: string };
  retries: { attempts: string; onStatus: string; retryNonIdempotent: boolean };
  timeouts: { connectMs: string; responseMs: string; idleMs: string };
}

export type Section = keyof SettingsDraft;

/** What the form shows for each field, by `section.field`: the label, so an error can name it. */
export const FIELD_LABELS: Record<string, string> = {
  'health.path': 'Path',
  'health.intervalMs': 'Check interval',
  'health.timeoutMs': 'Check timeout',
  'health.rise': 'Rise',
  'health.fall': 'Fall',
  'health.send': 'Send',
  'health.expect': 'Expect',
  'passive.consecutive5xx': 'Consecutive 5xx',
  'passive.consecutiveErrors': 'Consecutive errors',
  'passive.baseEjectionMs': 'Base ejection',
  'passive.maxEjectedPercent': 'Max ejected',
  'retries.attempts': 'Tries per request',
  'retries.onStatus': 'Also retry on statuses',
  'timeouts.connectMs': 'Connect timeout',
  'timeouts.responseMs': 'Response timeout',
  'timeouts.idleMs': 'Idle timeout',
};

/** What a TCP service calls differently: its retries are new connect attempts. */
const TCP_LABELS: Record<string, string> = { 'retries.attempts': 'Tries per connection' };

export const labelOf = (key: string, protocol: Protocol): string => (protocol === 'tcp' ? TCP_LABELS[key] : undefined) ?? FIELD_LABELS[key] ?? key;

/** The check a service gets when its active checks are switched on: the schema's defaults, over TCP for a TCP service. */
const defaultHealth = (protocol: Protocol) => HealthCheckSchema.parse(protocol === 'tcp' ? { type: 'tcp' } : {});
const DEFAULT_PASSIVE = PassiveHealthSchema.parse({});

export function settingsDraftOf(service: ServiceView): SettingsDraft {
  const h = service.healthCheck ?? defaultHealth(service.protocol);
  const p = service.passiveHealth ?? DEFAULT_PASSIVE;
  const { retries: r, timeouts: t } = service;
  return {
    health: {
      on: service.healthCheck !== undefined,
      path: h.path,
      intervalMs: String(h.intervalMs),
      timeoutMs: String(h.timeoutMs),
      rise: String(h.rise),
      fall: String(h.fall),
      send: h.send ?? '',
      expect: h.expect ?? '',
    },
    passive: {
      on: service.passiveHealth?.enabled === true,
      consecutive5xx: String(p.consecutive5xx),
      consecutiveErrors: String(p.consecutiveErrors),
      baseEjectionMs: String(p.baseEjectionMs),
      maxEjectedPercent: String(p.maxEjectedPercent),
    },
    retries: { attempts: String(r.attempts), onStatus: r.onStatus.join(', '), retryNonIdempotent: r.retryNonIdempotent },
    timeouts: { connectMs: String(t.connectMs), responseMs: String(t.responseMs), idleMs: String(t.idleMs) },
  };
}

export interface SettingsCheck {
  /** The sections that changed, when every shown field is valid; `{}` when nothing changed. */
  patch?: ServicePatch;
  /** First problem per field, keyed `section.field` as in FIELD_LABELS. */
  errors: Record<string, string>;
}

/**
 * A number field as the schema gets it. Empty is NaN, not undefined: the
 * schemas have defaults, and a cleared field must read "enter a number"
 * rather than quietly send the default.
 */
const num = (text: string): number => numberOf(text) ?? NaN;

/** `502, 503 504` as numbers, or undefined when an item is not a whole number. */
function statusList(text: string): number[] | undefined {
  const items = text.split(/[\s,]+/).filter((s) => s !== '');
  return items.every((s) => /^\d+$/.test(s)) ? items.map(Number) : undefined;
}

/** Same JSON value, whatever the key order (undefined properties count as absent). */
function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(norm)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function collect(section: Section, issues: readonly IssueLike[], into: Record<string, string>, value: Record<string, unknown>): void {
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    const key = `${section}.${field}`;
    // A bad item of a list names the item: "200: must be at least 400".
    const item = issue.path.length > 1 && Array.isArray(value[field]) ? `${String((value[field] as unknown[])[issue.path[1] as number])}: ` : '';
    into[key] ??= item + issueText(issue);
  }
}

/**
 * The draft checked against `service` (a service of its protocol): the
 * fields a TCP service ignores (onStatus, retrying POST, a check's path, the
 * response timeout, 5xx ejection) keep the service's values and are never
 * flagged; nor is an HTTP service's idle timeout, which only TCP uses.
 */
export function checkSettings(draft: SettingsDraft, service: ServiceView): SettingsCheck {
  const tcp = service.protocol === 'tcp';
  const errors: Record<string, string> = {};
  const patch: ServicePatch = {};

  if (!draft.health.on) {
    if (service.healthCheck !== undefined) patch.healthCheck = null;
  } else {
    const d = draft.health;
    const candidate: Record<string, unknown> = {
      ...(service.healthCheck ?? defaultHealth(service.protocol)),
      intervalMs: num(d.intervalMs),
      timeoutMs: num(d.timeoutMs),
      rise: num(d.rise),
      fall: num(d.fall),
    };
    if (!tcp) candidate.path = d.path.trim();
    else {
      // Empty means none: a plain connect check.
      delete candidate.send;
      delete candidate.expect;
      if (d.send !== '') candidate.send = d.send;
      if (d.expect !== '') candidate.expect = d.expect;
    }
    const parsed = HealthCheckSchema.safeParse(candidate);
    if (!parsed.success) collect('health', parsed.error.issues, errors, candidate);
    else if (!sameValue(parsed.data, service.healthCheck)) patch.healthCheck = parsed.data;
  }

  if (!draft.passive.on) {
    if (service.passiveHealth !== undefined && service.passiveHealth.enabled) patch.passiveHealth = null;
  } else {
    const d = draft.passive;
    const candidate: Record<string, unknown> = {
      ...(service.passiveHealth ?? DEFAULT_PASSIVE),
      enabled: true,
      consecutiveErrors: num(d.consecutiveErrors),
      baseEjectionMs: num(d.baseEjectionMs),
      maxEjectedPercent: num(d.maxEjectedPercent),
    };
    if (!tcp) candidate.consecutive5xx = num(d.consecutive5xx);
    const parsed = PassiveHealthSchema.safeParse(candidate);
    if (!parsed.success) collect('passive', parsed.error.issues, errors, candidate);
    else if (!sameValue(parsed.data, service.passiveHealth)) patch.passiveHealth = parsed.data;
  }

  {
    const d = draft.retries;
    const candidate: Record<string, unknown> = { ...service.retries, attempts: num(d.attempts) };
    if (!tcp) {
      candidate.retryNonIdempotent = d.retryNonIdempotent;
      const list = statusList(d.onStatus);
      if (list === undefined) errors['retries.onStatus'] = 'HTTP statuses separated by commas, e.g. 502, 503, 504';
      else candidate.onStatus = list;
    }
    const parsed = RetrySchema.safeParse(candidate);
    if (!parsed.success) collect('retries', parsed.error.issues, errors, candidate);
    else if (!errors['retries.onStatus'] && !sameValue(parsed.data, service.retries)) patch.retries = parsed.data;
  }

  {
    const d = draft.timeouts;
    const candidate: Record<string, unknown> = { ...service.timeouts, connectMs: num(d.connectMs) };
    if (tcp) candidate.idleMs = num(d.idleMs);
    else candidate.responseMs = num(d.responseMs);
    const parsed = TimeoutsSchema.safeParse(candidate);
    if (!parsed.success) collect('timeouts', parsed.error.issues, errors, candidate);
    else if (!sameValue(parsed.data, service.timeouts)) patch.timeouts = parsed.data;
  }

  return Object.keys(errors).length > 0 ? { errors } : { patch, errors };
}
