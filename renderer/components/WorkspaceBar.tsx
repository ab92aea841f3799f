/**
 * Open and save a workspace file on the host by path, or through the
 * browser: Download saves the workspace as its file would hold it, Upload
 * opens a picked file (its text goes to the core as `workspace:replace`).
 * The path field starts as the file the core uses (`lbw serve FILE`), so
 * Save visibly writes there. Validation problems from the core come back as
 * issue lines, listed by WorkspaceError under the bar. Opening (by path or
 * upload) while the workspace has unsaved changes (this window's, or the
 * core's `workspace:status` after any UI's edit) asks first. Saving over a
 * file lbw did not write asks first (CONFLICT from the core); only a yes
 * sends the save again with `overwrite`. Export (another engine's config)
 * is the menu beside Save.
 */
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useActions, useApp } from '../store/context';
import { selectDirty } from '../store/selectors';
import { ConfirmDialog } from './ConfirmDialog';
import { downloadFile, ExportMenu } from './ExportMenu';

/** An open that would discard unsaved changes, waiting for the user's say. */
interface PendingOpen {
  /** What is opened, as the dialog names it. */
  what: string;
  run: () => Promise<unknown>;
}

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
  const [pendingOpen, setPendingOpen] = useState<PendingOpen | null>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typed = path.trim();

  // The file the core uses fills the field once it is known, unless the user typed already.
  useEffect(() => {
    if (!connected) return;
    let live = true;
    void actions.workspaceStatus().then((res) => {
      if (live && res.ok && res.value.path !== null) setPath((p) => p || res.value.path!);
    });
    return () => void (live = false);
  }, [connected, actions]);

  /** Runs an open now, or after the user agrees to discard unsaved changes. */
  async function openGuarded(what: string, op: () => Promise<unknown>) {
    const status = await actions.workspaceStatus();
    if (dirty || (status.ok && status.value.dirty)) setPendingOpen({ what, run: op });
    else await run(op);
  }

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
    if (typed) void openGuarded(typed, () => actions.openWorkspace(typed));
  }

  async function download() {
    const res = await actions.workspaceFile();
    if (res.ok) downloadFile(res.value.name, res.value.text);
  }

  function onPicked(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    // Cleared so picking the same file again still opens it.
    e.target.value = '';
    if (file) void file.text().then((text) => openGuarded(file.name, () => actions.openWorkspaceText(file.name, text)));
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
        <button type="submit" ref={openButton} disabled={!typed || busy || !connected}>
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
        <button type="button" title="Download the workspace as a .json file" disabled={busy || !connected} onClick={() => void run(download)}>
          Download
        </button>
        <button type="button" title="Open a workspace .json file from this computer" disabled={busy || !connected} onClick={() => fileInput.current?.click()}>
          Upload…
        </button>
        <input ref={fileInput} type="file" accept=".json,application/json" hidden data-testid="workspace-upload" onChange={onPicked} />
        <ExportMenu />
      </form>
      {pendingOpen && (
        <ConfirmDialog
          title="Discard unsaved changes?"
          confirmLabel="Open without saving"
          busy={busy}
          onConfirm={() => {
            const op = pendingOpen.run;
            setPendingOpen(null);
            void run(op);
          }}
          onCancel={() => setPendingOpen(null)}
          returnFocus={() => openButton.current}
          testId="open-unsaved"
        >
          <p>
            The workspace has changes that are not saved. Opening <code className="mono">{pendingOpen.what}</code> replaces it and loses them.
          </p>
          <p>Cancel keeps the workspace as it is; Save first to keep the changes.</p>
        </ConfirmDialog>
      )}
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
