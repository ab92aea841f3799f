/**
 * What an upstream failure means: the error kind the stats and passive
 * health see, and the status the client gets when no response could be
 * forwarded.
 */
import type { ErrorCode } from '../model/errors';
import type { ErrorKind } from '../stats/types';
import { isTlsError, tlsReason } from './upstream-tls';

/** Node's code for a connect or response timeout raised by this data plane. */
export const TIMEOUT_CODE = 'ETIMEDOUT';

export function errorKind(err: unknown): ErrorKind {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (isTlsError(err)) return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || /socket hang up/i.test(e?.message ?? '')) return 'reset';
  if (code === TIMEOUT_CODE || code === 'ESOCKETTIMEDOUT' || code === 'ETIMEOUT') return 'timeout';
  return 'other';
}

/** A timeout error of this data plane, shaped like Node's own. */
export function timeoutError(what: string, ms: number): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${what} timed out after ${ms} ms`);
  err.code = TIMEOUT_CODE;
  return err;
}

export interface FailureAnswer {
  status: number;
  code: ErrorCode;
  body: string;
}

export function noBackendAnswer(service: string): FailureAnswer {
  return { status: 503, code: 'LB_NO_BACKEND', body: `no backend available for service "${service}"\n` };
}

/** What went wrong with an upstream, for stats, events and answers: a TLS failure's reason, else Node's code or message. */
export function errorDetail(err: unknown): string {
  if (isTlsError(err)) return tlsReason(err);
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === TIMEOUT_CODE) return e.message;
  if (e?.code === 'HPE_HEADER_OVERFLOW') return 'response head larger than limits.maxHeaderBytes';
  return e?.code ?? (err instanceof Error ? err.message : String(err));
}

/** 504 for timeouts, 502 for everything else that left no response. */
export function failureAnswer(service: string, kind: ErrorKind, detail?: string): FailureAnswer {
  switch (kind) {
    case 'tls':
      return { status: 502, code: 'LB_UPSTREAM_TLS', body: `upstream TLS failed: ${detail ?? 'handshake failed'} (service "${service}")\n` };
    case 'timeout':
      return { status: 504, code: 'LB_UPSTREAM_TIMEOUT', body: `upstream timed out (service "${service}")\n` };
    case 'refused':
      return { status: 502, code: 'LB_UPSTREAM_REFUSED', body: `upstream refused the connection (service "${service}")\n` };
    default:
      return { status: 502, code: 'LB_UPSTREAM_RESET', body: `upstream connection failed${detail ? `: ${detail}` : ''} (service "${service}")\n` };
  }
}
