/** Adds a service by name and listen address, validated as you type. */
import { useState, type FormEvent } from 'react';
import type { Protocol } from '../../core/model/spec';
import { useActions, useApp } from '../store/context';
import { selectServices } from '../store/selectors';
import { ErrorLines } from './ErrorLines';
import { validateNewService } from './validation';
import type { ErrorData } from '../../core/contract';

export function AddServiceForm() {
  const actions = useActions();
  const services = useApp(selectServices);
  const select = useApp((s) => s.selectService);
  const [name, setName] = useState('');
  const [listen, setListen] = useState('');
  const [protocol, setProtocol] = useState<Protocol>('http');
  const [serverError, setServerError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);

  const errors = validateNewService({ name, listen, protocol }, services);
  const valid = name !== '' && listen !== '' && !errors.name && !errors.listen;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!valid) return;
    setBusy(true);
    const res = await actions.addService({ name, listen, protocol });
    setBusy(false);
    if (res.ok) {
      setName('');
      setListen('');
      setServerError(null);
      select(res.value.name);
    } else {
      setServerError(res.error);
    }
  }

  return (
    <form className="add-service" onSubmit={submit} aria-label="Add a service">
      <h3>Add a service</h3>
      <label htmlFor="new-service-name">Service name</label>
      <input
        id="new-service-name"
        value={name}
        placeholder="web"
        aria-invalid={name && errors.name ? true : undefined}
        aria-describedby="new-service-name-error"
        onChange={(e) => {
          setName(e.target.value);
          setServerError(null);
        }}
      />
      <p id="new-service-name-error" className="field-error" aria-live="polite">
        {name ? errors.name : ''}
      </p>
      <label htmlFor="new-service-listen">Listen address</label>
      <input
        id="new-service-listen"
        className="mono"
        value={listen}
        placeholder="127.0.0.1:8080"
        spellCheck={false}
        aria-invalid={listen && errors.listen ? true : undefined}
        aria-describedby="new-service-listen-error"
        onChange={(e) => {
          setListen(e.target.value);
          setServerError(null);
        }}
      />
      <p id="new-service-listen-error" className="field-error" aria-live="polite">
        {listen ? errors.listen : ''}
      </p>
      <div className="row">
        <label htmlFor="new-service-protocol">Protocol</label>
        <select id="new-service-protocol" value={protocol} onChange={(e) => setProtocol(e.target.value as Protocol)}>
          <option value="http">HTTP</option>
          <option value="tcp">TCP</option>
        </select>
        <button type="submit" className="primary" disabled={!valid || busy}>
          Add service
        </button>
      </div>
      {serverError && <ErrorLines error={serverError} />}
    </form>
  );
}
