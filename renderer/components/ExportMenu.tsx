/**
 * The Export menu of the workspace bar: pick an engine, see what it cannot
 * express (the export's warnings), then download the file(s) in browser mode
 * or save them through the native dialog in Electron (the bridge tells which
 * it can do). Keyboard first: the button opens the menu with ArrowDown,
 * Enter or Space; arrows, Home and End move in it; Escape or Tab closes it
 * and focus goes back to the button.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Engine, ErrorData, ExportResult } from '../../core/contract';
import { useActions, useApp } from '../store/context';
import { ConfirmDialog } from './ConfirmDialog';

export const ENGINE_LABELS: ReadonlyArray<[Engine, string]> = [
  ['nginx', 'nginx'],
  ['haproxy', 'HAProxy'],
  ['caddy', 'Caddy'],
  ['envoy', 'Envoy'],
  ['traefik', 'Traefik'],
];

/** Saves text as a file through the browser's download (an object URL on a temporary link). */
export function downloadFile(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled, not before the download starts.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

type Shown = { engine: Engine; label: string; result?: ExportResult; error?: ErrorData; saved?: string[] };

export function ExportMenu() {
  const actions = useActions();
  const connected = useApp((s) => s.connected);
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<Array<HTMLButtonElement | null>>([]);
  const native = actions.saveExportNatively;

  useEffect(() => {
    if (open) items.current[0]?.focus();
  }, [open]);

  function close(refocus = true) {
    setOpen(false);
    if (refocus) button.current?.focus();
  }

  async function choose(engine: Engine, label: string) {
    close(false);
    setShown({ engine, label });
    const res = await actions.exportConfig(engine);
    setShown(res.ok ? { engine, label, result: res.value } : { engine, label, error: res.error });
  }

  async function deliver() {
    if (!shown?.result) return;
    if (!native) {
      for (const f of shown.result.files) downloadFile(f.name, f.text);
      setShown(null);
      return;
    }
    setBusy(true);
    try {
      const res = await native(shown.engine);
      if (!res.ok) setShown({ ...shown, error: res.error });
      else if (res.value.canceled) setShown(null);
      else setShown({ ...shown, saved: res.value.paths });
    } finally {
      setBusy(false);
    }
  }

  function onButtonKey(e: KeyboardEvent) {
    if (e.key === 'ArrowDown' && !open) {
      e.preventDefault();
      setOpen(true);
    }
  }

  function onMenuKey(e: KeyboardEvent) {
    const list = items.current.filter((x): x is HTMLButtonElement => x !== null);
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => list[(i + list.length) % list.length]?.focus();
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(list.length - 1);
    else if (e.key === 'Escape') close();
    else if (e.key === 'Tab') return close(false);
    else return;
    e.preventDefault();
  }

  const result = shown?.result;
  const done = shown?.saved !== undefined;
  return (
    <span className="export-menu" style={{ position: 'relative' }}>
      <button
        type="button"
        ref={button}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? 'export-menu-list' : undefined}
        disabled={!connected}
        title="Export the workspace as a config for nginx, HAProxy, Caddy, Envoy or Traefik"
        onClick={() => (open ? close() : setOpen(true))}
        onKeyDown={onButtonKey}
      >
        Export ▾
      </button>
      {open && (
        <div
          id="export-menu-list"
          role="menu"
          aria-label="Export for"
          className="modal"
          style={{ position: 'absolute', top: '100%', right: 0, zIndex: 20, display: 'flex', flexDirection: 'column', padding: 4, minWidth: 140 }}
          onKeyDown={onMenuKey}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null) && e.relatedTarget !== button.current) setOpen(false);
          }}
        >
          {ENGINE_LABELS.map(([engine, label], i) => (
            <button
              key={engine}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="link"
              style={{ textAlign: 'left', padding: '4px 8px' }}
              ref={(el) => {
                items.current[i] = el;
              }}
              onClick={() => void choose(engine, label)}
            >
              {label}
            </button>
          ))}
        </div>
      )}
      {shown && (
        <ConfirmDialog
          title={`Export for ${shown.label}`}
          confirmLabel={done || shown.error ? 'Close' : native ? 'Save…' : result && result.files.length > 1 ? 'Download files' : 'Download'}
          busy={busy || (!result && !shown.error)}
          onConfirm={() => (done || shown.error ? setShown(null) : void deliver())}
          onCancel={() => setShown(null)}
          returnFocus={() => button.current}
          testId="export-dialog"
        >
          {shown.error ? (
            <p role="alert" data-testid="export-error">
              <strong>{shown.error.code === 'EXPORT_UNSUPPORTED' ? `${shown.label} cannot take this workspace: ` : 'The export failed: '}</strong>
              {shown.error.message}
            </p>
          ) : !result ? (
            <p>Exporting…</p>
          ) : done ? (
            <p data-testid="export-saved">
              Saved {shown.saved!.map((p) => <code key={p} className="mono">{p} </code>)}
            </p>
          ) : (
            <>
              <p>
                {result.files.map((f) => f.name).join(' and ')}, for {result.targets}.
              </p>
              {result.warnings.length === 0 ? (
                <p>Every feature of this workspace maps exactly.</p>
              ) : (
                <>
                  <p>What {shown.label} cannot express exactly (also a comment at its place in the file):</p>
                  <ul data-testid="export-warnings" className="small" style={{ maxHeight: 240, overflow: 'auto' }}>
                    {result.warnings.map((w, i) => (
                      <li key={i}>
                        <strong>{w.service}</strong> · {w.feature} <em>({w.fidelity === 'none' ? 'left out' : 'nearest'})</em>: {w.message}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
        </ConfirmDialog>
      )}
    </span>
  );
}
