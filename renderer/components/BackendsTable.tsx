/**
 * The backends of one service: settings editable in place (weight, admin
 * state, backup) next to what the last tick measured. Settings come from the
 * service view; live figures (health, in-flight, rates, active faults) from
 * the latest snapshot, which is fresher. A TCP service shows connection
 * figures (open connections, connects per second, bytes, connect time) in
 * place of the HTTP ones. Demo backends carry their colour; each row opens
 * the faults editor under the table.
 *
 * It fits narrow windows (1024 px) without scrolling sideways: the backup
 * flag sits under the admin state, lower-priority columns (`col-low`) fold
 * away when the table's container is narrow, and the actions column sticks
 * to the right edge when a wide (TCP) table still scrolls.
 *
 * Rows are memoized and read no stats themselves: the live cells
 * (./BackendLiveCells) do, so a tick re-renders only the figures that changed.
 */
import { memo, useCallback, useState } from 'react';
import type { BackendView, ErrorData, ServiceView } from '../../core/contract';
import { AdminStateSchema, BackendSpecSchema, type AdminState } from '../../core/model/spec';
import { useActions, useApp } from '../store/context';
import { selectDemoOf, selectStrategies } from '../store/selectors';
import { HealthCell, HttpCells, ShareCell, TcpCells, useHasFaults } from './BackendLiveCells';
import { baselineOf } from './baseline';
import { CommitInput } from './CommitInput';
import { CommitSelect } from './CommitSelect';
import { ErrorLines } from './ErrorLines';
import { FAULTS_EDITOR_ID, FaultsEditor } from './FaultsEditor';

export function BackendsTable({ service }: { service: ServiceView }) {
  const [error, setError] = useState<ErrorData | null>(null);
  // A weight refused before sending: what the rule is, and that the weight was put back.
  const [weightError, setWeightError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const toggleFaults = useCallback((id: string) => setEditing((cur) => (cur === id ? null : id)), []);
  const strategies = useApp(selectStrategies);
  if (service.backends.length === 0) {
    const example = service.protocol === 'tcp' ? 'tcp://127.0.0.1:5432' : 'http://127.0.0.1:3001';
    return (
      <p className="empty" data-testid="no-backends">
        No backends yet. Add a backend: paste a URL like <code>{example}</code> below
        {service.protocol === 'http' ? ', or start a demo backend with “Add demo backend” above' : ''}.
      </p>
    );
  }
  const tcp = service.protocol === 'tcp';
  const baseline = baselineOf(service.strategy, strategies.find((x) => x.name === service.strategy));
  const edited = service.backends.find((b) => b.id === editing);

  function closeEditor() {
    const id = editing;
    setEditing(null);
    if (id) document.getElementById(faultsButtonId(id))?.focus();
  }

  return (
    <>
      <div className="table-wrap">
        <table className="backends" aria-label={`Backends of ${service.name}`}>
          <thead>
            <tr>
              <th scope="col">Name / URL</th>
              <th scope="col">Weight</th>
              <th scope="col" title="Admin state (what you set); a backup serves only when no primary backend is available">
                Admin state
              </th>
              <th scope="col" title="Health-check state, traffic state (whether it gets requests now), the last check, and totals since start">
                Health · traffic
              </th>
              {tcp ? <TcpHeadings /> : <HttpHeadings />}
              <th scope="col" className="num" title={baseline.help.replace('Share', `Share of ${tcp ? 'connections' : 'requests'}`)}>
                {baseline.fixed ? `Share / ${baseline.words}` : `Share · ${baseline.words}`}
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {service.backends.map((b) => (
              <BackendRow
                key={b.id}
                service={service}
                backend={b}
                onError={setError}
                onWeightError={setWeightError}
                editing={b.id === editing}
                showExpected={baseline.fixed}
                onToggleFaults={toggleFaults}
              />
            ))}
          </tbody>
        </table>
      </div>
      {weightError && (
        <p className="error-lines" role="alert" data-testid="weight-error">
          {weightError}{' '}
          <button type="button" className="link" onClick={() => setWeightError(null)}>
            Dismiss
          </button>
        </p>
      )}
      {error && <ErrorLines error={error} testId="backend-error" />}
      {edited && <FaultsEditor key={edited.id} service={service.name} protocol={service.protocol} backend={edited} onClose={closeEditor} />}
    </>
  );
}

function HttpHeadings() {
  return (
    <>
      <th scope="col" className="num col-low" title="Requests in flight">
        In-flight
      </th>
      <th scope="col" className="num">
        Req/s
      </th>
      <th scope="col" className="num" title="Latency percentiles over the last tick, in ms">
        p50 / p99 ms
      </th>
      <th scope="col" className="num" title="5xx responses and failed attempts (refused, reset, timed out, TLS) over the last tick">
        Errors
      </th>
    </>
  );
}

function TcpHeadings() {
  return (
    <>
      <th scope="col" className="num" title="Connections open now">
        Open conns
      </th>
      <th scope="col" className="num" title="Connections opened per second">
        Conn/s
      </th>
      <th scope="col" className="num" title="Bytes per second from clients to the backend (in) and back to clients (out)">
        In / out per s
      </th>
      <th scope="col" className="num" title="Time to connect to the backend, percentiles over the last tick, in ms">
        Connect p50 / p99 ms
      </th>
      <th scope="col" className="num" title="In the last tick: connects refused, timed out or failed otherwise / connections reset">
        Connect errors / resets
      </th>
    </>
  );
}

/** A weight's bounds, read from the core's schema so the page and the core agree. */
const weightSchema = BackendSpecSchema.shape.weight.unwrap();
export const WEIGHT_RULE = `Weight must be a whole number from ${weightSchema.minValue ?? 1} to ${weightSchema.maxValue ?? 1000}`;

/** The rule in plain words (not zod's "Too big: expected number to be <=1000") when the draft breaks it. */
function validateWeight(draft: string): string | undefined {
  const parsed = BackendSpecSchema.shape.weight.safeParse(draft.trim() === '' ? NaN : Number(draft));
  return parsed.success ? undefined : WEIGHT_RULE;
}

export const faultsButtonId = (backendId: string) => `faults-button-${backendId}`;

/** The URL without the scheme its service implies (http:// for HTTP, tcp:// for TCP); the full one is in the tooltip. */
function shortUrl(url: string, protocol: ServiceView['protocol']): string {
  const implied = `${protocol}://`;
  return url.startsWith(implied) ? url.slice(implied.length) : url;
}

interface RowProps {
  service: ServiceView;
  backend: BackendView;
  editing: boolean;
  /** Whether the share has a fixed baseline to show next to it (./baseline). */
  showExpected: boolean;
  onError(e: ErrorData | null): void;
  onWeightError(message: string | null): void;
  onToggleFaults(backendId: string): void;
}

const BackendRow = memo(function BackendRow({ service: svc, backend, editing, showExpected, onError, onWeightError, onToggleFaults }: RowProps) {
  const service = svc.name;
  const actions = useActions();
  const hasFaults = useHasFaults(service, backend);
  const demo = useApp((s) => selectDemoOf(s, service, backend.id));
  const name = backend.name;

  async function update(patch: Parameters<typeof actions.updateBackend>[2]): Promise<boolean> {
    const res = await actions.updateBackend(service, backend.id, patch);
    onError(res.ok ? null : res.error);
    return res.ok;
  }

  async function remove() {
    // A demo backend is stopped and leaves every service; any other leaves this one, with an undo.
    const res = demo ? await actions.removeDemo(demo.name) : await actions.removeBackend(service, backend.id);
    onError(res.ok ? null : res.error);
  }

  // The URL goes under the name, unless the name is the URL's host:port (the default name).
  const url = shortUrl(backend.url, svc.protocol);
  const rowClass = [backend.state !== 'active' ? `state-${backend.state}` : '', backend.backup ? 'is-backup' : '', hasFaults ? 'has-faults' : '']
    .join(' ')
    .trim();

  return (
    <tr data-testid={`backend-row-${name}`} className={rowClass || undefined}>
      <th scope="row" className="backend-name">
        <span className="name-line">
          {demo && (
            <span
              className={demo.running ? 'demo-dot' : 'demo-dot stopped'}
              style={{ background: demo.colour }}
              role="img"
              aria-label={demo.running ? 'demo backend' : 'demo backend, stopped'}
              title={demo.running ? `Demo backend ${demo.name}` : `Demo backend ${demo.name} (stopped)`}
              data-testid={`demo-dot-${name}`}
            />
          )}
          {name}
        </span>
        {url !== name && (
          <span className="url-line mono" title={backend.url}>
            {url}
          </span>
        )}
      </th>
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
          onRefused={(typed) => onWeightError(`${WEIGHT_RULE} (not “${typed.trim() || 'empty'}”); ${name} keeps weight ${backend.weight}.`)}
          onCommit={(v) => {
            onWeightError(null);
            void update({ weight: Number(v) });
          }}
        />
      </td>
      <td className="state-cell">
        <CommitSelect aria-label={`State of ${name}`} value={backend.state} onCommit={(v) => update({ state: v as AdminState })}>
          {AdminStateSchema.options.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </CommitSelect>
        {/* Folded under the state (one column fewer): a backup serves only when no primary is available. */}
        <label className="backup-toggle small" title="A backup serves only when no primary backend is available">
          <input type="checkbox" aria-label={`Backup ${name}`} checked={backend.backup} onChange={(e) => void update({ backup: e.target.checked })} />
          backup
        </label>
      </td>
      <HealthCell service={service} backend={backend} />
      {svc.protocol === 'tcp' ? <TcpCells service={service} backendId={backend.id} /> : <HttpCells service={service} backendId={backend.id} />}
      <ShareCell service={service} backendId={backend.id} showExpected={showExpected} />
      <td className="row-actions">
        <button
          type="button"
          id={faultsButtonId(backend.id)}
          className={editing ? 'link pressed' : 'link'}
          aria-expanded={editing}
          aria-controls={editing ? FAULTS_EDITOR_ID : undefined}
          aria-label={`Faults of ${name}`}
          data-testid={`faults-button-${name}`}
          onClick={() => onToggleFaults(backend.id)}
        >
          Faults
          {backend.faults.length > 0 && (
            <span className="count" title={`${backend.faults.length} fault${backend.faults.length === 1 ? '' : 's'} in its list`}>
              {backend.faults.length}
            </span>
          )}
        </button>
        <button
          type="button"
          className="link danger icon"
          aria-label={`Remove ${name}`}
          title={demo ? `Stop demo backend ${demo.name} and remove it from every service` : `Remove ${name}`}
          onClick={() => void remove()}
        >
          ✕
        </button>
      </td>
    </tr>
  );
});
