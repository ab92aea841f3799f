/**
 * Drills: the workspace's saved drills with Run and Stop, the running
 * drill's progress (its steps as the 'drill:step' events report them, and
 * elapsed time from its load), a small editor, and the last report. With
 * no drills yet it offers a sample one for the selected service.
 */
import { useState } from 'react';
import type { DrillSpec, ErrorData, ServiceView } from '../../core/contract';
import { stepLabel } from '../../core/drills/spec';
import { useActions, useApp } from '../store/context';
import { selectDrillReport, selectDrillRun, selectDrills, selectLoadProgress, selectLoadRun } from '../store/selectors';
import { draftOfDrill, newDrillDraft, sampleDrill, type DrillDraft } from './drill-draft';
import { DrillEditor } from './DrillEditor';
import { DrillReportView } from './DrillReportView';
import { ErrorLines } from './ErrorLines';
import { formatSeconds } from './format';

export function DrillsPanel({ service, active }: { service: ServiceView; active: boolean }) {
  const drills = useApp(selectDrills);
  const run = useApp(selectDrillRun);
  const report = useApp(selectDrillReport);
  const actions = useActions();
  const [editing, setEditing] = useState<DrillDraft | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const running = run !== null && run.result === null;
  const sample = sampleDrill(service);

  async function command(op: () => Promise<{ ok: true } | { ok: false; error: ErrorData }>) {
    setError(null);
    const res = await op();
    if (!res.ok) setError(res.error);
  }

  return (
    <div className="drills">
      <section className="panel" aria-labelledby="drills-title">
        <div className="panel-head">
          <h3 id="drills-title">Drills</h3>
          <button type="button" onClick={() => setEditing(newDrillDraft(service))} disabled={editing !== null}>
            New drill
          </button>
        </div>
        {drills.length === 0 ? (
          <div className="empty-drills">
            <p className="empty small">
              A drill puts load on a service and breaks its backends on a schedule, then reports what the clients saw and how fast the balancer
              reacted.
            </p>
            <button
              type="button"
              className="primary"
              data-testid="add-sample-drill"
              disabled={!sample}
              title={sample ? undefined : 'The sample needs a service with at least two backends'}
              onClick={() => sample && void command(() => actions.saveDrill(sample))}
            >
              Add sample drill
            </button>{' '}
            <span className="small muted">
              “Kill one backend under load”: {sample ? `kills ${service.backends[1]!.name} at 5 s, revives it at 15 s; 25 s at 100 req/s, GET:POST 3:1.` : `needs two backends in ${service.name}.`}
            </span>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="drills-table" aria-label="Drills">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Service</th>
                  <th scope="col" className="num">Duration</th>
                  <th scope="col" className="num">Load</th>
                  <th scope="col">Steps</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {drills.map((d) => (
                  <DrillRow
                    key={d.name}
                    drill={d}
                    running={running && run.drill === d.name}
                    anyRunning={running}
                    onRun={() => void command(() => actions.runDrill(d.name))}
                    onStop={() => void command(() => actions.stopDrill())}
                    onEdit={() => setEditing(draftOfDrill(d))}
                    onRemove={() => void command(() => actions.deleteDrill(d.name))}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {error && <ErrorLines error={error} testId="drill-error" />}
        {run && run.result === null && <DrillProgress />}
      </section>
      {editing && <DrillEditor key={editing.editing ?? 'new'} initial={editing} onClose={() => setEditing(null)} />}
      {report && <DrillReportView report={report} chart={active} />}
    </div>
  );
}

interface RowProps {
  drill: DrillSpec;
  running: boolean;
  anyRunning: boolean;
  onRun(): void;
  onStop(): void;
  onEdit(): void;
  onRemove(): void;
}

function DrillRow({ drill: d, running, anyRunning, onRun, onStop, onEdit, onRemove }: RowProps) {
  const mix = d.load.requests.map((r) => `${r.method} ${r.path}${d.load.requests.length > 1 ? ` ×${r.weight}` : ''}`).join(', ');
  return (
    <tr data-testid={`drill-row-${d.name}`} className={running ? 'is-running' : undefined}>
      <th scope="row" title={d.description}>
        {d.name}
      </th>
      <td>{d.service}</td>
      <td className="num">{formatSeconds(d.durationMs)}</td>
      <td className="num" title={mix}>
        {d.load.rate} req/s
      </td>
      <td className="steps-cell" title={d.steps.map((s) => `${formatSeconds(s.atMs)} ${stepLabel(s)}`).join('\n')}>
        {d.steps.length === 0 ? <span className="muted">none</span> : d.steps.map((s) => `${formatSeconds(s.atMs)} ${stepLabel(s)}`).join(' · ')}
      </td>
      <td className="row-actions">
        {running ? (
          <button type="button" className="danger" data-testid="drill-stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="button" className="primary" data-testid={`drill-run-${d.name}`} aria-label={`Run ${d.name}`} disabled={anyRunning} onClick={onRun}>
            Run
          </button>
        )}
        <button type="button" className="link" aria-label={`Edit ${d.name}`} onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="link danger" aria-label={`Remove ${d.name}`} disabled={running} onClick={onRemove}>
          Remove
        </button>
      </td>
    </tr>
  );
}

/** The running drill: elapsed against its duration, and its steps, done or to come. */
function DrillProgress() {
  const run = useApp(selectDrillRun)!;
  const spec = useApp((s) => s.drills.find((d) => d.name === run.drill));
  const loadRun = useApp(selectLoadRun);
  const progress = useApp(selectLoadProgress);
  const elapsed = loadRun.drill === run.drill && progress ? progress.elapsedMs : 0;
  const done = new Set(run.steps.map((s) => s.index));
  const current = run.steps.at(-1);
  const pct = run.durationMs > 0 ? Math.min(100, (elapsed / run.durationMs) * 100) : 0;
  return (
    <div className="drill-progress" data-testid="drill-progress" aria-live="polite">
      <div className="progress-line">
        <strong>Running “{run.drill}”</strong>
        <span className="mono small">
          {formatSeconds(elapsed)} / {formatSeconds(run.durationMs)}
        </span>
        <span className="progress-bar" role="progressbar" aria-label="Drill progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <span style={{ width: `${pct}%` }} />
        </span>
        <span className="small">{current ? `last step: ${current.label}` : elapsed > 0 ? 'load flowing, no step yet' : 'starting the load…'}</span>
      </div>
      {spec && spec.steps.length > 0 && (
        <ol className="step-list">
          {spec.steps.map((s, i) => {
            const ev = run.steps.find((x) => x.index === i);
            const isDone = done.has(i) || (run.steps.length === 0 && i < run.stepsDone);
            return (
              <li key={i} className={isDone ? (ev?.error ? 'step failed' : 'step done') : 'step'}>
                <span className="at">{formatSeconds(s.atMs)}</span> {stepLabel(s)}
                {isDone && !ev?.error && <span aria-label="done"> ✓</span>}
                {ev?.error && <span className="bad"> — {ev.error.message}</span>}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
