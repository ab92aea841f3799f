/**
 * A small drill editor: name, service, duration, load rate and mix, and the
 * steps as rows (when, what, which backend, and the action's parameters).
 * Checked with the contract's DrillSchema as you type; Save sends
 * `drills:save` (and removes the old drill when it was renamed).
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ErrorData } from '../../core/contract';
import type { DrillAction } from '../../core/drills/spec';
import { AdminStateSchema, type AdminState } from '../../core/model/spec';
import { useActions, useApp } from '../store/context';
import { selectServices } from '../store/selectors';
import { checkDrill, DRILL_ACTIONS, stepDraft, type DrillDraft, type StepDraft } from './drill-draft';
import { ErrorLines } from './ErrorLines';
import { FaultListEditor } from './FaultListEditor';
import { MixEditor } from './MixEditor';

interface Props {
  initial: DrillDraft;
  onClose(): void;
}

/** The errors under `prefix.`, keyed by the rest of the path. */
function below(errors: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

export function DrillEditor({ initial, onClose }: Props) {
  const actions = useActions();
  const services = useApp(selectServices);
  const [draft, setDraft] = useState<DrillDraft>(initial);
  const [serverError, setServerError] = useState<ErrorData | null>(null);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const service = services.find((s) => s.name === draft.service);
  const { drill, errors, faultChecks } = checkDrill(draft, service?.protocol ?? 'http');
  const backends = service?.backends.map((b) => b.name) ?? [];

  function edit(patch: Partial<DrillDraft>) {
    setDraft((d) => ({ ...d, ...patch }));
    setServerError(null);
  }
  function editStep(key: number, patch: Partial<StepDraft>) {
    setDraft((d) => ({ ...d, steps: d.steps.map((s) => (s.key === key ? { ...s, ...patch } : s)) }));
    setServerError(null);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (!drill || busy) return;
    setBusy(true);
    const res = await actions.saveDrill(drill);
    if (res.ok && draft.editing !== null && draft.editing !== drill.name) await actions.deleteDrill(draft.editing);
    setBusy(false);
    if (res.ok) onClose();
    else setServerError(res.error);
  }

  const shown = new Set(['name', 'service', 'durationMs', 'load.rate']);
  const rest = Object.entries(errors).filter(([k]) => !shown.has(k) && !k.startsWith('load.requests') && !/^steps\.\d+\.(atMs|backend|weight)$/.test(k));

  return (
    <form className="panel drill-editor" aria-labelledby="drill-editor-title" onSubmit={save} noValidate data-testid="drill-editor">
      <div className="panel-head">
        <h3 id="drill-editor-title">{draft.editing ? `Edit drill “${draft.editing}”` : 'New drill'}</h3>
        <button type="button" className="link" aria-label="Close the drill editor" onClick={onClose}>
          ✕
        </button>
      </div>
      <div className="drill-fields">
        <Labelled id="drill-name" label="Name" error={draft.name || tried ? errors.name : undefined}>
          <input id="drill-name" value={draft.name} placeholder="Kill one backend under load" onChange={(e) => edit({ name: e.target.value })} />
        </Labelled>
        <Labelled id="drill-service" label="Service" error={errors.service}>
          <select id="drill-service" value={draft.service} onChange={(e) => edit({ service: e.target.value })}>
            {!service && <option value={draft.service}>{draft.service || '(choose)'}</option>}
            {services.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </Labelled>
        <Labelled id="drill-duration" label="Duration (s)" error={errors.durationMs}>
          <input id="drill-duration" className="narrow" inputMode="decimal" value={draft.duration} onChange={(e) => edit({ duration: e.target.value })} />
        </Labelled>
        <Labelled id="drill-rate" label="Load (req/s)" error={errors['load.rate']}>
          <input id="drill-rate" className="narrow" inputMode="decimal" value={draft.rate} onChange={(e) => edit({ rate: e.target.value })} />
        </Labelled>
        <label className="inline drill-restore" title="At the end, undo what the steps did: revive, heal, put weights and states back">
          <input type="checkbox" checked={draft.restore} onChange={(e) => edit({ restore: e.target.checked })} /> restore at the end
        </label>
      </div>
      <div className="drill-mix">
        <span className="label" id="drill-mix-label">
          Requests
        </span>
        <MixEditor rows={draft.mix} onChange={(mix) => edit({ mix })} errors={below(errors, 'load')} idPrefix="drill-mix" />
      </div>

      <h4>Steps</h4>
      {draft.steps.length === 0 && <p className="empty small">No steps: the drill only puts load on the service.</p>}
      <ol className="drill-steps">
        {draft.steps.map((s, i) => (
          <li key={s.key} className="drill-step" data-testid="drill-step">
            <div className="step-line">
              <span className="fault-field">
                <label htmlFor={`step-${s.key}-at`}>At (s)</label>
                <input
                  id={`step-${s.key}-at`}
                  className="tiny"
                  inputMode="decimal"
                  value={s.at}
                  aria-invalid={errors[`steps.${i}.atMs`] ? true : undefined}
                  onChange={(e) => editStep(s.key, { at: e.target.value })}
                />
              </span>
              <span className="fault-field">
                <label htmlFor={`step-${s.key}-action`}>Action</label>
                <select id={`step-${s.key}-action`} value={s.action} onChange={(e) => editStep(s.key, { action: e.target.value as DrillAction })}>
                  {DRILL_ACTIONS.map(([a, text]) => (
                    <option key={a} value={a}>
                      {text}
                    </option>
                  ))}
                </select>
              </span>
              <span className="fault-field">
                <label htmlFor={`step-${s.key}-backend`}>Backend</label>
                <select
                  id={`step-${s.key}-backend`}
                  value={s.backend}
                  aria-invalid={errors[`steps.${i}.backend`] ? true : undefined}
                  onChange={(e) => editStep(s.key, { backend: e.target.value })}
                >
                  {s.action === 'heal' ? <option value="">all backends</option> : s.backend === '' && <option value="">(choose)</option>}
                  {s.backend !== '' && !backends.includes(s.backend) && <option value={s.backend}>{s.backend}</option>}
                  {backends.map((b) => (
                    <option key={b} value={b}>
                      {b}
                    </option>
                  ))}
                </select>
              </span>
              {s.action === 'weight' && (
                <span className="fault-field">
                  <label htmlFor={`step-${s.key}-weight`}>Weight</label>
                  <input
                    id={`step-${s.key}-weight`}
                    className="tiny"
                    inputMode="numeric"
                    value={s.weight}
                    aria-invalid={errors[`steps.${i}.weight`] ? true : undefined}
                    onChange={(e) => editStep(s.key, { weight: e.target.value })}
                  />
                </span>
              )}
              {s.action === 'state' && (
                <span className="fault-field">
                  <label htmlFor={`step-${s.key}-state`}>State</label>
                  <select id={`step-${s.key}-state`} value={s.state} onChange={(e) => editStep(s.key, { state: e.target.value as AdminState })}>
                    {AdminStateSchema.options.map((st) => (
                      <option key={st} value={st}>
                        {st}
                      </option>
                    ))}
                  </select>
                </span>
              )}
              <button type="button" className="link danger" aria-label={`Remove step ${i + 1}`} onClick={() => edit({ steps: draft.steps.filter((x) => x.key !== s.key) })}>
                Remove
              </button>
              {(errors[`steps.${i}.atMs`] ?? errors[`steps.${i}.backend`] ?? errors[`steps.${i}.weight`]) && (
                <span className="field-error step-error">{errors[`steps.${i}.atMs`] ?? errors[`steps.${i}.backend`] ?? errors[`steps.${i}.weight`]}</span>
              )}
            </div>
            {s.action === 'fault' && (
              <div className="step-faults">
                <FaultListEditor
                  drafts={s.faults}
                  checks={faultChecks.get(s.key) ?? []}
                  onChange={(faults) => editStep(s.key, { faults })}
                  idPrefix={`step-${s.key}-fault`}
                  subject={`step ${i + 1}`}
                  protocol={service?.protocol ?? 'http'}
                />
              </div>
            )}
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="link"
        onClick={() => {
          const last = draft.steps.at(-1);
          const at = last ? String((Number(last.at) || 0) + 5) : '5';
          edit({ steps: [...draft.steps, stepDraft('heal', at, '')] });
        }}
      >
        + Add step
      </button>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || (tried && !drill)}>
          Save drill
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {tried && !drill && (
        <ErrorLines
          error={{
            code: 'INPUT_INVALID',
            message: 'Fix the fields marked above first; nothing was saved.',
            issues: rest.length ? rest.map(([k, v]) => `${k}: ${v}`) : undefined,
          }}
          testId="drill-editor-error"
        />
      )}
      {serverError && <ErrorLines error={serverError} testId="drill-editor-error" />}
    </form>
  );
}

function Labelled({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: ReactNode }) {
  return (
    <span className="labelled">
      <label htmlFor={id}>{label}</label>
      {children}
      {error && <span className="field-error">{error}</span>}
    </span>
  );
}
