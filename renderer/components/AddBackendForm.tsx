/**
 * Adds a backend to a service. The URL is checked as you type with the
 * core's schemas; Add stays disabled while anything is invalid, and an error
 * the core still returns is shown under the form.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { ErrorData, ServiceView } from '../../core/contract';
import type { BackendInput } from '../../core/model/spec';
import { useActions } from '../store/context';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorLines } from './ErrorLines';
import { validateNewBackend } from './validation';

export function AddBackendForm({ service }: { service: ServiceView }) {
  const actions = useActions();
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [weight, setWeight] = useState('');
  const [serverError, setServerError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  /** The core's CONFLICT for a URL the service already has: asked about before sending again with allowDuplicate. */
  const [duplicate, setDuplicate] = useState<{ message: string; backend: BackendInput } | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);

  const candidate: BackendInput = { url: url.trim() };
  if (name.trim()) candidate.name = name.trim();
  if (weight.trim()) candidate.weight = Number(weight);
  const errors = url.trim() || name.trim() || weight.trim() ? validateNewBackend(service, candidate) : {};
  const urlError = url.trim() ? errors.url : undefined;
  const valid = url.trim() !== '' && Object.keys(errors).length === 0;
  const placeholder = service.protocol === 'tcp' ? 'tcp://127.0.0.1:5432' : 'http://127.0.0.1:3001';

  function edit(setter: (v: string) => void) {
    return (e: { target: { value: string } }) => {
      setter(e.target.value);
      setServerError(null);
    };
  }

  async function add(backend: BackendInput, allowDuplicate: boolean) {
    setBusy(true);
    const res = await actions.addBackend(service.name, backend, { allowDuplicate });
    setBusy(false);
    setDuplicate(null);
    if (res.ok) {
      setUrl('');
      setName('');
      setWeight('');
      setServerError(null);
    } else if (res.error.code === 'CONFLICT' && !allowDuplicate) {
      setDuplicate({ message: res.error.message, backend });
    } else {
      setServerError(res.error);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!valid || busy) return;
    await add(candidate, false);
  }

  return (
    <form className="add-backend" onSubmit={submit} aria-label="Add a backend" noValidate>
      <div className="field grow">
        <label htmlFor="backend-url">Backend URL</label>
        <input
          id="backend-url"
          className="mono"
          spellCheck={false}
          autoComplete="off"
          placeholder={placeholder}
          value={url}
          aria-invalid={urlError ? true : undefined}
          aria-describedby="backend-url-error"
          onChange={edit(setUrl)}
        />
        <p id="backend-url-error" className="field-error" aria-live="polite" data-testid="backend-url-error">
          {urlError ?? ''}
        </p>
      </div>
      <div className="field">
        <label htmlFor="backend-name">Name (optional)</label>
        <input id="backend-name" placeholder="host:port" value={name} aria-invalid={errors.name ? true : undefined} aria-describedby="backend-name-error" onChange={edit(setName)} />
        <p id="backend-name-error" className="field-error" aria-live="polite">
          {errors.name ?? ''}
        </p>
      </div>
      <div className="field">
        <label htmlFor="backend-weight">Weight</label>
        <input
          id="backend-weight"
          type="number"
          min={1}
          max={1000}
          className="narrow"
          placeholder="1"
          value={weight}
          aria-invalid={errors.weight ? true : undefined}
          aria-describedby="backend-weight-error"
          onChange={edit(setWeight)}
        />
        <p id="backend-weight-error" className="field-error" aria-live="polite">
          {errors.weight ?? ''}
        </p>
      </div>
      <div className="field">
        <span className="label-spacer" aria-hidden="true">
          &nbsp;
        </span>
        <button type="submit" className="primary" ref={addButton} disabled={!valid || busy}>
          Add backend
        </button>
      </div>
      {serverError && (
        <div className="full">
          <ErrorLines error={serverError} testId="add-backend-error" />
        </div>
      )}
      {duplicate && (
        <ConfirmDialog
          title="Add the same URL again?"
          confirmLabel="Add anyway"
          busy={busy}
          onConfirm={() => void add(duplicate.backend, true)}
          onCancel={() => setDuplicate(null)}
          returnFocus={() => addButton.current}
          testId="duplicate-backend"
        >
          <p>{duplicate.message}</p>
          <p>Cancel adds nothing; to give that server more traffic, raise its weight instead.</p>
        </ConfirmDialog>
      )}
    </form>
  );
}
