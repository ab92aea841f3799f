/**
 * The backends of one service: settings editable in place (weight, admin
 * state, backup) next to what the last tick measured. Settings come from the
 * service view; live figures (health, in-flight, rates) from the latest
 * snapshot, which is fresher.
 */
import { useState } from 'react';
import type { BackendView, ErrorData, ServiceView } from '../../core/contract';
import { AdminStateSchema, BackendSpecSchema, type AdminState } from '../../core/model/spec';
import { useActions, useApp } from '../store/context';
import { selectBackendSnapshot, selectHistory } from '../store/selectors';
import { CommitInput } from './CommitInput';
import { ErrorLines } from './ErrorLines';
import { formatMs, formatPercent, formatRate } from './format';
import { HealthBadge } from './HealthBadge';

export function BackendsTable({ service }: { service: ServiceView }) {
  const [error, setError] = useState<ErrorData | null>(null);
  if (service.backends.length === 0) {
    const example = service.protocol === 'tcp' ? 'tcp://127.0.0.1:5432' : 'http://127.0.0.1:3001';
    return (
      <p className="empty" data-testid="no-backends">
        No backends yet. Add a backend: paste a URL like <code>{example}</code> below.
      </p>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table className="backends" aria-label={`Backends of ${service.name}`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Weight</th>
              <th scope="col">State</th>
              <th scope="col" title="A backup serves only when no primary backend is available">
                Backup
              </th>
              <th scope="col">Health</th>
              <th scope="col" className="num" title="Requests in flight (HTTP) or open connections (TCP)">
                In-flight
              </th>
              <th scope="col" className="num">
                Req/s
              </th>
              <th scope="col" className="num" title="Latency percentiles over the last tick, in ms">
                p50 / p99 ms
              </th>
              <th scope="col" className="num" title="5xx responses and failed attempts over the last tick">
                Errors
              </th>
              <th scope="col" className="num" title="Share of requests over the last 10 s, against what the weights imply">
                Share / expected
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {service.backends.map((b) => (
              <BackendRow key={b.id} service={service.name} backend={b} onError={setError} />
            ))}
          </tbody>
        </table>
      </div>
      {error && <ErrorLines error={error} testId="backend-error" />}
    </>
  );
}

function validateWeight(draft: string): string | undefined {
  const parsed = BackendSpecSchema.shape.weight.safeParse(draft.trim() === '' ? NaN : Number(draft));
  return parsed.success ? undefined : (parsed.error.issues[0]?.message ?? 'not a valid weight');
}

function BackendRow({ service, backend, onError }: { service: string; backend: BackendView; onError(e: ErrorData | null): void }) {
  const actions = useActions();
  const live = useApp((s) => selectBackendSnapshot(s, service, backend.id));
  const share = useApp((s) => selectHistory(s, service).distribution.find((d) => d.id === backend.id));
  const name = backend.name;

  async function update(patch: Parameters<typeof actions.updateBackend>[2]) {
    const res = await actions.updateBackend(service, backend.id, patch);
    onError(res.ok ? null : res.error);
  }

  async function remove() {
    const res = await actions.removeBackend(service, backend.id);
    onError(res.ok ? null : res.error);
  }

  const failed = live ? live.status['5xx'] + live.errors.refused + live.errors.reset + live.errors.timeout + live.errors.other : 0;
  const rowClass = [backend.state !== 'active' ? `state-${backend.state}` : '', backend.backup ? 'is-backup' : ''].join(' ').trim();

  return (
    <tr data-testid={`backend-row-${name}`} className={rowClass || undefined}>
      <th scope="row" className="backend-name">
        {name}
      </th>
      <td className="mono url" title={backend.url}>
        {backend.url}
      </td>
      <td>
        <CommitInput
          type="number"
          min={1}
          max={1000}
          step={1}
          className="narrow"
          aria-label={`Weight of ${name}`}
          value={String(backend.weight)}
          validate={validateWeight}
          onCommit={(v) => void update({ weight: Number(v) })}
        />
      </td>
      <td>
        <select aria-label={`State of ${name}`} value={backend.state} onChange={(e) => void update({ state: e.target.value as AdminState })}>
          {AdminStateSchema.options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </td>
      <td className="center">
        <input type="checkbox" aria-label={`Backup ${name}`} checked={backend.backup} onChange={(e) => void update({ backup: e.target.checked })} />
      </td>
      <td>
        <HealthBadge
          name={name}
          health={live?.health ?? backend.health}
          lastCheck={live ? live.lastCheck : backend.lastCheck}
          ejected={live?.ejected ?? backend.ejected}
        />
      </td>
      <td className="num">{live ? live.inFlight : '–'}</td>
      <td className="num">{formatRate(live?.rps)}</td>
      <td className="num">
        {formatMs(live?.latency?.p50)} / {formatMs(live?.latency?.p99)}
      </td>
      <td className={failed > 0 ? 'num bad' : 'num'}>{live && live.requests > 0 ? formatPercent(failed / live.requests) : '–'}</td>
      <td className="num">
        {share ? (
          <>
            {formatPercent(share.share)} <span className="muted">/ {formatPercent(share.expected)}</span>
          </>
        ) : (
          '–'
        )}
      </td>
      <td>
        <button type="button" className="link danger" aria-label={`Remove ${name}`} onClick={() => void remove()}>
          Remove
        </button>
      </td>
    </tr>
  );
}
