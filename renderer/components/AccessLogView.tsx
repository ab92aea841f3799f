/**
 * The Access log view: the records of sampled requests as the core sends
 * them each tick (the same records `lbw run --access-log` writes, one per
 * request, up to 50 per tick here), the last 1,000 kept; newest first,
 * filterable by backend, status (200, 5xx…) and path, and pausable so the
 * rows hold still. A request that was retried lists each attempt and how
 * it ended. The service's debug headers (x-lbw-backend, x-lbw-attempts) are
 * switched here.
 */
import { useMemo, useState } from 'react';
import type { AccessRecord, ServiceView } from '../../core/contract';
import { useActions, useApp } from '../store/context';
import { reasonText } from './reason-text';

/** Rows drawn at once (the newest of the filtered ones). */
const DRAWN = 250;
const EMPTY: AccessRecord[] = [];

/** `200`, `5xx` or `4` (a prefix) against a status. */
function statusMatches(filter: string, status: number): boolean {
  const f = filter.trim().toLowerCase().replace(/x+$/, '');
  return f === '' || String(status).startsWith(f);
}

export function AccessLogView({ service }: { service: ServiceView }) {
  const actions = useActions();
  const records = useApp((s) => s.access[service.name] ?? EMPTY);
  const unsampled = useApp((s) => s.unsampled[service.name] ?? 0);
  const paused = useApp((s) => s.accessPaused);
  const missed = useApp((s) => s.missedWhilePaused);
  const setPaused = useApp((s) => s.setAccessPaused);
  const clear = useApp((s) => s.clearAccess);
  const [backend, setBackend] = useState('');
  const [status, setStatus] = useState('');
  const [path, setPath] = useState('');

  const filtered = useMemo(() => {
    const out: AccessRecord[] = [];
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i]!;
      if (backend && r.backend !== backend && !r.attempts.some((a) => a.backend === backend)) continue;
      if (!statusMatches(status, r.status)) continue;
      if (path && !r.path.includes(path)) continue;
      out.push(r);
    }
    return out;
  }, [records, backend, status, path]);

  return (
    <section className="panel access-log" aria-labelledby="access-log-title" data-testid="access-log">
      <div className="panel-head">
        <h3 id="access-log-title">Access log</h3>
        <span className="small muted">
          {records.length} kept (last 1,000){unsampled > 0 ? `; ${unsampled.toLocaleString('en')} requests beyond the per-tick sample not shown` : ''}
        </span>
      </div>
      <div className="access-controls">
        <button type="button" onClick={() => setPaused(!paused)} data-testid="access-pause" aria-pressed={paused}>
          {paused ? `Resume${missed > 0 ? ` (${missed} missed)` : ''}` : 'Pause'}
        </button>
        <button type="button" onClick={() => clear(service.name)}>
          Clear
        </button>
        <label className="small">
          Backend{' '}
          <select value={backend} onChange={(e) => setBackend(e.target.value)} data-testid="access-filter-backend">
            <option value="">any</option>
            {service.backends.map((b) => (
              <option key={b.id} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label className="small">
          Status <input value={status} onChange={(e) => setStatus(e.target.value)} placeholder="200, 5xx" size={6} data-testid="access-filter-status" />
        </label>
        <label className="small">
          Path <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/api" size={12} data-testid="access-filter-path" />
        </label>
        <label className="small" title="Adds x-lbw-backend and x-lbw-attempts to every answer of this service, for local debugging">
          <input
            type="checkbox"
            checked={service.debugHeaders === true}
            onChange={(e) => void actions.updateService(service.name, { debugHeaders: e.target.checked })}
            data-testid="debug-headers"
          />{' '}
          debug headers
        </label>
      </div>
      {filtered.length === 0 ? (
        <p className="empty small">{records.length === 0 ? 'No requests yet.' : 'No request matches the filter.'}</p>
      ) : (
        <div className="log-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Method</th>
                <th scope="col">Path</th>
                <th scope="col">Status</th>
                <th scope="col">ms</th>
                <th scope="col">Backend</th>
                <th scope="col">Attempts</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {filtered.slice(0, DRAWN).map((r, i) => (
                <tr key={`${r.time}-${i}-${r.path}`} data-testid="access-row" className={r.status >= 500 ? 'bad' : undefined}>
                  <td className="mono">{r.time.slice(11, 23)}</td>
                  <td>{r.method}</td>
                  <td className="mono">{r.path}</td>
                  <td className="num">{r.status}</td>
                  <td className="num">{r.ms.toFixed(1)}</td>
                  <td className="mono">{r.backend ?? '–'}</td>
                  <td className="small" data-testid="access-attempts">
                    {r.attempts.map((a) => `${a.backend} ${a.outcome} ${a.ms.toFixed(1)} ms`).join(' → ')}
                  </td>
                  <td className="small">{reasonText(r.reason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {filtered.length > DRAWN && <p className="small muted">Showing the newest {DRAWN} of {filtered.length} matching.</p>}
        </div>
      )}
    </section>
  );
}
