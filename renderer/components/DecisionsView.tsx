/**
 * The Decisions view: the service's recent sampled decisions with each
 * strategy's own reason (newest first; a retry says what failed before it),
 * the selected decision's table (smooth WRR's current weights before and
 * after, least connections' load per candidate), and for round robins the
 * next picks, computed by the core on a copy of the rotation (asking
 * consumes nothing). Decisions come on the per-tick 'lab' push.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Decision, ServiceView } from '../../core/contract';
import { useActions, useApp } from '../store/context';
import { formatTime } from './format';
import { reasonText, retryText } from './reason-text';

const PREVIEW_COUNT = 12;
const SHOWN = 50;
const EMPTY: Decision[] = [];

export function DecisionsView({ service, active }: { service: ServiceView; active: boolean }) {
  const actions = useActions();
  const decisions = useApp((s) => s.decisions[service.name] ?? EMPTY);
  const tick = useApp((s) => s.lastTick);
  const [preview, setPreview] = useState<string[] | null>(null);
  const [selected, setSelected] = useState<Decision | null>(null);

  useEffect(() => {
    if (active) void actions.loadDecisions(service.name);
  }, [actions, active, service.name]);

  // The rotation moves with every pick: ask again each tick while the view is shown.
  const rotates = service.strategy === 'round-robin' || service.strategy === 'weighted-round-robin';
  useEffect(() => {
    if (!active || !rotates) return;
    let live = true;
    void actions.strategyPreview(service.name, PREVIEW_COUNT).then((res) => {
      if (live) setPreview(res.ok && res.value.applicable ? res.value.picks : null);
    });
    return () => {
      live = false;
    };
  }, [actions, active, rotates, service.name, service.strategy, service.backends, tick]);

  const rows = useMemo(() => decisions.slice(-SHOWN).reverse(), [decisions]);
  const shown = selected ?? rows[0] ?? null;

  return (
    <section className="panel decisions" aria-labelledby="decisions-title" data-testid="decisions-view">
      <div className="panel-head">
        <h3 id="decisions-title">Decisions</h3>
        <span className="small muted">
          {service.strategy}: a sample of up to 50 requests per tick, the last 200 kept
        </span>
      </div>
      {rotates && (
        <p className="next-picks" data-testid="next-picks">
          <span className="muted small">Next picks (a preview; it takes no turn): </span>
          {preview === null ? <span className="muted">…</span> : preview.length === 0 ? <span className="bad">no backend available</span> : preview.map((b, i) => <span key={i} className="pick mono">{b}</span>)}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="empty small">No decisions yet: send traffic to the service (the Load tab, or curl its address).</p>
      ) : (
        <>
          <div className="log-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Request</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Backend</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d, i) => (
                  <tr key={`${d.at}-${i}-${d.attempt}`} data-testid="decision-row" className={d === shown ? 'selected' : undefined} onClick={() => setSelected(d)}>
                    <td className="mono">{formatTime(d.at)}</td>
                    <td className="mono">
                      {d.method} {d.path}
                    </td>
                    <td>{d.attempt === 1 ? '1' : <span className="bad">{`${d.attempt}: ${retryText(d) ?? 'retry'}`}</span>}</td>
                    <td className="mono">{d.backend ?? '–'}{d.backups ? ' (backup)' : ''}</td>
                    <td className="small" data-testid="decision-reason">{reasonText(d.reason)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown && <ReasonDetail decision={shown} />}
        </>
      )}
    </section>
  );
}

/** The table behind a reason, where it has one. */
function ReasonDetail({ decision }: { decision: Decision }) {
  const r = decision.reason;
  if (!r) return null;
  if (r.kind === 'round-robin' || r.kind === 'weighted-round-robin') {
    return (
      <table className="reason-table" data-testid="reason-table" aria-label="Current weights before and after the pick">
        <caption className="small">
          Smooth weighted round robin (nginx): each backend in the round adds its weight to its current weight; the largest wins and pays back the total.
        </caption>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">Weight</th>
            <th scope="col">Before</th>
            <th scope="col">+ weight</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {r.table.map((t) => (
            <tr key={t.backend} className={t.backend === decision.backend ? 'chosen' : t.inRound ? undefined : 'muted'}>
              <td className="mono">{t.backend}{t.inRound ? '' : ' (sat out)'}</td>
              <td className="num">{r.kind === 'round-robin' ? 1 : t.weight}</td>
              <td className="num">{t.before}</td>
              <td className="num">{t.inRound ? t.before + t.weight : '–'}</td>
              <td className="num">{t.after}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (r.kind === 'least-connections') {
    return (
      <table className="reason-table" data-testid="reason-table" aria-label="Load per candidate">
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">In flight</th>
            <th scope="col">Recent failures</th>
            <th scope="col">Weight</th>
            <th scope="col">Load</th>
          </tr>
        </thead>
        <tbody>
          {r.candidates.map((c) => (
            <tr key={c.backend} className={c.backend === decision.backend ? 'chosen' : undefined}>
              <td className="mono">{c.backend}</td>
              <td className="num">{c.inFlight}</td>
              <td className="num">{c.failures.toFixed(1)}</td>
              <td className="num">{c.weight}</td>
              <td className="num">{c.load.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return null;
}
