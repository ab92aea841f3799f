/** Offers a just-removed backend back for a few seconds. */
import { useEffect, useState } from 'react';
import { useActions, useApp } from '../store/context';
import { selectPendingUndo } from '../store/selectors';

const UNDO_MS = 10_000;

export function UndoToast() {
  const undo = useApp(selectPendingUndo);
  const clear = useApp((s) => s.setPendingUndo);
  const actions = useActions();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(() => clear(null), UNDO_MS);
    return () => clearTimeout(timer);
  }, [undo, clear]);

  if (!undo && !error) return null;
  return (
    <div className="toast" role="status" data-testid="undo-toast">
      {undo ? (
        <>
          <span>
            Removed <strong>{undo.backend.name}</strong> from {undo.service}.
          </span>
          <button
            type="button"
            className="primary"
            onClick={async () => {
              setError(null);
              const res = await actions.undoRemove();
              if (res && !res.ok) setError(`Could not add it back: ${res.error.message}`);
            }}
          >
            Undo
          </button>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => clear(null)}>
            ✕
          </button>
        </>
      ) : (
        <>
          <span className="bad">{error}</span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => setError(null)}>
            ✕
          </button>
        </>
      )}
    </div>
  );
}
