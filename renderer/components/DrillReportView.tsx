/**
 * The last drill's report: the verdict, what the clients saw per method,
 * what the balancer did (retries, ejections, health changes), how fast it
 * noticed and got over each step, a chart of the run, and export to a JSON
 * or self-contained HTML file on the host or, through the browser, as a download.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { DrillReport, ErrorData } from '../../core/contract';
import type { MethodOutcomes } from '../../core/drills/report';
import { DrillReportChart } from '../charts/DrillReportChart';
import { useActions, useApp } from '../store/context';
import type { ExportFormat } from '../store/lab-actions';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorLines } from './ErrorLines';
import { downloadFile } from './ExportMenu';
import { reportText } from '../../core/drills/html';
import { formatCount, formatMs, formatRate, formatSeconds, formatTime } from './format';

const RESULT_TEXT = { completed: 'completed', stopped: 'was stopped', error: 'ended with an error' } as const;

export function DrillReportView({ report: r, chart }: { report: DrillReport; chart: boolean }) {
  const demos = useApp((s) => s.demos);
  const colourOf = (name: string) => demos.find((d) => d.name === name)?.colour;
  const methods = Object.entries(r.requests.byMethod);
  const v = r.verdict;
  return (
    <section className="panel drill-report" data-testid="drill-report" aria-labelledby="drill-report-title">
      <div className="panel-head">
        <h3 id="drill-report-title">
          Report: {r.drill} <span className="muted small">({r.service})</span>
        </h3>
        <span className="small muted">
          {formatTime(r.startedAt)}, {formatSeconds(r.endedAt - r.startedAt)}, {RESULT_TEXT[r.result]}
        </span>
      </div>
      {r.error && <ErrorLines error={r.error} />}
      <div className={v.clean ? 'verdict clean' : 'verdict dirty'} data-testid="drill-verdict">
        <strong>{v.clean ? 'Clean: no GET failed and no POST ran twice.' : 'Not clean.'}</strong>
        <ul>
          {v.lines.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      </div>

      <dl className="report-figures">
        <Fig label="Failed GETs" value={v.failedGets} bad={v.failedGets > 0} testId="report-failed-gets" />
        <Fig label="Duplicated POSTs" value={v.duplicatedPosts} bad={v.duplicatedPosts > 0} testId="report-duplicated-posts" title="Non-idempotent requests sent again after reaching a backend: each may have run twice" />
        <Fig label="Failed requests" value={v.failedRequests} bad={v.failedRequests > 0} />
        <Fig label="Retries" value={r.retries} testId="report-retries" />
        <Fig label="Ejections" value={r.ejections} testId="report-ejections" />
        <Fig label="Health changes" value={r.healthTransitions} />
        <div className="report-figure">
          <dt>Load</dt>
          <dd>
            {formatRate(r.load.achievedRate)} / {formatRate(r.load.rate)} req/s
          </dd>
        </div>
        <div className="report-figure">
          <dt>Client p50 / p99</dt>
          <dd>
            {formatMs(r.load.latency.p50)} / {formatMs(r.load.latency.p99)} ms
          </dd>
        </div>
      </dl>

      <div className="report-columns">
        <div>
          <h4>Requests by outcome</h4>
          <div className="table-wrap">
            <table className="report-table" data-testid="report-outcomes">
              <thead>
                <tr>
                  <th scope="col">Method</th>
                  <th scope="col" className="num">Sent</th>
                  <th scope="col" className="num">OK</th>
                  <th scope="col" className="num">Failed</th>
                  <th scope="col" className="num" title="5xx / 4xx answers">5xx / 4xx</th>
                  <th scope="col" className="num" title="Refused / reset / timed out / other">Refused / reset / timeout</th>
                  <th scope="col" className="num" title="In flight at the end / not sent because the in-flight cap was reached">Cancelled / skipped</th>
                </tr>
              </thead>
              <tbody>
                {methods.map(([m, o]) => (
                  <OutcomeRow key={m} label={m} o={o} />
                ))}
                {methods.length > 1 && <OutcomeRow label="All" o={r.requests.total} total />}
              </tbody>
            </table>
          </div>
        </div>
        <div>
          <h4>Steps</h4>
          <div className="table-wrap">
            <table className="report-table" data-testid="report-steps">
              <thead>
                <tr>
                  <th scope="col">At</th>
                  <th scope="col">Step</th>
                  <th scope="col" className="num" title="From the step to the balancer's first reaction on that backend">
                    Detect
                  </th>
                  <th scope="col" className="num" title="Kill or fault: until clients stopped failing; revive or heal: until it took traffic again">
                    Recover
                  </th>
                  <th scope="col" className="num" title="Client failures from this step to the next">
                    Failures
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.steps.map((s) => (
                  <tr key={s.index}>
                    <td className="at">{s.appliedAtMs === null ? <span className="muted">not run</span> : formatSeconds(s.appliedAtMs)}</td>
                    <td>
                      {s.label}
                      {s.error && <span className="bad small"> — {s.error.message}</span>}
                    </td>
                    <td className="num" title={s.detectedBy ?? undefined}>
                      {s.detectMs === null ? '–' : `${formatMs(s.detectMs)} ms`}
                      {s.detectedBy && <span className="muted small"> {shortCause(s.detectedBy)}</span>}
                    </td>
                    <td className="num">{s.recoverMs === null ? '–' : `${formatMs(s.recoverMs)} ms`}</td>
                    <td className={s.failuresAfter > 0 ? 'num bad' : 'num'}>{formatCount(s.failuresAfter)}</td>
                  </tr>
                ))}
                {r.steps.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No steps.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </div>
      </div>

      {chart && r.samples.length > 0 && (
        <figure className="chart" data-testid="chart-drill">
          <figcaption>
            Requests/s per backend and failures/s <span className="muted">(steps marked)</span>
          </figcaption>
          <DrillReportChart report={r} colourOf={colourOf} />
        </figure>
      )}
      <ExportForm drill={r.drill} report={r} />
    </section>
  );
}

function shortCause(by: string): string {
  return `(${by.replace('health:changed → ', '').replace('backend:', '')})`;
}

function Fig({ label, value, bad, title, testId }: { label: string; value: number; bad?: boolean; title?: string; testId?: string }) {
  return (
    <div className={bad ? 'report-figure bad' : 'report-figure'} title={title}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{formatCount(value)}</dd>
    </div>
  );
}

function OutcomeRow({ label, o, total = false }: { label: string; o: MethodOutcomes; total?: boolean }) {
  const f = o.failed;
  return (
    <tr className={total ? 'total' : undefined}>
      <th scope="row">{label}</th>
      <td className="num">{formatCount(o.sent)}</td>
      <td className="num">{formatCount(o.ok)}</td>
      <td className={o.failedTotal > 0 ? 'num bad' : 'num'}>{formatCount(o.failedTotal)}</td>
      <td className="num">
        {formatCount(f.status5xx)} / {formatCount(f.status4xx)}
      </td>
      <td className="num" title={`other: ${f.other}`}>
        {formatCount(f.refused)} / {formatCount(f.reset)} / {formatCount(f.timeout)}
      </td>
      <td className="num">
        {formatCount(o.cancelled)} / {formatCount(o.skipped)}
      </td>
    </tr>
  );
}

/** A path on the host; without an extension, the format's is added. */
export function exportPath(path: string, format: ExportFormat): string {
  const p = path.trim();
  return /\.(json|html?)$/i.test(p) ? p : `${p}.${format}`;
}

function ExportForm({ drill, report }: { drill: string; report: DrillReport }) {
  const actions = useActions();
  const [path, setPath] = useState('');
  const [result, setResult] = useState<{ note?: string; error?: ErrorData }>({});
  const [busy, setBusy] = useState(false);
  /** An export refused because the file exists and is not lbw's: asked about before anything is written. */
  const [conflict, setConflict] = useState<{ format: ExportFormat; target: string } | null>(null);
  const buttons = { json: useRef<HTMLButtonElement>(null), html: useRef<HTMLButtonElement>(null) };
  const slug = drill.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

  /** Exports to the path typed; `confirmed` resends a refused export with the user's yes to overwriting. */
  async function run(format: ExportFormat, confirmed?: { target: string }) {
    if (!confirmed && !path.trim()) return;
    const target = confirmed?.target ?? exportPath(path, format);
    const overwrite = confirmed !== undefined;
    setBusy(true);
    const res = await actions.exportDrillReport(format, target, overwrite);
    setBusy(false);
    if (!res.ok && res.error.code === 'CONFLICT' && !overwrite) return setConflict({ format, target });
    setConflict(null);
    setResult(res.ok ? { note: `Wrote ${formatCount(res.value.bytes)} bytes to ${res.value.path}` } : { error: res.error });
  }

  return (
    <>
      <form className="export-form" onSubmit={(e: FormEvent) => (e.preventDefault(), void run('html'))}>
        <label htmlFor="report-path">Export to a file on the host</label>
        <input
          id="report-path"
          className="mono"
          spellCheck={false}
          placeholder={`/tmp/${slug || 'drill'}-report`}
          value={path}
          onChange={(e) => {
            setPath(e.target.value);
            setResult({});
          }}
        />
        <button type="button" ref={buttons.json} data-testid="export-json" disabled={!path.trim() || busy} onClick={() => void run('json')}>
          Export JSON
        </button>
        <button type="submit" ref={buttons.html} data-testid="export-html" disabled={!path.trim() || busy}>
          Export HTML
        </button>
        <span className="muted small">or</span>
        {/* Through the browser: the same bytes drills:export writes, saved where the browser saves downloads. */}
        <button type="button" data-testid="download-json" onClick={() => downloadFile(`${slug || 'drill'}-report.json`, reportText(report, 'json'))}>
          Download JSON
        </button>
        <button type="button" data-testid="download-html" onClick={() => downloadFile(`${slug || 'drill'}-report.html`, reportText(report, 'html'))}>
          Download HTML
        </button>
        {result.note && (
          <span className="ok-note small" role="status">
            {result.note}
          </span>
        )}
        {result.error && <ErrorLines error={result.error} testId="export-error" />}
      </form>
      {conflict && (
        <ConfirmDialog
          title="Replace an existing file?"
          confirmLabel="Replace"
          busy={busy}
          onConfirm={() => void run(conflict.format, conflict)}
          onCancel={() => setConflict(null)}
          returnFocus={() => buttons[conflict.format].current}
          testId="export-conflict"
        >
          <p>
            <code className="mono">{conflict.target}</code> already exists, and LB Workbench did not write it. Replacing it loses what it holds now.
          </p>
          <p>Cancel leaves the file as it is; the report is not written.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
