/**
 * A service's "Health & retries" settings, folded under the strategy: the
 * active health check, passive ejection, the retry policy, the timeouts and,
 * for HTTP services, header limits, redirect rewriting and TLS to https
 * backends, changed live with one `services:update` per Apply that holds
 * only the sections that changed. Input is checked with the core's schemas
 * as you type (./settings-draft); what the core rejects is shown and the form
 * keeps what the user typed. Fields a TCP service ignores are not offered there.
 */
import { useId, useState } from 'react';
import type { ErrorData, ServiceView } from '../../core/contract';
import { useActions } from '../store/context';
import { ErrorLines } from './ErrorLines';
import { checkSettings, FIELD_LABELS, labelOf, settingsDraftOf, type Section, type SettingsDraft } from './settings-draft';

/** One line for the folded panel: what the service does now. */
function summary(s: ServiceView): string {
  const active = s.healthCheck ? `checks every ${s.healthCheck.intervalMs} ms` : 'no active checks';
  const passive = s.passiveHealth?.enabled ? 'passive ejection' : 'no passive ejection';
  const { attempts, onStatus } = s.retries;
  const statuses = s.protocol === 'http' && onStatus.length > 0 ? ` (also on ${onStatus.join(', ')})` : '';
  const retries = attempts === 1 ? 'no retries' : `up to ${attempts} tries${statuses}`;
  const unverified = s.protocol === 'http' && s.tls?.verify === false ? ' · certificates not verified' : '';
  return `${active} · ${passive} · ${retries}${unverified}`;
}

/** `a`, `a and b`, `a, b and c`. */
const names = (list: string[]) => (list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}` : (list[0] ?? ''));

interface FieldProps {
  unit?: string;
  width?: string;
  title?: string;
  mono?: boolean;
  placeholder?: string;
  /** The id of a visible help text that describes the field. */
  describedBy?: string;
}

export function ServiceSettings({ service }: { service: ServiceView }) {
  const actions = useActions();
  const id = useId();
  const [open, setOpen] = useState(false);
  // Only the sections the user touched: the others follow the service as it changes (another window, a drill).
  const [edits, setEdits] = useState<Partial<SettingsDraft>>({});
  const [status, setStatus] = useState<{ error?: ErrorData; note?: string }>({});
  const [busy, setBusy] = useState(false);
  const tcp = service.protocol === 'tcp';
  const shown: SettingsDraft = { ...settingsDraftOf(service), ...edits };
  const check = checkSettings(shown, service);
  const changed = check.patch !== undefined && Object.keys(check.patch).length > 0;
  // The fields with a problem, named in the form's order.
  const invalid = Object.keys(FIELD_LABELS).filter((k) => check.errors[k] !== undefined);

  function edit<S extends Section>(section: S, patch: Partial<SettingsDraft[S]>) {
    setEdits((now) => ({ ...now, [section]: { ...(now[section] ?? shown[section]), ...patch } }));
    setStatus({});
  }

  async function apply() {
    if (!check.patch || !changed || busy) return;
    const sent = edits;
    setBusy(true);
    const res = await actions.updateService(service.name, check.patch);
    setBusy(false);
    if (res.ok) {
      // The form shows the service again, as the core now has it (unless the user typed on meanwhile).
      setEdits((now) => (now === sent ? {} : now));
      setStatus({ note: 'Applied.' });
    } else setStatus({ error: res.error });
  }

  const field = <S extends Section>(section: S, name: keyof SettingsDraft[S] & string, props: FieldProps = {}) => {
    const key = `${section}.${name}`;
    const inputId = `${id}-${section}-${name}`;
    const error = check.errors[key];
    return (
      <span className="fault-field" title={props.title}>
        <label htmlFor={inputId}>{labelOf(key, service.protocol)}</label>
        <span className="with-unit">
          <input
            id={inputId}
            className={[props.width ?? 'narrow', props.mono ? 'mono' : ''].join(' ').trim()}
            inputMode={props.unit ? 'numeric' : undefined}
            placeholder={props.placeholder}
            value={String(shown[section][name])}
            aria-invalid={error ? true : undefined}
            aria-describedby={[error ? `${inputId}-error` : '', props.describedBy ?? ''].join(' ').trim() || undefined}
            onChange={(e) => edit(section, { [name]: e.target.value } as Partial<SettingsDraft[S]>)}
          />
          {props.unit && <span className="unit">{props.unit}</span>}
        </span>
        {error && (
          <span id={`${inputId}-error`} className="field-error">
            {error}
          </span>
        )}
      </span>
    );
  };

  return (
    <section className="service-settings" data-testid={`settings-${service.name}`} aria-label={`Health and retries of ${service.name}`}>
      <div className="settings-head">
        <button
          type="button"
          className="link settings-toggle"
          data-testid="settings-toggle"
          aria-expanded={open}
          aria-controls={`${id}-form`}
          onClick={() => setOpen(!open)}
        >
          {open ? '▾' : '▸'} Health &amp; retries
        </button>
        <span className="small muted" data-testid="settings-summary">
          {summary(service)}
        </span>
      </div>
      {open && (
        <form
          id={`${id}-form`}
          className="settings-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void apply();
          }}
        >
          <p className="small muted hint">Applies live to the running service; save the workspace to keep it.</p>
          <fieldset className="settings-section">
            <legend>
              <label className="checkbox">
                <input type="checkbox" checked={shown.health.on} onChange={(e) => edit('health', { on: e.target.checked })} /> Active health check
              </label>
            </legend>
            {shown.health.on ? (
              <div className="settings-fields">
                {!tcp &&
                  field('health', 'path', {
                    width: 'settings-path',
                    mono: true,
                    title: 'Requested on each backend; 200–399 passes unless the workspace says otherwise',
                  })}
                {field('health', 'intervalMs', { unit: 'ms' })}
                {field('health', 'timeoutMs', { unit: 'ms' })}
                {field('health', 'rise', { title: 'Consecutive passes that mark an unhealthy backend healthy' })}
                {field('health', 'fall', { title: 'Consecutive failures that mark a healthy backend unhealthy' })}
                {tcp &&
                  field('health', 'send', {
                    width: 'settings-text',
                    mono: true,
                    placeholder: 'e.g. PING\\r\\n',
                    title: 'Optional: sent once connected',
                  })}
                {tcp &&
                  field('health', 'expect', {
                    width: 'settings-text',
                    mono: true,
                    placeholder: 'e.g. PONG or /^\\+OK/',
                    title: 'Optional: the reply must contain this text, or match /regex/, within the check timeout',
                  })}
              </div>
            ) : (
              <p className="small muted">Off: backends are not probed.</p>
            )}
          </fieldset>
          <fieldset className="settings-section">
            <legend>
              <label className="checkbox">
                <input type="checkbox" checked={shown.passive.on} onChange={(e) => edit('passive', { on: e.target.checked })} /> Passive health
              </label>
            </legend>
            {shown.passive.on ? (
              <div className="settings-fields">
                {!tcp && field('passive', 'consecutive5xx', { title: 'Consecutive 5xx answers that eject a backend' })}
                {field('passive', 'consecutiveErrors', { title: 'Consecutive connect errors, resets or timeouts that eject a backend' })}
                {field('passive', 'baseEjectionMs', { unit: 'ms', title: 'First ejection length; doubles on each repeated ejection' })}
                {field('passive', 'maxEjectedPercent', { unit: '%', title: 'Never eject more than this share of the pool' })}
              </div>
            ) : (
              <p className="small muted">Off: failing live traffic ejects no backend.</p>
            )}
          </fieldset>
          <fieldset className="settings-section">
            <legend>Retries</legend>
            <div className="settings-fields">
              {field('retries', 'attempts', {
                title: tcp
                  ? 'Connect attempts per client connection, on other backends, the first included (1 = no retries)'
                  : 'Total tries per request, the first included (1 = no retries)',
              })}
              {!tcp &&
                field('retries', 'onStatus', {
                  width: 'settings-text',
                  mono: true,
                  placeholder: 'e.g. 502, 503, 504',
                  title: 'A request answered with one of these goes on to another backend; the last answer goes to the client when none is left',
                })}
              {!tcp && (
                <label className="checkbox settings-check">
                  <input
                    type="checkbox"
                    checked={shown.retries.retryNonIdempotent}
                    onChange={(e) => edit('retries', { retryNonIdempotent: e.target.checked })}
                  />{' '}
                  Retry POST and PATCH too
                </label>
              )}
            </div>
            {!tcp && shown.retries.retryNonIdempotent && (
              <p className="small warn-note" data-testid="settings-post-warning">
                A POST or PATCH may then run twice: a backend that acted on it before failing sees it again.
              </p>
            )}
          </fieldset>
          <fieldset className="settings-section">
            <legend>Timeouts</legend>
            <div className="settings-fields">
              {field('timeouts', 'connectMs', { unit: 'ms', title: 'Time to connect to a backend (and finish its TLS handshake)' })}
              {!tcp && field('timeouts', 'responseMs', { unit: 'ms', title: 'Time to wait for the response headers' })}
              {field('timeouts', 'idleMs', { unit: 'ms', describedBy: `${id}-idle-help` })}
              {!tcp &&
                field('timeouts', 'clientHeadersMs', {
                  unit: 'ms',
                  title: 'How long a client may take to send its request headers; slower ones are answered 408 and closed',
                })}
            </div>
            <p id={`${id}-idle-help`} className="small muted settings-help">
              {tcp
                ? 'Idle timeout: a connection with no byte either way for this long is closed (0 = never).'
                : 'Idle timeout: a response body or WebSocket tunnel with no byte for this long is closed and counted as a timeout (0 = never).'}
            </p>
          </fieldset>
          {!tcp && (
            <fieldset className="settings-section">
              <legend>HTTP</legend>
              <div className="settings-fields">
                {field('http', 'maxHeaderKiB', {
                  unit: 'KiB',
                  title: 'The largest request head a client may send (larger gets 431), and response head a backend may send (larger gets 502); 1 to 256 KiB',
                })}
                <label
                  className="checkbox settings-check"
                  title="Location, Content-Location and Refresh headers that point at a backend's own address are rewritten to the address the client used"
                >
                  <input type="checkbox" checked={shown.http.rewriteRedirects} onChange={(e) => edit('http', { rewriteRedirects: e.target.checked })} /> Rewrite
                  redirects to the balancer
                </label>
              </div>
            </fieldset>
          )}
          {!tcp && (
            <fieldset className="settings-section">
              <legend>TLS to https:// backends</legend>
              <div className="settings-fields">
                <label className="checkbox settings-check">
                  <input type="checkbox" checked={shown.tls.verify} onChange={(e) => edit('tls', { verify: e.target.checked })} /> Verify certificates
                </label>
                {field('tls', 'ca', {
                  width: 'settings-file',
                  mono: true,
                  placeholder: 'default CAs',
                  title: 'A PEM file of certificate authorities to trust, such as a local development CA (a path on the host)',
                })}
                {field('tls', 'servername', {
                  width: 'settings-text',
                  mono: true,
                  placeholder: 'the URL’s host',
                  title: 'The server name (SNI) sent and verified instead of the host in the backend URL',
                })}
              </div>
              {!shown.tls.verify && (
                <p className="small warn-note" data-testid="settings-tls-warning">
                  Certificates are not checked: anyone between here and a backend can pose as it. For local development only.
                </p>
              )}
            </fieldset>
          )}
          <div className="form-actions">
            <button type="submit" className="primary" data-testid="settings-apply" disabled={busy || !changed}>
              Apply
            </button>
            {Object.keys(edits).length > 0 && (
              <button
                type="button"
                onClick={() => {
                  setEdits({});
                  setStatus({});
                }}
              >
                Reset
              </button>
            )}
            {invalid.length > 0 && (
              <span className="field-error" data-testid="settings-invalid">
                Nothing is sent until {names(invalid.map((k) => labelOf(k, service.protocol)))} {invalid.length === 1 ? 'is' : 'are'} fixed.
              </span>
            )}
            {status.note && (
              <span className="ok-note small" role="status">
                {status.note}
              </span>
            )}
          </div>
          {status.error && <ErrorLines error={status.error} testId="settings-error" />}
        </form>
      )}
    </section>
  );
}
