/** The list of services: select, rename, remove, and a form to add one. */
import { useState, type FormEvent } from 'react';
import type { ServiceView } from '../../core/contract';
import { useActions, useApp } from '../store/context';
import { selectServices } from '../store/selectors';
import { AddServiceForm } from './AddServiceForm';
import { validateServiceName } from './validation';

export function Sidebar() {
  const services = useApp(selectServices);
  const loaded = useApp((s) => s.loaded);
  return (
    <nav className="sidebar" aria-label="Services">
      <h2 className="sidebar-title">Services</h2>
      {loaded && services.length === 0 && (
        <p className="empty small" data-testid="no-services">
          No services yet. Add a service below: give it a name and an address to listen on, then add backends to it.
        </p>
      )}
      <ul className="service-list">
        {services.map((svc) => (
          <ServiceItem key={svc.name} service={svc} />
        ))}
      </ul>
      <AddServiceForm />
    </nav>
  );
}

function ServiceItem({ service }: { service: ServiceView }) {
  const selected = useApp((s) => s.selectedService === service.name);
  const select = useApp((s) => s.selectService);
  const [mode, setMode] = useState<'view' | 'rename' | 'remove'>('view');

  return (
    <li className={selected ? 'service-item selected' : 'service-item'} data-testid={`service-${service.name}`}>
      <button type="button" className="service-select" aria-current={selected ? 'true' : undefined} onClick={() => select(service.name)}>
        <span className="service-line">
          <span className="service-name">{service.name}</span>
          <span className="tag">{service.protocol}</span>
        </span>
        <span className="service-addr mono">
          {service.address ?? service.listen}
          {service.address === null && <span className="muted"> (not listening)</span>}
        </span>
      </button>
      {selected && mode === 'view' && (
        <div className="service-actions">
          <button type="button" className="link" onClick={() => setMode('rename')}>
            Rename
          </button>
          <button type="button" className="link danger" onClick={() => setMode('remove')}>
            Remove
          </button>
        </div>
      )}
      {selected && mode === 'rename' && <RenameForm service={service} onDone={() => setMode('view')} />}
      {selected && mode === 'remove' && <RemoveConfirm service={service} onDone={() => setMode('view')} />}
    </li>
  );
}

function RenameForm({ service, onDone }: { service: ServiceView; onDone: () => void }) {
  const actions = useActions();
  const services = useApp(selectServices);
  const [name, setName] = useState(service.name);
  const [serverError, setServerError] = useState<string | null>(null);
  const problem = validateServiceName(name, service.name, services);
  const id = `rename-${service.name}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (problem) return;
    if (name === service.name) return onDone();
    const res = await actions.renameService(service.name, name);
    if (res.ok) onDone();
    else setServerError(res.error.message);
  }

  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor={id} className="sr-only">
        New name for {service.name}
      </label>
      <input
        id={id}
        autoFocus
        value={name}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => {
          setName(e.target.value);
          setServerError(null);
        }}
        onKeyDown={(e) => e.key === 'Escape' && onDone()}
      />
      <button type="submit" disabled={Boolean(problem)}>
        Save
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {(problem ?? serverError) && <p className="field-error">{problem ?? serverError}</p>}
    </form>
  );
}

function RemoveConfirm({ service, onDone }: { service: ServiceView; onDone: () => void }) {
  const actions = useActions();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="inline-form" role="group" aria-label={`Remove ${service.name}`}>
      <span className="small">Remove {service.name} and stop listening?</span>
      <button
        type="button"
        className="danger"
        onClick={async () => {
          const res = await actions.removeService(service.name);
          if (!res.ok) setError(res.error.message);
        }}
      >
        Remove
      </button>
      <button type="button" autoFocus onClick={onDone}>
        Cancel
      </button>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
