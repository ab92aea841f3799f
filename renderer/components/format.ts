/** Formatting shared by the components: numbers, times and event summaries. */
import type { WorkbenchEvent } from '../../core/contract';
import type { FailureCounts } from '../../core/demo/load/types';
import type { CheckResult } from '../../core/model/backend';

export function formatTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatRate(n: number | undefined): string {
  if (n === undefined) return '–';
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function formatMs(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  return n >= 100 ? `${n.toFixed(0)}` : `${n.toFixed(1)}`;
}

export function formatPercent(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;
}

/** The tooltip of a health badge: what the last check saw, when, and how fast. */
export function checkTitle(check: CheckResult | null | undefined): string {
  if (!check) return 'No health check result yet';
  const latency = check.latencyMs === undefined ? '' : ` in ${check.latencyMs.toFixed(0)} ms`;
  return `Last check ${check.ok ? 'passed' : 'failed'} at ${formatTime(check.at)}: ${check.detail}${latency}`;
}

/** An event as log columns. */
export function eventColumns(e: WorkbenchEvent): { service: string; backend: string; cause: string } {
  switch (e.type) {
    case 'health:changed':
      return { service: e.service, backend: e.backend, cause: `${e.from} → ${e.to}: ${e.cause}` };
    case 'backend:ejected':
      return { service: e.service, backend: e.backend, cause: `${e.cause} (for ${Math.round(e.durationMs / 1000)} s)` };
    case 'backend:returned':
      return { service: e.service, backend: e.backend, cause: e.cause };
    case 'config:changed': {
      // What the user did, then what changed in words (`bravo weight 1 → 3`); an older core sent only the cause.
      const changes = e.changes ?? [];
      return { service: e.service ?? '', backend: '', cause: changes.length ? `${e.cause} — ${changes.join('; ')}` : e.cause };
    }
    case 'config:rejected':
      // What was tried, and why it was refused (the message names the port, the file, the field).
      return { service: '', backend: '', cause: `change refused (${e.cause}), nothing changed: ${e.error.message}` };
    case 'service:listening':
      return { service: e.service, backend: '', cause: `listening on ${e.address}` };
    case 'service:stopped':
      return { service: e.service, backend: '', cause: 'stopped' };
    case 'service:error':
      return { service: e.service, backend: '', cause: `${e.error.code}: ${e.error.message}` };
    case 'faults:changed':
      return { service: e.service, backend: e.backend, cause: e.labels.length ? `faults: ${e.labels.join(', ')}` : 'faults cleared' };
    case 'demo:changed':
      return { service: '', backend: e.name, cause: `demo backend ${e.change}` };
    case 'load:started':
      return { service: e.service ?? '', backend: '', cause: `load started against ${e.target}${e.drill ? ` (drill ${e.drill})` : ''}` };
    case 'load:done':
      return { service: e.service ?? '', backend: '', cause: `load ended (${e.summary.reason}): ${e.summary.sent} sent, ${e.summary.ok} ok` };
    case 'drill:started':
      return { service: e.service, backend: '', cause: `drill ${e.drill} started` };
    case 'drill:step':
      return { service: e.service, backend: e.backend ?? '', cause: e.error ? `${e.label}: ${e.error.message}` : e.label };
    case 'drill:done':
      return { service: '', backend: '', cause: `drill ${e.drill} ${e.result}: ${e.verdict.clean ? 'clean' : 'not clean'}` };
    case 'keyspace:moved':
      return { service: e.service, backend: '', cause: `key space: ${(e.move.moved * 100).toFixed(1)}% of keys moved (ideal ${(e.move.ideal * 100).toFixed(1)}%)` };
  }
}

/** A byte count in B, KiB or MiB. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  if (n < 1024) return `${n.toFixed(0)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Bytes per second, in B/s, KiB/s or MiB/s. */
export function formatBytesRate(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${formatBytes(n)}/s`;
}

/** A count with thousands separated: 12 345. */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US').replace(/,/g, '\u202f');
}

/** Milliseconds as seconds for durations people read: 1.5 s, 25 s. */
export function formatSeconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = ms / 1000;
  return `${s >= 10 || Number.isInteger(s) ? s.toFixed(0) : s.toFixed(1)} s`;
}

const FAILURE_LABELS: Array<[keyof FailureCounts, string]> = [
  ['status5xx', '5xx'],
  ['status4xx', '4xx'],
  ['refused', 'refused'],
  ['reset', 'reset'],
  ['timeout', 'timeout'],
  ['other', 'other'],
];

export function failedTotal(f: FailureCounts): number {
  return f.status4xx + f.status5xx + f.refused + f.reset + f.timeout + f.other;
}

/** "5xx 30 · refused 4", the kinds that happened. */
export function failureBreakdown(f: FailureCounts): string {
  return FAILURE_LABELS.filter(([k]) => f[k] > 0)
    .map(([k, label]) => `${label} ${formatCount(f[k])}`)
    .join(' · ');
}
