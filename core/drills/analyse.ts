/**
 * Turns what a drill watched into its report. Pure: the run (./run) hands
 * over the steps as applied, the balancer's events, the service's stats
 * ticks, the clients' failure counts over time and the load's summaries.
 */
import type { WorkbenchEvent } from '../contract/events';
import type { LoadSummary } from '../demo/load/types';
import { noFailures } from '../demo/load/types';
import type { ErrorData } from '../model/errors';
import type { ServiceSnapshot } from '../stats/types';
import type { DrillEventRecord, DrillReport, DrillResult, DrillSample, DrillStepResult, DrillVerdict, MethodOutcomes } from './report';
import { stepLabel, type DrillSpec, type DrillStep } from './spec';
import { failureWords } from '../contract/words';

export interface StepRecord {
  index: number;
  step: DrillStep;
  service: string;
  /** When it was applied (ctx.now() clock), or null when it never ran. */
  appliedAt: number | null;
  error?: ErrorData;
}

/** The clients' failed requests so far, all methods, at a time. */
export interface FailurePoint {
  at: number;
  total: number;
}

export interface Observations {
  drill: DrillSpec;
  result: DrillResult;
  error?: ErrorData | undefined;
  /** When the load started and the drill ended (ctx.now() clock). */
  t0: number;
  end: number;
  steps: readonly StepRecord[];
  events: readonly WorkbenchEvent[];
  samples: ReadonlyArray<{ at: number; service: ServiceSnapshot }>;
  failures: readonly FailurePoint[];
  parts: ReadonlyArray<{ methods: string[]; summary: LoadSummary }>;
  resent: { idempotent: number; nonIdempotent: number };
}

const DAMAGING = new Set(['kill', 'fault']);
const HEALING = new Set(['revive', 'heal']);

export function buildReport(o: Observations): DrillReport {
  const { drill, t0, end } = o;
  const rel = (at: number) => Math.round(at - t0);
  const inRun = (at: number) => at >= t0 && at <= end;
  const services = new Set([drill.service, ...o.steps.map((s) => s.service)]);

  const events: DrillEventRecord[] = [];
  for (const e of o.events) {
    if (!inRun(e.at)) continue;
    const record = eventRecord(e, services);
    if (record) events.push({ ...record, tMs: rel(e.at) });
  }
  const samples: DrillSample[] = o.samples.filter((s) => inRun(s.at)).map((s) => sample(s.service, rel(s.at)));

  const byMethod: Record<string, MethodOutcomes> = {};
  const total = emptyOutcomes();
  for (const { methods, summary } of o.parts) {
    // A part runs one method (the run splits by method); a mixed part is counted under its methods joined.
    const name = methods.join('+');
    const m = (byMethod[name] ??= emptyOutcomes());
    addOutcomes(m, summary);
    addOutcomes(total, summary);
  }

  const steps = o.steps.map((rec) => stepResult(rec, o, rel));
  const retries = samples.reduce((a, s) => a + s.retries, 0);
  const ejections = events.filter((e) => e.type === 'backend:ejected').length;
  const healthTransitions = events.filter((e) => e.type === 'health:changed').length;
  const summaries = o.parts.map((p) => p.summary);
  const count = summaries.reduce((a, s) => a + s.latency.count, 0);

  const report: DrillReport = {
    drill: drill.name,
    service: drill.service,
    result: o.result,
    startedAt: t0,
    endedAt: end,
    durationMs: Math.round(end - t0),
    load: {
      rate: drill.load.rate,
      requests: drill.load.requests,
      achievedRate: round(summaries.reduce((a, s) => a + s.rate, 0), 1),
      latency: {
        p50: round(count > 0 ? summaries.reduce((a, s) => a + s.latency.p50 * s.latency.count, 0) / count : 0, 2),
        p99: round(Math.max(0, ...summaries.map((s) => s.latency.p99)), 2),
        max: round(Math.max(0, ...summaries.map((s) => s.latency.max)), 2),
      },
    },
    requests: { total, byMethod },
    retries,
    resent: o.resent,
    ejections,
    healthTransitions,
    steps,
    events,
    samples,
    verdict: verdict(o, byMethod, total, steps),
  };
  if (drill.description !== undefined) report.description = drill.description;
  if (o.error) report.error = o.error;
  return report;
}

function stepResult(rec: StepRecord, o: Observations, rel: (at: number) => number): DrillStepResult {
  const { step } = rec;
  const out: DrillStepResult = {
    index: rec.index,
    atMs: step.atMs,
    action: step.action,
    service: rec.service,
    backend: step.backend ?? null,
    label: stepLabel(step),
    appliedAtMs: rec.appliedAt === null ? null : rel(rec.appliedAt),
    detectMs: null,
    detectedBy: null,
    recoverMs: null,
    failuresAfter: 0,
  };
  if (rec.error) out.error = rec.error;
  const at = rec.appliedAt;
  if (at === null || rec.error) return out;
  // The window runs to the next step planned later (steps planned together share it), or the end.
  const next = o.steps.filter((s) => s.appliedAt !== null && s.step.atMs > step.atMs).reduce((min, s) => Math.min(min, s.appliedAt!), o.end);
  out.failuresAfter = failuresAt(o.failures, next) - failuresAt(o.failures, at);

  // Detection: the balancer's first reaction on that backend, before the next step on it.
  const sameBackend = (s: StepRecord) => s.service === rec.service && s.step.backend === step.backend;
  const nextOnBackend = o.steps.filter((s) => s !== rec && sameBackend(s) && s.appliedAt !== null && s.appliedAt > at).reduce((min, s) => Math.min(min, s.appliedAt!), o.end);
  if (step.backend !== undefined && DAMAGING.has(step.action)) {
    const hit = o.events.find((e) => {
      if (e.type !== 'health:changed' && e.type !== 'backend:ejected') return false;
      if (e.at < at || e.at > nextOnBackend || e.service !== rec.service) return false;
      if (e.backend !== step.backend && e.backendId !== step.backend) return false;
      return e.type === 'backend:ejected' || e.to === 'unhealthy';
    });
    if (hit) {
      out.detectMs = Math.round(hit.at - at);
      out.detectedBy = hit.type === 'health:changed' ? 'health check failed' : 'ejected';
    }
  } else if (step.backend !== undefined && HEALING.has(step.action)) {
    const revived = revivalSeen(o, rec.service, step.backend, at, nextOnBackend);
    if (revived) {
      out.detectMs = Math.round(revived.at - at);
      out.detectedBy = revived.by;
    }
  }

  if (DAMAGING.has(step.action)) {
    // Until the clients stopped seeing failures: the last report in the window that counted new ones.
    let prev = failuresAt(o.failures, at);
    let lastRise: number | undefined;
    for (const p of o.failures) {
      if (p.at <= at || p.at > next) continue;
      if (p.total > prev) lastRise = p.at;
      prev = p.total;
    }
    out.recoverMs = lastRise === undefined ? 0 : Math.round(lastRise - at);
  } else if (HEALING.has(step.action) && step.backend !== undefined) {
    // Until the backend took traffic again.
    const back = o.samples.find((s) => s.at > at && s.at <= next && s.service.backends.some((b) => (b.name === step.backend || b.id === step.backend) && b.requests > 0));
    if (back) out.recoverMs = Math.round(back.at - at);
  }
  return out;
}

/**
 * When the balancer had a revived or healed backend back: the backend out
 * of the pool at `at` (unhealthy by its checks, ejected by passive health)
 * must be healthy again and returned, and then take traffic; the first
 * stats tick after that which shows it served requests is the moment. An
 * ejection period running out while checks still fail is not a revival.
 */
function revivalSeen(o: Observations, service: string, backend: string, at: number, until: number): { at: number; by: string } | undefined {
  const mine = o.events.filter((e) => (e.type === 'health:changed' || e.type === 'backend:ejected' || e.type === 'backend:returned') && e.service === service && (e.backend === backend || e.backendId === backend));
  let unhealthy = false;
  let ejected = false;
  for (const e of mine) {
    if (e.at >= at) break;
    if (e.type === 'health:changed') unhealthy = e.to === 'unhealthy';
    else ejected = e.type === 'backend:ejected';
  }
  // The moment both hold again, walking the events after the step.
  let usableAt = at;
  for (const e of mine) {
    if (e.at < at || e.at > until || (!unhealthy && !ejected)) continue;
    if (e.type === 'health:changed') unhealthy = e.to === 'unhealthy';
    else ejected = e.type === 'backend:ejected';
    usableAt = e.at;
  }
  if (unhealthy || ejected) return undefined;
  const traffic = o.samples.find((s) => s.at > usableAt && s.at <= until && s.service.backends.some((b) => (b.name === backend || b.id === backend) && b.requests > 0));
  if (!traffic) return undefined;
  return { at: traffic.at, by: usableAt === at ? 'taking traffic' : 'healthy again and taking traffic' };
}

/** Failures counted by `at`: the last point at or before it. */
function failuresAt(points: readonly FailurePoint[], at: number): number {
  let total = 0;
  for (const p of points) {
    if (p.at > at) break;
    total = p.total;
  }
  return total;
}

function verdict(o: Observations, byMethod: Record<string, MethodOutcomes>, total: MethodOutcomes, steps: DrillStepResult[]): DrillVerdict {
  const gets = byMethod.GET;
  const posts = byMethod.POST;
  const failedGets = gets?.failedTotal ?? 0;
  const duplicatedPosts = o.resent.nonIdempotent;
  const lines: string[] = [];
  if (o.result !== 'completed') lines.push(o.result === 'stopped' ? 'The drill was stopped before its end.' : `The drill failed: ${o.error?.message ?? 'unknown error'}.`);
  if (gets) lines.push(failedGets === 0 ? `No GET failed (${gets.sent} sent).` : `${failedGets} of ${gets.sent} GETs failed (${describeFailures(gets)}).`);
  lines.push(
    duplicatedPosts === 0
      ? 'No POST was sent twice.'
      : `${duplicatedPosts} non-idempotent request(s) were sent again after reaching a backend: they may have run twice.`,
  );
  if (posts && posts.failedTotal > 0) {
    lines.push(`${posts.failedTotal} of ${posts.sent} POSTs failed (${describeFailures(posts)}); a POST already sent is not retried, so one in flight on a dying backend fails rather than risk running twice.`);
  }
  for (const s of steps) {
    if (s.error) {
      lines.push(`${s.label}: failed: ${s.error.message}.`);
      continue;
    }
    if (s.appliedAtMs === null) continue;
    const parts = [`${s.label} at ${(s.appliedAtMs / 1000).toFixed(1)} s`];
    if (s.detectMs !== null) parts.push(`detected in ${s.detectMs} ms (${s.detectedBy})`);
    if (s.recoverMs !== null) parts.push(DAMAGING.has(s.action) ? `clients recovered in ${s.recoverMs} ms` : `traffic back in ${s.recoverMs} ms`);
    if (s.failuresAfter > 0) parts.push(`${s.failuresAfter} failed request(s) until the next step`);
    lines.push(`${parts.join(', ')}.`);
  }
  return { clean: o.result === 'completed' && failedGets === 0 && duplicatedPosts === 0, failedGets, duplicatedPosts, failedRequests: total.failedTotal, lines };
}

function describeFailures(m: MethodOutcomes): string {
  const parts = (Object.entries(m.failed) as Array<[keyof MethodOutcomes['failed'], number]>).filter(([, n]) => n > 0).map(([k, n]) => failureWords(k, n));
  return parts.join(', ') || 'none';
}

function eventRecord(e: WorkbenchEvent, services: ReadonlySet<string>): Omit<DrillEventRecord, 'tMs'> | undefined {
  switch (e.type) {
    case 'health:changed':
      return services.has(e.service) ? { type: e.type, backend: e.backend, detail: `${e.from} → ${e.to} (${e.cause})` } : undefined;
    case 'backend:ejected':
      return services.has(e.service) ? { type: e.type, backend: e.backend, detail: `for ${e.durationMs} ms (${e.cause})` } : undefined;
    case 'backend:returned':
      return services.has(e.service) ? { type: e.type, backend: e.backend, detail: e.cause } : undefined;
    case 'faults:changed':
      return services.has(e.service) ? { type: e.type, backend: e.backend, detail: e.labels.join(', ') || 'healed' } : undefined;
    case 'demo:changed':
      return { type: e.type, backend: e.name, detail: e.change };
    case 'drill:step':
      return { type: e.type, backend: e.backend ?? '', detail: e.error ? `${e.label}: ${e.error.message}` : e.label };
    default:
      return undefined;
  }
}

function sample(s: ServiceSnapshot, tMs: number): DrillSample {
  return {
    tMs,
    rps: round(s.rps, 1),
    errors: s.errors.refused + s.errors.reset + s.errors.timeout + s.errors.other,
    status5xx: s.status['5xx'],
    retries: s.retries,
    p50: s.latency ? round(s.latency.p50, 2) : null,
    p99: s.latency ? round(s.latency.p99, 2) : null,
    backends: s.backends.map((b) => ({ name: b.name, rps: round(b.rps, 1), health: b.health, ejected: b.ejected, available: b.available, faults: b.faults })),
  };
}

function emptyOutcomes(): MethodOutcomes {
  return { sent: 0, ok: 0, failed: noFailures(), failedTotal: 0, cancelled: 0, skipped: 0 };
}

function addOutcomes(into: MethodOutcomes, s: LoadSummary): void {
  into.sent += s.sent;
  into.ok += s.ok;
  for (const k of Object.keys(into.failed) as Array<keyof MethodOutcomes['failed']>) {
    into.failed[k] += s.failed[k];
    into.failedTotal += s.failed[k];
  }
  into.cancelled += s.cancelled;
  into.skipped += s.skipped;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
