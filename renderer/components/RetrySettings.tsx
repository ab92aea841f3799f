/**
 * A service's retry policy, editable live (one `services:update` per Apply):
 * tries per request, the HTTP statuses that send a request on to another
 * backend (`retries.onStatus`), and whether POST/PATCH may be sent again.
 * Input is checked with the core's own schema as you type; what the core
 * rejects is shown and the form keeps what the user typed.
 */
import { useState } from 'react';
import type { ErrorData, ServiceView } from '../../core/contract';
import { RetrySchema, type RetrySpec } from '../../core/model/spec';
import { useActions } from '../store/context';
import { ErrorLines } from './ErrorLines';

interface Draft {
  attempts: string;
  onStatus: string;
  retryNonIdempotent: boolean;
}

const draftOf = (r: RetrySpec): Draft => ({ attempts: String(r.attempts), onStatus: r.onStatus.join(', '), retryNonIdempotent: r.retryNonIdempotent });

/** The draft as a full retry policy, or the first problem in words. */
export function parseRetryDraft(draft: Draft, current: RetrySpec): { ok: true; value: RetrySpec } | { ok: false; field: keyof Draft; message: string } {
  if (!/^\d+$/.test(draft.attempts.trim())) return { ok: false, field: 'attempts', message: 'a whole number of tries, 1 to 10' };
  const items = draft.onStatus.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.some((s) => !/^\d{3}$/.test(s))) return { ok: false, field: 'onStatus', message: 'HTTP statuses separated by commas, e.g. 502, 503, 504' };
  const parsed = RetrySchema.safeParse({ ...current, attempts: Number(draft.attempts), onStatus: items.map(Number), retryNonIdempotent: draft.retryNonIdempotent });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] === 'onStatus' ? 'onStatus' : 'attempts';
    return { ok: false, field, message: field === 'onStatus' ? 'statuses from 400 to 599' : 'a whole number of tries, 1 to 10' };
  }
  return { ok: true, value: parsed.data };
}

function summary(r: RetrySpec, http: boolean): string {
  if (r.attempts === 1) return 'off (1 try)';
  const on = http && r.onStatus.length > 0 ? `, and on ${r.onStatus.join(', ')}` : '';
  return `up to ${r.attempts} tries, on connection errors${on}${r.retryNonIdempotent ? ', POST too' : ''}`;
}

export function RetrySettings({ service }: { service: ServiceView }) {
  const actions = useActions();
  const http = service.protocol === 'http';
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const shown = draft ?? draftOf(service.retries);
  const checked = parseRetryDraft(shown, service.retries);

  function edit(patch: Partial<Draft>) {
    setDraft({ ...shown, ...patch });
    setError(null);
    setNote(null);
  }

  async function apply() {
    if (!checked.ok) return;
    const res = await actions.updateService(service.name, { retries: checked.value });
    if (res.ok) {
      setDraft(null);
      setNote('Applied.');
    } else setError(res.error);
  }

  return (
    <details className="retry-settings" data-testid={`retries-${service.name}`}>
      <summary>
        Retries: <span data-testid="retries-summary">{summary(service.retries, http)}</span>
      </summary>
      <form
        className="retry-form"
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <span className="labelled">
          <label htmlFor={`retry-attempts-${service.name}`}>Tries per request</label>
          <input id={`retry-attempts-${service.name}`} inputMode="numeric" size={3} value={shown.attempts} onChange={(e) => edit({ attempts: e.target.value })} />
          {!checked.ok && checked.field === 'attempts' && <span className="field-error">{checked.message}</span>}
        </span>
        {http && (
          <span className="labelled">
            <label htmlFor={`retry-on-${service.name}`} title="A GET answered with one of these goes on to another backend; the last answer goes to the client when none is left">
              Also retry on statuses
            </label>
            <input id={`retry-on-${service.name}`} className="mono" placeholder="e.g. 502, 503, 504" value={shown.onStatus} onChange={(e) => edit({ onStatus: e.target.value })} />
            {!checked.ok && checked.field === 'onStatus' && <span className="field-error">{checked.message}</span>}
          </span>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={shown.retryNonIdempotent} onChange={(e) => edit({ retryNonIdempotent: e.target.checked })} /> Retry POST and PATCH too
          {shown.retryNonIdempotent && <span className="bad small"> (a request may then run twice)</span>}
        </label>
        <button type="submit" data-testid="retries-apply" disabled={!checked.ok || draft === null}>
          Apply
        </button>
        {note && (
          <span className="ok-note small" role="status">
            {note}
          </span>
        )}
        {error && <ErrorLines error={error} testId="retries-error" />}
      </form>
    </details>
  );
}
