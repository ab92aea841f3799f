/**
 * The load run at a glance, above every tab while it runs: what the client
 * sent and got back, the rate it achieved against its target, its latency,
 * and which backends answered. The proxy's own view is in the charts and
 * the backends table right below; this is the client's.
 */
import type { LoadProgress } from '../../core/contract';
import { useApp } from '../store/context';
import { selectDrillRun, selectLoadProgress, selectLoadRun } from '../store/selectors';
import { failedTotal, failureBreakdown, formatCount, formatMs, formatRate, formatSeconds } from './format';

export function LoadStrip() {
  const run = useApp(selectLoadRun);
  const p = useApp(selectLoadProgress);
  const drillRun = useApp(selectDrillRun);
  if (run.state === 'idle') return null;
  const durationMs = run.durationMs ?? (run.drill && drillRun?.drill === run.drill ? drillRun.durationMs : null);
  return (
    <section className="load-strip" data-testid="load-progress" aria-label="Load run">
      <span className="strip-title">
        <span className="live-dot" aria-hidden="true" />
        <strong>{run.drill ? `Drill load (${run.drill})` : 'Load'}</strong>{' '}
        <span className="muted">
          {run.state === 'stopping' ? 'stopping…' : 'running'}
          {run.service ? ` → ${run.service}` : run.target ? ` → ${run.target}` : ''}
        </span>
      </span>
      {p ? <ProgressFigures p={p} durationMs={durationMs} /> : <span className="muted small">starting…</span>}
    </section>
  );
}

function Figure({ label, value, title, bad, testId }: { label: string; value: string; title?: string; bad?: boolean; testId?: string }) {
  return (
    <span className={bad ? 'figure bad' : 'figure'} title={title} data-testid={testId}>
      <span className="figure-label">{label}</span> <span className="figure-value">{value}</span>
    </span>
  );
}

function ProgressFigures({ p, durationMs }: { p: LoadProgress; durationMs: number | null }) {
  const failed = failedTotal(p.failed);
  const rate = p.targetRate !== undefined ? `${formatRate(p.rate.interval)} / ${formatRate(p.targetRate)}` : formatRate(p.rate.interval);
  return (
    <>
      <Figure label="elapsed" value={durationMs ? `${formatSeconds(p.elapsedMs)} / ${formatSeconds(durationMs)}` : formatSeconds(p.elapsedMs)} />
      <Figure label="sent" value={formatCount(p.sent)} testId="load-sent" />
      <Figure label="ok" value={formatCount(p.ok)} testId="load-ok" />
      <Figure label="failed" value={formatCount(failed)} bad={failed > 0} title={failureBreakdown(p.failed) || 'no failures'} testId="load-failed" />
      {failed > 0 && <span className="small bad">({failureBreakdown(p.failed)})</span>}
      {p.skipped > 0 && <Figure label="skipped" value={formatCount(p.skipped)} bad title="Due while the in-flight cap was reached, so not sent" />}
      <Figure label={p.targetRate !== undefined ? 'req/s achieved / target' : 'req/s'} value={rate} testId="load-rate" />
      <Figure label="client p50 / p99" value={p.latency.count > 0 ? `${formatMs(p.latency.p50)} / ${formatMs(p.latency.p99)} ms` : '–'} />
      <BackendCounts counts={p.backends} compact />
    </>
  );
}

/** Answers per backend (by the demo backends' `x-demo-backend` header), with their colours and shares. */
export function BackendCounts({ counts, compact = false }: { counts: Record<string, number>; compact?: boolean }) {
  const demos = useApp((s) => s.demos);
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (entries.length === 0) return compact ? null : <p className="empty small">No answers named a demo backend (only demo backends send the header counted here).</p>;
  return (
    <span className={compact ? 'backend-counts compact' : 'backend-counts'} data-testid="load-backends" title="Answers per backend, as the client counted them">
      {entries.map(([name, n]) => (
        <span key={name} className="backend-count">
          <span className="swatch" style={{ background: demos.find((d) => d.name === name)?.colour ?? '#8a8f98' }} aria-hidden="true" />
          {name} <strong>{formatCount(n)}</strong>
          {!compact && total > 0 && <span className="muted"> ({Math.round((n / total) * 100)}%)</span>}
        </span>
      ))}
    </span>
  );
}
