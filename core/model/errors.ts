import type { ErrorKind } from '../stats/types';

/**
 * Stable error codes. They travel as data across IPC and WebSocket, so a UI
 * can react to a code without parsing the message.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'INPUT_INVALID'
  | 'UNKNOWN_COMMAND'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IO_ERROR'
  | 'PORT_IN_USE'
  | 'LB_NO_BACKEND'
  | 'LB_UPSTREAM_REFUSED'
  | 'LB_UPSTREAM_RESET'
  | 'LB_UPSTREAM_TIMEOUT'
  | 'LB_UPSTREAM_TLS'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'EXPORT_UNSUPPORTED'
  | 'INTERNAL';

export interface ErrorData {
  code: ErrorCode;
  message: string;
  /** For validation errors: one line per problem, `path: what is wrong`. */
  issues?: string[];
}

/** An error that carries a stable code; converted to ErrorData at a boundary. */
export class LbError extends Error {
  readonly code: ErrorCode;
  readonly issues: string[] | undefined;

  constructor(code: ErrorCode, message: string, issues?: string[]) {
    super(message);
    this.name = 'LbError';
    this.code = code;
    this.issues = issues;
  }

  toData(): ErrorData {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

/** The stable code of an upstream failure of each kind, as clients (`X-Lb-Error`) and UIs see it. */
export function upstreamErrorCode(kind: ErrorKind): ErrorCode {
  return kind === 'timeout' ? 'LB_UPSTREAM_TIMEOUT' : kind === 'refused' ? 'LB_UPSTREAM_REFUSED' : kind === 'tls' ? 'LB_UPSTREAM_TLS' : 'LB_UPSTREAM_RESET';
}

/** Any thrown value as ErrorData; unknown errors become INTERNAL without a stack. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof LbError) return err.toData();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}
