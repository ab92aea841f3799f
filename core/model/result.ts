import type { ErrorData } from './errors';

/** The answer to every command: a value, or an error as data (never a throw across a bridge). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: ErrorData): Result<never> => ({ ok: false, error });
