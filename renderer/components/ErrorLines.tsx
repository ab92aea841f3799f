/** An error from a command's Result, with its issue lines when it has them. */
import type { ErrorData } from '../../core/contract';

export function ErrorLines({ error, testId }: { error: ErrorData; testId?: string }) {
  const issues = error.issues ?? [];
  return (
    <div className="error-lines" role="alert" data-testid={testId}>
      {issues.length === 0 ? (
        <span>{error.message}</span>
      ) : (
        <ul>
          {issues.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
