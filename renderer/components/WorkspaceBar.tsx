/**
 * Open and save a workspace file on the host by path. Validation problems
 * from the core come back as issue lines, listed by WorkspaceError under the
 * bar. Saving over a file lbw did not write asks first (CONFLICT from the
 * core); only a yes sends the save again with `overwrite`. Export (another
 * engine's config) is the menu beside Save.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useActions, useApp } from '../store/context';
import { selectDirty } from '../store/selectors';
import { ConfirmDialog } from './ConfirmDialog';
import { ExportMenu } from './ExportMenu';

export function WorkspaceBar() {
  const actions = useActions();
  const dirty = useApp(selectDirty);
  const currentPath = useApp((s) => s.workspacePath);
  const connected = useApp((s) => s.connected);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  /** A save the core refused because the file is not lbw's: the path to ask about. */
  const [conflict, setConflict] = useState<{ path: string | undefined; shown: string } | null>(null);
  const [overwriting, setOverwriting] = useState(false);
  const saveButton = useRef<HTMLButtonElement>(null);
  const typed = path.trim();

  async function run(op: () => Promise<unknown>) {
    setBusy(true);
    try {
      await op();
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    const target = typed || undefined;
    const res = await actions.saveWorkspace(target);
    if (!res.ok && res.error.code === 'CONFLICT') setConflict({ path: target, shown: target ?? (currentPath || 'The workspace file') });
  }

  async function overwrite() {
    if (!conflict) return;
    setOverwriting(true);
    try {
      await actions.saveWorkspace(conflict.path, true);
    } finally {
      setOverwriting(false);
      setConflict(null);
    }
  }

  function onOpen(e: FormEvent) {
    e.preventDefault();
    if (typed) void run(() => actions.openWorkspace(typed));
  }

  return (
    <div className="workspace-bar">
      <form className="workspace-form" onSubmit={onOpen}>
        <label htmlFor="workspace-path">Workspace file</label>
        <input
          id="workspace-path"
          type="text"
          spellCheck={false}
          placeholder={currentPath || 'path/to/workspace.json'}
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" disabled={!typed || busy || !connected}>
          Open
        </button>
        <button
          type="button"
          ref={saveButton}
          title={typed || currentPath ? `Save to ${typed || currentPath}` : 'Save to the file the workspace came from'}
          disabled={busy || !connected}
          onClick={() => void run(save)}
        >
          Save
        </button>
        {dirty && (
          <span className="dirty-dot" role="img" aria-label="Unsaved changes" title="Unsaved changes" data-testid="unsaved-dot" />
        )}
        {currentPath && !dirty && <span className="muted small" title={currentPath}>saved</span>}
        <ExportMenu />
      </form>
      {conflict && (
        <ConfirmDialog
          title="Replace an existing file?"
          confirmLabel="Replace"
          busy={overwriting}
          onConfirm={() => void overwrite()}
          onCancel={() => setConflict(null)}
          returnFocus={() => saveButton.current}
          testId="save-conflict"
        >
          <p>
            <code className="mono">{conflict.shown}</code> already exists, and LB Workbench did not write it. Replacing it loses what it holds now.
          </p>
          <p>Cancel leaves the file as it is; nothing is saved.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The last open/save failure, as a strip under the top bar until dismissed. */
export function WorkspaceError() {
  const error = useApp((s) => s.workspaceError);
  const setError = useApp((s) => s.setWorkspaceError);
  if (!error) return null;
  const issues = error.issues ?? [];
  return (
    <div className="workspace-error" role="alert" data-testid="workspace-error">
      <div>
        <strong>{issues.length === 0 ? error.message : error.code === 'CONFIG_INVALID' ? 'The workspace file is not valid:' : 'The request was not valid:'}</strong>
        {issues.length > 0 && (
          <ul>
            {issues.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" className="link" onClick={() => setError(null)}>
        Dismiss
      </button>
    </div>
  );
}
