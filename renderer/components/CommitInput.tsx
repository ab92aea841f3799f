/**
 * An input edited in place: typing changes a local draft, Enter or leaving
 * the field commits it, Escape puts the current value back. A new value from
 * the store replaces the draft. With `onRefused`, committing a draft that
 * `validate` refuses puts the current value back and reports the problem
 * there (the field is not left holding a value that was never applied).
 */
import { useState, type InputHTMLAttributes } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'onBlur' | 'onKeyDown'> {
  value: string;
  onCommit(value: string): void;
  /** A problem with the draft; shown, and the draft is not committed while set. */
  validate?(draft: string): string | undefined;
  /** A commit of a draft `validate` refused: the field shows the current value again. */
  onRefused?(draft: string, problem: string): void;
}

export function CommitInput({ value, onCommit, validate, onRefused, className, ...rest }: Props) {
  const [draft, setDraft] = useState(value);
  const [base, setBase] = useState(value);
  if (base !== value) {
    setBase(value);
    setDraft(value);
  }
  const problem = draft !== value ? validate?.(draft) : undefined;

  function commit() {
    if (draft === value) return;
    if (problem) {
      if (!onRefused) return;
      setDraft(value);
      onRefused(draft, problem);
      return;
    }
    onCommit(draft);
  }

  return (
    <input
      {...rest}
      className={problem ? `${className ?? ''} invalid` : className}
      value={draft}
      aria-invalid={problem ? true : undefined}
      title={problem ?? rest.title}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') {
          setDraft(value);
        }
      }}
    />
  );
}
