/**
 * A service's health, retry, timeout, HTTP and TLS settings as the settings
 * form edits them: every number a string as typed, each check section with an
 * on/off switch. `checkSettings` turns the draft into a `services:update`
 * patch with the core's own schemas, holding only the sections whose values
 * changed, or says what is wrong per field. Fields the form does not show (a
 * check's expected statuses, the retry budget, ...) keep the service's values.
 */
import type { ServiceView } from '../../core/contract';
import {
  HealthCheckSchema,
  LimitsSchema,
  PassiveHealthSchema,
  RetrySchema,
  TimeoutsSchema,
  TlsSchema,
  type Protocol,
  type TlsSpec,
} from '../../core/model/spec';
import type { ServicePatch } from '../store/actions';
import { issueText, numberOf, type IssueLike } from './issues';

export interface SettingsDraft {
  health: { on: boolean; path: string; intervalMs: string; timeoutMs: string; rise: string; fall: string; send: string; expect: string };
  passive: { on: boolean; consecutive5xx: string; consecutiveErrors: string; baseEjectionMs: string; maxEjectedPercent: string };
  retries: { attempts: string; onStatus: string; retryNonIdempotent: boolean };
  timeouts: { connectMs: string; responseMs: string; idleMs: string; clientHeadersMs: string };
  /** HTTP services: `limits.maxHeaderBytes` shown in KiB, and `rewriteRedirects`. */
  http: { maxHeaderKiB: string; rewriteRedirects: boolean };
  /** HTTP services: how https:// backends are reached; the empty strings mean "not set". */
  tls: { verify: boolean; ca: string; servername: string };
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
  'timeouts.clientHeadersMs': 'Client headers timeout',
  'http.maxHeaderKiB': 'Max header size',
  'tls.ca': 'CA file',
  'tls.servername': 'Server name',
};

/** What a TCP service calls differently: its retries are new connect attempts. */
const TCP_LABELS: Record<string, string> = { 'retries.attempts': 'Tries per connection' };

export const labelOf = (key: string, protocol: Protocol): string => (protocol === 'tcp' ? TCP_LABELS[key] : undefined) ?? FIELD_LABELS[key] ?? key;

/** The check a service gets when its active checks are switched on: the schema's defaults, over TCP for a TCP service. */
const defaultHealth = (protocol: Protocol) => HealthCheckSchema.parse(protocol === 'tcp' ? { type: 'tcp' } : {});
const DEFAULT_PASSIVE = PassiveHealthSchema.parse({});
/** What a service without a `tls` section does: verify against Node's CAs and the URL's host. */
const DEFAULT_TLS: TlsSpec = TlsSchema.parse({});
const KIB = 1024;

export function settingsDraftOf(service: ServiceView): SettingsDraft {
  const h = service.healthCheck ?? defaultHealth(service.protocol);
  const p = service.passiveHealth ?? DEFAULT_PASSIVE;
  const { retries: r, timeouts: t } = service;
  const tls = service.tls ?? DEFAULT_TLS;
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
    timeouts: { connectMs: String(t.connectMs), responseMs: String(t.responseMs), idleMs: String(t.idleMs), clientHeadersMs: String(t.clientHeadersMs) },
    // KiB as an exact decimal (bytes / 1024 always is one), so an untouched field gives the same bytes back.
    http: { maxHeaderKiB: String(service.limits.maxHeaderBytes / KIB), rewriteRedirects: service.rewriteRedirects },
    tls: { verify: tls.verify, ca: tls.ca ?? '', servername: tls.servername ?? '' },
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
 * response and client-headers timeouts, 5xx ejection, header size, redirect
 * rewriting, TLS) keep the service's values and are never flagged.
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
    const candidate: Record<string, unknown> = { ...service.timeouts, connectMs: num(d.connectMs), idleMs: num(d.idleMs) };
    if (!tcp) {
      candidate.responseMs = num(d.responseMs);
      candidate.clientHeadersMs = num(d.clientHeadersMs);
    }
    const parsed = TimeoutsSchema.safeParse(candidate);
    if (!parsed.success) collect('timeouts', parsed.error.issues, errors, candidate);
    else if (!sameValue(parsed.data, service.timeouts)) patch.timeouts = parsed.data;
  }

  if (!tcp) {
    const kib = num(draft.http.maxHeaderKiB);
    // Whole bytes: 1.5 KiB is 1536; the schema then judges the bytes, and its limits are said back in KiB.
    const candidate = { ...service.limits, maxHeaderBytes: Number.isFinite(kib) ? Math.round(kib * KIB) : kib };
    const parsed = LimitsSchema.safeParse(candidate);
    if (!parsed.success) errors['http.maxHeaderKiB'] = inKiB(parsed.error.issues[0]!);
    else if (!sameValue(parsed.data, service.limits)) patch.limits = parsed.data;
    if (draft.http.rewriteRedirects !== service.rewriteRedirects) patch.rewriteRedirects = draft.http.rewriteRedirects;
    checkTls(draft.tls, service.tls, patch, errors);
  }

  return Object.keys(errors).length > 0 ? { errors } : { patch, errors };
}

/** A limits issue about bytes, said in the KiB the field shows. */
function inKiB(issue: IssueLike): string {
  if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.message.startsWith('Too')) {
    const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum) / KIB;
    return `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} KiB`;
  }
  return issueText(issue);
}

/**
 * The TLS section: unchanged settings send nothing; settings back at the
 * defaults (verify, no CA, no server name) remove the section (`tls: null`)
 * rather than write the defaults out; anything else replaces it whole.
 */
function checkTls(d: SettingsDraft['tls'], current: TlsSpec | undefined, patch: ServicePatch, errors: Record<string, string>): void {
  const candidate: Record<string, unknown> = { verify: d.verify };
  // Empty means not set: Node's own CAs, the host of the backend URL.
  if (d.ca.trim() !== '') candidate.ca = d.ca.trim();
  if (d.servername.trim() !== '') candidate.servername = d.servername.trim();
  const parsed = TlsSchema.safeParse(candidate);
  if (!parsed.success) return collect('tls', parsed.error.issues, errors, candidate);
  if (sameValue(parsed.data, current ?? DEFAULT_TLS)) return;
  patch.tls = current !== undefined && sameValue(parsed.data, DEFAULT_TLS) ? null : parsed.data;
}
