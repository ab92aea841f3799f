/**
 * Edits a list of faults as rows: type, the type's parameters, toxicity in
 * percent and an enabled switch. Used by the backend faults editor and by
 * a drill's fault steps. Problems show under the field that has them.
 */
import { FAULT_TYPES_BY_PROTOCOL } from '../../core/faults/protocols';
import type { FaultType } from '../../core/faults/spec';
import type { Protocol } from '../../core/model/spec';
import { FAULT_TYPE_LABELS, newFaultDraft, RESET_WHEN, resetAfterBytes, type FaultCheck, type FaultDraft, type ResetWhen } from './fault-draft';

/** The core's cap (FaultListSchema). */
export const MAX_FAULTS = 16;

interface Props {
  drafts: FaultDraft[];
  checks: FaultCheck[];
  onChange(drafts: FaultDraft[]): void;
  /** Prefix of input ids, unique on the page. */
  idPrefix: string;
  /** Names the rows for screen readers: "Fault 1 of bravo". */
  subject: string;
  /** Which faults (and reset moments) are offered. */
  protocol: Protocol;
}

export function FaultListEditor({ drafts, checks, onChange, idPrefix, subject, protocol }: Props) {
  function update(key: number, patch: Partial<FaultDraft>) {
    onChange(drafts.map((d) => (d.key === key ? { ...d, ...patch } : d)));
  }
  return (
    <div className="fault-list">
      {drafts.length === 0 && <p className="empty small">No faults: requests reach it untouched.</p>}
      {drafts.map((d, i) => (
        <FaultRow
          key={d.key}
          draft={d}
          errors={checks[i]?.errors ?? {}}
          id={`${idPrefix}-${d.key}`}
          label={`Fault ${i + 1} of ${subject}`}
          protocol={protocol}
          onChange={(patch) => update(d.key, patch)}
          onRemove={() => onChange(drafts.filter((x) => x.key !== d.key))}
        />
      ))}
      <button type="button" className="link" disabled={drafts.length >= MAX_FAULTS} onClick={() => onChange([...drafts, newFaultDraft(protocol === 'tcp' ? 'reset' : 'error', protocol)])}
      >
        + Add fault
      </button>
    </div>
  );
}

interface RowProps {
  draft: FaultDraft;
  errors: Record<string, string>;
  id: string;
  label: string;
  protocol: Protocol;
  onChange(patch: Partial<FaultDraft>): void;
  onRemove(): void;
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span id={id} className="field-error">
      {text}
    </span>
  ) : null;
}

function FaultRow({ draft: d, errors, id, label, protocol, onChange, onRemove }: RowProps) {
  const types = FAULT_TYPES_BY_PROTOCOL[protocol];
  const whens = RESET_WHEN[protocol];
  const field = (name: keyof FaultDraft & string, text: string, props: { width?: string; unit?: string; title?: string } = {}) => (
    <span className="fault-field" title={props.title}>
      <label htmlFor={`${id}-${name}`}>{text}</label>
      <span className="with-unit">
        <input
          id={`${id}-${name}`}
          inputMode="decimal"
          className={props.width ?? 'narrow'}
          value={String(d[name])}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={errors[name] ? `${id}-${name}-error` : undefined}
          onChange={(e) => onChange({ [name]: e.target.value })}
        />
        {props.unit && <span className="unit">{props.unit}</span>}
      </span>
      <FieldError id={`${id}-${name}-error`} text={errors[name]} />
    </span>
  );

  return (
    <div className={d.enabled ? 'fault-row' : 'fault-row is-off'} role="group" aria-label={label} data-testid="fault-row">
      <span className="fault-field">
        <label htmlFor={`${id}-type`}>Type</label>
        <select
          id={`${id}-type`}
          value={d.type}
          aria-invalid={errors.type ? true : undefined}
          onChange={(e) => onChange({ type: e.target.value as FaultType })}
        >
          {(types.includes(d.type) ? types : [d.type, ...types]).map((t) => (
            <option key={t} value={t}>
              {FAULT_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-type-error`} text={errors.type} />
      </span>
      {d.type === 'latency' && (
        <>
          {field('ms', 'Delay', { unit: 'ms' })}
          {field('jitterMs', 'Jitter ±', { unit: 'ms' })}
          {protocol === 'tcp' && (
            <span className="fault-field" title="Delay every forwarded chunk, both ways, instead of the connect">
              <label htmlFor={`${id}-perChunk`}>Per chunk</label>
              <input id={`${id}-perChunk`} type="checkbox" checked={d.perChunk} onChange={(e) => onChange({ perChunk: e.target.checked })} />
            </span>
          )}
        </>
      )}
      {d.type === 'slow-close' && field('ms', 'FIN delay', { unit: 'ms' })}
      {d.type === 'error' && field('status', 'Status', { title: 'The proxy answers this status (400–599) on the backend’s behalf' })}
      {d.type === 'reset' && (
        <>
          <span className="fault-field">
            <label htmlFor={`${id}-when`}>When</label>
            <select
              id={`${id}-when`}
              value={d.when}
              aria-invalid={errors.when ? true : undefined}
              onChange={(e) => onChange({ when: e.target.value as ResetWhen })}
            >
              {!whens.some(([w]) => w === d.when) && <option value={d.when}>{d.when}</option>}
              {whens.map(([w, text]) => (
                <option key={w} value={w}>
                  {text}
                </option>
              ))}
            </select>
            <FieldError id={`${id}-when-error`} text={errors.when} />
          </span>
          {resetAfterBytes(d.when) && field('afterBytes', 'After', { unit: 'bytes' })}
        </>
      )}
      {d.type === 'bandwidth' && field('kibPerSec', 'Rate', { unit: 'KiB/s' })}
      {(d.type === 'hang' || d.type === 'blackhole') && <span className="fault-note small muted">Never answers; the client times out.</span>}
      {d.type === 'down' && <span className="fault-note small muted">Connections are refused, as if it had stopped.</span>}
      {field('toxicity', 'Applies to', { unit: '%', title: 'Share of requests and health probes it applies to' })}
      <span className="fault-field fault-enabled">
        <label htmlFor={`${id}-enabled`}>On</label>
        <input id={`${id}-enabled`} type="checkbox" checked={d.enabled} onChange={(e) => onChange({ enabled: e.target.checked })} />
      </span>
      <button type="button" className="link danger fault-remove" aria-label={`Remove ${label.toLowerCase()}`} onClick={onRemove}>
        Remove
      </button>
    </div>
  );
}
