/**
 * The faults of one backend, edited as a list and applied together with
 * `faults:set`. Each fault is checked as you type with the core's
 * FaultSchema; Apply sends nothing while one is invalid. Escape closes it
 * (focus goes back to the row's Faults button).
 */
import { useEffect, useRef, useState } from 'react';
import type { BackendView, ErrorData } from '../../core/contract';
import type { Protocol } from '../../core/model/spec';
import { useActions } from '../store/context';
import { ErrorLines } from './ErrorLines';
import { checkFaults, draftOf, type FaultDraft } from './fault-draft';
import { FaultListEditor } from './FaultListEditor';

export const FAULTS_EDITOR_ID = 'faults-editor';

interface Props {
  service: string;
  protocol: Protocol;
  backend: BackendView;
  onClose(): void;
}

export function FaultsEditor({ service, protocol, backend, onClose }: Props) {
  const actions = useActions();
  const [drafts, setDrafts] = useState<FaultDraft[]>(() => backend.faults.map(draftOf));
  const [status, setStatus] = useState<{ error?: ErrorData; note?: string }>({});
  // The faults the drafts started from. When they change elsewhere (Heal all, a drill, another
  // window), an untouched list follows them; an edited one keeps the edits and says so.
  const [base, setBase] = useState(backend.faults);
  const [edited, setEdited] = useState(false);
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  if (base !== backend.faults) {
    setBase(backend.faults);
    if (edited) setChangedElsewhere(true);
    else setDrafts(backend.faults.map(draftOf));
  }
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLElement>(null);
  const { faults, checks } = checkFaults(drafts, protocol);

  useEffect(() => {
    ref.current?.focus();
  }, []);

  function edit(next: FaultDraft[]) {
    setDrafts(next);
    setEdited(true);
    setStatus({});
  }

  function reload() {
    setDrafts(backend.faults.map(draftOf));
    setEdited(false);
    setChangedElsewhere(false);
    setStatus({});
  }

  async function apply() {
    if (!faults) {
      setStatus({ error: { code: 'INPUT_INVALID', message: 'Fix the fields marked above first; nothing was sent.' } });
      return;
    }
    setBusy(true);
    const res = await actions.setFaults(service, backend.id, faults);
    setBusy(false);
    if (res.ok) {
      setEdited(false);
      setChangedElsewhere(false);
    }
    setStatus(res.ok ? { note: faults.length === 0 ? 'Healed: no faults.' : `Applied ${faults.length} fault${faults.length === 1 ? '' : 's'}.` } : { error: res.error });
  }

  return (
    <section
      ref={ref}
      id={FAULTS_EDITOR_ID}
      className="faults-editor"
      data-testid="faults-editor"
      aria-labelledby="faults-editor-title"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="panel-head">
        <h4 id="faults-editor-title">
          Faults of <strong>{backend.name}</strong>
        </h4>
        <button type="button" className="link" aria-label="Close the faults editor" onClick={onClose}>
          ✕
        </button>
      </div>
      <p className="small muted hint">
        Faults act on the proxy’s path to this backend, for {protocol === 'tcp' ? 'connections' : 'requests'} and health checks alike. They are
        not saved with the workspace.
      </p>
      {changedElsewhere && (
        <p className="small warn-note" role="status">
          This backend’s faults changed elsewhere since you started editing.{' '}
          <button type="button" className="link" onClick={reload}>
            Show its current faults
          </button>
        </p>
      )}
      <FaultListEditor drafts={drafts} checks={checks} onChange={edit} idPrefix={`fault-${backend.id}`} subject={backend.name} protocol={protocol} />
      <div className="form-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void apply()}>
          Apply
        </button>
        <button type="button" disabled={drafts.length === 0} onClick={() => edit([])} title="Empty the list; Apply heals the backend">
          Remove all
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
        {status.note && (
          <span className="ok-note small" role="status">
            {status.note}
          </span>
        )}
      </div>
      {status.error && <ErrorLines error={status.error} testId="faults-error" />}
    </section>
  );
}
