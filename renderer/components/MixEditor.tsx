/**
 * A weighted request mix as rows of method, path and weight ("GET / 3,
 * POST /orders 1"), for the load generator and for drills. Problems come in
 * keyed by path (`requests.0.path`) and show under their field.
 */
import { LOAD_METHODS, mixRow, type Method, type MixDraft } from './load-form';

interface Props {
  rows: MixDraft[];
  onChange(rows: MixDraft[]): void;
  errors: Record<string, string>;
  idPrefix: string;
  max?: number;
}

export function MixEditor({ rows, onChange, errors, idPrefix, max = 20 }: Props) {
  const update = (key: number, patch: Partial<MixDraft>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="mix" role="group" aria-labelledby={`${idPrefix}-label`}>
      <div className="mix-head small muted" aria-hidden="true">
        <span>Method</span>
        <span>Path</span>
        <span>Weight</span>
      </div>
      {rows.map((r, i) => {
        const pathError = errors[`requests.${i}.path`];
        const weightError = errors[`requests.${i}.weight`];
        return (
          <div key={r.key} className="mix-row" data-testid="mix-row">
            <select aria-label={`Method of request ${i + 1}`} value={r.method} onChange={(e) => update(r.key, { method: e.target.value as Method })}>
              {LOAD_METHODS.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            <input
              aria-label={`Path of request ${i + 1}`}
              className="mono"
              spellCheck={false}
              value={r.path}
              aria-invalid={pathError ? true : undefined}
              onChange={(e) => update(r.key, { path: e.target.value })}
            />
            <input
              aria-label={`Weight of request ${i + 1}`}
              className="tiny"
              inputMode="decimal"
              value={r.weight}
              aria-invalid={weightError ? true : undefined}
              onChange={(e) => update(r.key, { weight: e.target.value })}
            />
            <button
              type="button"
              className="link danger"
              aria-label={`Remove request ${i + 1}`}
              disabled={rows.length <= 1}
              onClick={() => onChange(rows.filter((x) => x.key !== r.key))}
            >
              ✕
            </button>
            {(pathError ?? weightError) && <span className="field-error mix-error">{pathError ?? weightError}</span>}
          </div>
        );
      })}
      {errors.requests && <span className="field-error">{errors.requests}</span>}
      <button type="button" className="link" disabled={rows.length >= max} onClick={() => onChange([...rows, mixRow('POST', '/', '1')])}>
        + Add request
      </button>
    </div>
  );
}
