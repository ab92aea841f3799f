/**
 * A small modal question with two answers, such as "Replace this file?".
 * Keyboard first: it opens with focus on Cancel (the answer that changes
 * nothing), Tab and Shift+Tab stay inside it, Escape (or a click beside it)
 * cancels, and focus goes back to the control that asked (or where it was)
 * when it closes. Rendered into
 * document.body so no ancestor's layout clips or stacks it.
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

interface Props {
  title: string;
  /** What the question is about; read out as the dialog's description. */
  children: ReactNode;
  confirmLabel: string;
  /** While the confirmed action runs: both buttons wait, Escape does nothing. */
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
  /**
   * Where focus goes when the dialog closes. The element focused when it
   * opened is not always it: a button disabled while its command ran has
   * already lost focus to the page.
   */
  returnFocus?: () => HTMLElement | null;
  testId?: string;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function ConfirmDialog({ title, children, confirmLabel, busy = false, onConfirm, onCancel, returnFocus, testId }: Props) {
  const id = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const returnTo = useRef(returnFocus);
  returnTo.current = returnFocus;

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    cancel.current?.focus();
    return () => {
      const target = returnTo.current?.() ?? before;
      if (target?.isConnected) target.focus();
    };
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!busy) onCancel();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    const items = Array.from(dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (items.length === 0) return e.preventDefault();
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const inside = dialog.current.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
      e.preventDefault();
      first.focus();
    }
  }

  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div
        ref={dialog}
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        aria-busy={busy || undefined}
        onKeyDown={onKeyDown}
        data-testid={testId}
      >
        <h2 id={`${id}-title`} className="modal-title">
          {title}
        </h2>
        <div id={`${id}-body`} className="modal-body">
          {children}
        </div>
        <div className="form-actions modal-actions">
          <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </button>
          <button type="button" ref={cancel} disabled={busy} onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
