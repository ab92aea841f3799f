/**
 * The client's side of a load run: a chart of the rate it achieved and its
 * p99 (drawn only while the tab shows, and paced like the service's
 * charts), answers per backend, and the summary once the run ends.
 */
import type { LoadSummary } from '../../core/contract';
import { LoadChart } from '../charts/LoadChart';
import { usePaced } from '../charts/paced';
import type { LoadRow } from '../store/load-slice';
import { useApp } from '../store/context';
import { selectLoadProgress, selectLoadRows, selectLoadRun, selectLoadSummary } from '../store/selectors';
import { ErrorLines } from './ErrorLines';
import { failedTotal, failureBreakdown, formatCount, formatMs, formatRate, formatSeconds } from './format';
import { BackendCounts } from './LoadStrip';

export function LoadResults({ active }: { active: boolean }) {
  const rows = useApp(selectLoadRows);
  const run = useApp(selectLoadRun);
  const progress = useApp(selectLoadProgress);
  const last = useApp(selectLoadSummary);
  return (
    <section className="panel load-results" aria-labelledby="load-results-title">
      <h3 id="load-results-title">Client side {run.state !== 'idle' ? <span className="muted small">(live)</span> : null}</h3>
      {rows.length === 0 && !last && (
        <p className="empty small">
          Start a run to see the rate the client achieved, its latency and which backends answered, next to the proxy’s own figures on the
          Traffic tab.
        </p>
      )}
      {rows.length > 0 && (
        <figure className="chart" data-testid="chart-load">
          <figcaption>
            Achieved rate and client p99 <span className="muted">(last {formatSeconds((rows.at(-1)!.t - rows[0]!.t) * 1000)})</span>
          </figcaption>
          {active && <PacedLoadChart rows={rows} />}
        </figure>
      )}
      {run.state !== 'idle' && progress && (
        <div className="counts-block">
          <h4>Answers per backend</h4>
          <BackendCounts counts={progress.backends} />
        </div>
      )}
      {run.state === 'idle' && last && <SummaryView summary={last.summary} service={last.service} drill={last.drill} />}
    </section>
  );
}

/** The load chart, redrawn as often as its redraws allow (see charts/paced). */
function PacedLoadChart({ rows }: { rows: LoadRow[] }) {
  return <LoadChart rows={usePaced(rows)} />;
}

function SummaryView({ summary: s, service, drill }: { summary: LoadSummary; service: string | null; drill: string | null }) {
  const failed = failedTotal(s.failed);
  const reason = s.reason === 'duration' ? 'ran its duration' : s.reason === 'stopped' ? 'was stopped' : 'ended with an error';
  return (
    <div className="load-summary" data-testid="load-summary">
      <h4>
        Last run {reason}
        {drill ? ` (drill ${drill})` : service ? ` (${service})` : ''}
      </h4>
      {s.error && <ErrorLines error={s.error} />}
      <dl className="summary-grid">
        <dt>Duration</dt>
        <dd>{formatSeconds(s.durationMs)}</dd>
        <dt>Sent</dt>
        <dd>{formatCount(s.sent)}</dd>
        <dt>OK</dt>
        <dd>{formatCount(s.ok)}</dd>
        <dt>Failed</dt>
        <dd className={failed > 0 ? 'bad' : undefined}>
          {formatCount(failed)} {failed > 0 && <span className="small">({failureBreakdown(s.failed)})</span>}
        </dd>
        <dt>Skipped / cancelled</dt>
        <dd>
          {formatCount(s.skipped)} / {formatCount(s.cancelled)}
        </dd>
        <dt>Rate</dt>
        <dd>{formatRate(s.rate)} req/s</dd>
        <dt>Client latency</dt>
        <dd>
          p50 {formatMs(s.latency.p50)} · p90 {formatMs(s.latency.p90)} · p99 {formatMs(s.latency.p99)} · max {formatMs(s.latency.max)} ms
        </dd>
      </dl>
      <h4>Answers per backend</h4>
      <BackendCounts counts={s.backends} />
    </div>
  );
}
