/**
 * The load generator: a form for one run (open loop at a rate, optionally
 * ramped, or closed loop with N clients; duration; a request mix; body size;
 * an optional hash key) checked with the contract's schema as you type, with
 * Start and Stop, next to the client's side of the run (./LoadResults). An
 * error from the core (CONFLICT while a drill runs) shows under the buttons.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ErrorData } from '../../core/contract';
import { useActions, useApp } from '../store/context';
import { selectLoadRun, selectSelectedName, selectServices } from '../store/selectors';
import { ErrorLines } from './ErrorLines';
import { defaultLoadForm, loadSpecOf, type LoadForm } from './load-form';
import { LoadResults } from './LoadResults';
import { MixEditor } from './MixEditor';

export function LoadPanel({ active }: { active: boolean }) {
  return (
    <div className="load-layout">
      <LoadFormPanel />
      <LoadResults active={active} />
    </div>
  );
}

function LoadFormPanel() {
  const actions = useActions();
  const services = useApp(selectServices);
  const selected = useApp(selectSelectedName);
  const run = useApp(selectLoadRun);
  const [form, setForm] = useState<LoadForm>(defaultLoadForm);
  const [error, setError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);

  // Any service will do: the generator speaks HTTP, which a TCP service passes through to its backends.
  const followed = services.find((s) => s.name === selected)?.name ?? services[0]?.name ?? '';
  const target = form.service !== null && services.some((s) => s.name === form.service) ? form.service : followed;
  const targetView = services.find((s) => s.name === target);
  const { spec, errors } = loadSpecOf(form);
  const userRun = run.state !== 'idle' && run.drill === null;

  function edit(patch: Partial<LoadForm>) {
    setForm((f) => ({ ...f, ...patch }));
    setError(null);
  }

  async function start(e: FormEvent) {
    e.preventDefault();
    if (!spec || !target || busy) return;
    setBusy(true);
    const res = await actions.startLoad(spec, target);
    setBusy(false);
    setError(res.ok ? null : res.error);
  }

  async function stop() {
    setBusy(true);
    const res = await actions.stopLoad();
    setBusy(false);
    setError(res.ok ? null : res.error);
  }

  const err = (path: string) => errors[path];
  const keyError = errors['key.header'] ?? errors['key.cookie'] ?? errors.key;

  return (
    <form className="panel load-form" aria-labelledby="load-form-title" onSubmit={start} noValidate>
      <h3 id="load-form-title">Load generator</h3>
      {services.length === 0 ? (
        <p className="empty small">Add a service first: the load generator sends HTTP requests to it.</p>
      ) : (
        <>
          <div className="form-grid">
            <label htmlFor="load-service">Target service</label>
            <span>
              <select id="load-service" value={target} onChange={(e) => edit({ service: e.target.value })}>
                {services.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.protocol === 'tcp' ? `${s.name} (tcp)` : s.name}
                  </option>
                ))}
              </select>{' '}
              <span className="mono small muted">{targetView?.address ?? 'not listening'}</span>
              {targetView?.protocol === 'tcp' && <span className="small muted"> HTTP through the TCP proxy: its backends must speak HTTP.</span>}
            </span>

            <span className="label">Mode</span>
            <span className="radios" role="radiogroup" aria-label="Mode">
              <label>
                <input type="radio" name="load-mode" checked={form.mode === 'open'} onChange={() => edit({ mode: 'open' })} /> Open loop (a rate)
              </label>
              <label>
                <input type="radio" name="load-mode" checked={form.mode === 'closed'} onChange={() => edit({ mode: 'closed' })} /> Closed loop (clients)
              </label>
            </span>

            {form.mode === 'open' ? (
              <>
                <label htmlFor="load-rate">Rate</label>
                <Field error={err('rate')}>
                  <input id="load-rate" className="narrow" inputMode="decimal" value={form.rate} aria-invalid={err('rate') ? true : undefined} onChange={(e) => edit({ rate: e.target.value })} />{' '}
                  <span className="unit">req/s</span>
                </Field>
                <span className="label">Ramp</span>
                <Field error={err('rampFromRate') ?? err('rampMs')}>
                  <label className="inline">
                    <input type="checkbox" checked={form.ramp} onChange={(e) => edit({ ramp: e.target.checked })} /> from
                  </label>{' '}
                  <input
                    aria-label="Ramp from rate"
                    className="tiny"
                    inputMode="decimal"
                    disabled={!form.ramp}
                    value={form.rampFromRate}
                    aria-invalid={err('rampFromRate') ? true : undefined}
                    onChange={(e) => edit({ rampFromRate: e.target.value })}
                  />{' '}
                  <span className="unit">req/s over</span>{' '}
                  <input
                    aria-label="Ramp duration in seconds"
                    className="tiny"
                    inputMode="decimal"
                    disabled={!form.ramp}
                    value={form.rampSeconds}
                    aria-invalid={err('rampMs') ? true : undefined}
                    onChange={(e) => edit({ rampSeconds: e.target.value })}
                  />{' '}
                  <span className="unit">s</span>
                </Field>
              </>
            ) : (
              <>
                <label htmlFor="load-concurrency">Clients</label>
                <Field error={err('concurrency')}>
                  <input
                    id="load-concurrency"
                    className="narrow"
                    inputMode="numeric"
                    value={form.concurrency}
                    aria-invalid={err('concurrency') ? true : undefined}
                    onChange={(e) => edit({ concurrency: e.target.value })}
                  />{' '}
                  <span className="unit">each with one request outstanding</span>
                </Field>
              </>
            )}

            <label htmlFor="load-duration">Duration</label>
            <Field error={err('durationMs')}>
              <input
                id="load-duration"
                className="narrow"
                inputMode="decimal"
                value={form.duration}
                aria-invalid={err('durationMs') ? true : undefined}
                onChange={(e) => edit({ duration: e.target.value })}
              />{' '}
              <span className="unit">s</span>
            </Field>

            <span className="label" id="load-mix-label">
              Requests
            </span>
            <MixEditor rows={form.mix} onChange={(mix) => edit({ mix })} errors={errors} idPrefix="load-mix" max={100} />

            <label htmlFor="load-body">Body size</label>
            <Field error={err('bodyBytes')}>
              <input
                id="load-body"
                className="narrow"
                inputMode="numeric"
                value={form.bodyBytes}
                aria-invalid={err('bodyBytes') ? true : undefined}
                onChange={(e) => edit({ bodyBytes: e.target.value })}
              />{' '}
              <span className="unit">bytes, for POST, PUT and PATCH</span>
            </Field>

            <span className="label">Hash key</span>
            <Field error={form.key.on ? (keyError ?? errors['key.count']) : undefined}>
              <label className="inline" title="Send one of K distinct keys per request, to exercise hash strategies">
                <input type="checkbox" checked={form.key.on} onChange={(e) => edit({ key: { ...form.key, on: e.target.checked } })} /> send
              </label>{' '}
              <select
                aria-label="Key carried in"
                disabled={!form.key.on}
                value={form.key.kind}
                onChange={(e) => edit({ key: { ...form.key, kind: e.target.value as 'header' | 'cookie' } })}
              >
                <option value="header">header</option>
                <option value="cookie">cookie</option>
              </select>{' '}
              <input
                aria-label="Hash key name"
                className="short mono"
                disabled={!form.key.on}
                value={form.key.name}
                aria-invalid={form.key.on && keyError ? true : undefined}
                onChange={(e) => edit({ key: { ...form.key, name: e.target.value } })}
              />{' '}
              <span className="unit">K</span>{' '}
              <input
                aria-label="Distinct keys"
                className="tiny"
                inputMode="numeric"
                disabled={!form.key.on}
                value={form.key.count}
                aria-invalid={form.key.on && errors['key.count'] ? true : undefined}
                onChange={(e) => edit({ key: { ...form.key, count: e.target.value } })}
              />
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" data-testid="load-start" disabled={!spec || !target || busy}>
              Start
            </button>
            <button type="button" data-testid="load-stop" disabled={!userRun || run.state === 'stopping' || busy} onClick={() => void stop()}>
              Stop
            </button>
            {run.drill && <span className="small muted">Drill “{run.drill}” is using the load generator.</span>}
          </div>
          {error && <ErrorLines error={error} testId="load-error" />}
        </>
      )}
    </form>
  );
}

function Field({ error, children }: { error: string | undefined; children: ReactNode }) {
  return (
    <span className="field-cell">
      <span className="field-line">{children}</span>
      {error && <span className="field-error">{error}</span>}
    </span>
  );
}
