/**
 * The failover lab's buttons in a service's header: start a demo backend
 * behind the service (HTTP only: demo backends speak HTTP), and heal every
 * injected fault. An error the core returns shows next to the button.
 */
import { useState } from 'react';
import type { ErrorData, ServiceView } from '../../core/contract';
import { useActions } from '../store/context';

function useCommand() {
  const [error, setError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(op: () => Promise<{ ok: true } | { ok: false; error: ErrorData }>) {
    setBusy(true);
    setError(null);
    const res = await op();
    setBusy(false);
    if (!res.ok) setError(res.error);
  }
  return { error, busy, run };
}

export function AddDemoButton({ service }: { service: ServiceView }) {
  const actions = useActions();
  const { error, busy, run } = useCommand();
  if (service.protocol !== 'http') return null;
  return (
    <span className="header-action">
      <button
        type="button"
        data-testid="add-demo-backend"
        disabled={busy}
        title="Start a built-in demo HTTP backend on a free port and add it to this service"
        onClick={() => void run(() => actions.addDemo(service.name))}
      >
        + Add demo backend
      </button>
      {error && (
        <span className="field-error" role="alert" data-testid="add-demo-error">
          {error.message}
        </span>
      )}
    </span>
  );
}

export function HealAllButton() {
  const actions = useActions();
  const { error, busy, run } = useCommand();
  return (
    <span className="header-action">
      <button type="button" data-testid="heal-all" disabled={busy} title="Clear every injected fault, on every service" onClick={() => void run(() => actions.healAll())}>
        Heal all
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}
