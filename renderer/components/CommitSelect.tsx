/**
 * A select whose choice is applied on commit, for choices that change the
 * running balancer (strategy, admin state). On a closed select Chromium and
 * Firefox fire `change` for every ArrowUp/ArrowDown, so a live select made a
 * keyboard user apply every option on the way to the one they wanted
 * (random, power-of-two, peak-ewma, each logged as a change).
 *
 * Here the arrow keys (and Home/End/PageUp/PageDown, and typing to jump)
 * only move a draft, shown in the select with a hint; Enter or leaving the
 * field applies it, Escape puts the applied value back. A choice made any
 * other way (a mouse pick from the list, or Enter in the open list) applies
 * at once, as people expect of a select. A committed value stays shown
 * until the store's value follows, or the commit reports failure.
 */
import { useRef, useState, type ReactNode, type SelectHTMLAttributes } from 'react';

/** Keys that move a closed select's choice without opening its list. */
const NAVIGATION = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

interface Props extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'onBlur' | 'onKeyDown' | 'onMouseDown'> {
  value: string;
  /** Applies a choice; a promise resolving to false (it failed) shows the applied value again. */
  onCommit(value: string): void | Promise<boolean | void>;
  /** Test id of the hint shown while a keyboard draft waits for Enter. */
  hintTestId?: string;
  children: ReactNode;
}

interface Draft {
  value: string;
  label: string;
  /** Sent, waiting for the store to follow; no hint. */
  committed: boolean;
}

export function CommitSelect({ value, onCommit, hintTestId, children, ...rest }: Props) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [base, setBase] = useState(value);
  if (base !== value) {
    setBase(value);
    setDraft(null);
  }
  // Set by a navigation keydown; the change event it causes comes in the same task.
  const byKeys = useRef(false);

  function commit(next: Draft) {
    if (next.value === value) {
      setDraft(null);
      return;
    }
    setDraft({ ...next, committed: true });
    const done = onCommit(next.value);
    if (done && typeof done.then === 'function') {
      void done.then((ok) => {
        if (ok === false) setDraft((d) => (d?.value === next.value ? null : d));
      });
    }
  }

  const pending = draft !== null && !draft.committed ? draft : null;
  return (
    <>
      <select
        {...rest}
        value={draft?.value ?? value}
        onMouseDown={() => (byKeys.current = false)}
        onKeyDown={(e) => {
          const typeahead = e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.metaKey;
          if ((NAVIGATION.has(e.key) || typeahead) && !e.altKey) {
            byKeys.current = true;
            return;
          }
          byKeys.current = false;
          if (pending && e.key === 'Enter') {
            e.preventDefault();
            commit(pending);
          } else if (pending && e.key === 'Escape') {
            e.preventDefault();
            setDraft(null);
          }
        }}
        onChange={(e) => {
          const next = { value: e.target.value, label: e.target.selectedOptions[0]?.text ?? e.target.value, committed: false };
          if (byKeys.current) {
            byKeys.current = false;
            setDraft(next.value === value ? null : next);
          } else {
            commit(next);
          }
        }}
        onBlur={() => {
          byKeys.current = false;
          if (pending) commit(pending);
        }}
      >
        {children}
      </select>
      {pending && (
        <span className="small muted" role="status" data-testid={hintTestId}>
          Enter to apply “{pending.label}”, Esc to cancel
        </span>
      )}
    </>
  );
}
