/**
 * Keyboard shortcuts for the main actions (./shortcuts lists them) and the
 * `?` overlay that shows them (also opened by its button in the top bar). One keydown listener on the document; keys
 * typed into a field, a select, a dialog or a menu are left alone, so
 * typing a URL never adds a backend. Actions that belong to a tab (start
 * load, run a drill) switch to that tab and press its own button, so the
 * shortcut does exactly what the button does, with the same checks.
 */
import { useEffect, useRef, useState } from 'react';
import { useActions, useApp } from '../store/context';
import type { ServiceTab } from '../store/ui-slice';
import { SHORTCUTS, shortcutFor, type ShortcutAction } from './shortcuts';

/** Calls `then` with the first element matching `selector` once it is on the page (a tab just switched to renders on the next frame); gives up after about a second. */
function whenPresent(selector: string, then: (el: HTMLElement) => void, triesLeft = 60): void {
  const el = document.querySelector<HTMLElement>(selector);
  if (el) then(el);
  else if (triesLeft > 0) setTimeout(() => whenPresent(selector, then, triesLeft - 1), 16);
}

export function Shortcuts() {
  const actions = useActions();
  const setTab = useApp((s) => s.setServiceTab);
  const service = useApp((s) => s.selectedService);
  const [help, setHelp] = useState(false);
  const close = useRef<HTMLButtonElement>(null);
  const before = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const goTo = (tab: ServiceTab, selector: string, then: (el: HTMLElement) => void) => {
      setTab(tab);
      whenPresent(selector, then);
    };
    const run = (a: ShortcutAction) => {
      switch (a.kind) {
        case 'help':
          return setHelp((h) => !h);
        case 'add-backend':
          return goTo('traffic', '#backend-url', (el) => el.focus());
        case 'tab':
          return setTab(a.tab);
        case 'heal-all':
          return void actions.healAll();
        case 'start-load':
          return goTo('load', '[data-testid="load-start"]', (el) => (el as HTMLButtonElement).disabled || el.click());
        case 'stop-load':
          return void actions.stopLoad();
        case 'run-drill':
          return goTo('drills', '[data-testid^="drill-run-"]:not([disabled])', (el) => el.click());
      }
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      run(action);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [actions, setTab, service]);

  // The overlay takes the focus and gives it back where it was.
  useEffect(() => {
    if (!help) return;
    before.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    close.current?.focus();
    return () => {
      if (before.current?.isConnected) before.current.focus();
    };
  }, [help]);

  const button = (
    <button type="button" className="link small" title="Keyboard shortcuts (?)" aria-keyshortcuts="?" onClick={() => setHelp(true)}>
      Keys <kbd>?</kbd>
    </button>
  );
  if (!help) return button;
  return (
    <>
      {button}
      <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && setHelp(false)}>
        <div
          className="modal shortcuts-help"
          role="dialog"
          aria-modal="true"
          aria-labelledby="shortcuts-title"
          data-shortcuts
          data-testid="shortcuts-help"
          onKeyDown={(e) => {
            if (e.key === 'Escape' || e.key === '?') {
              e.preventDefault();
              e.stopPropagation();
              setHelp(false);
            }
          }}
        >
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <p className="muted small">Not while typing in a field. Escape closes this list.</p>
          <table>
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.key}>
                  <th scope="row">
                    <kbd>{s.key}</kbd>
                  </th>
                  <td>{s.label}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="modal-actions">
            <button type="button" ref={close} onClick={() => setHelp(false)}>
              Close
            </button>
          </div>
        </div>
      </div>
    </>
  );
}
