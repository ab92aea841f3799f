import { describe, expect, it } from 'vitest';
import { isIdempotent, shouldRetry, type RetryQuestion } from '../../../core/proxy/retry';

const base: RetryQuestion = {
  attempt: 1,
  maxAttempts: 3,
  method: 'GET',
  bodySent: true,
  bodyReplayable: true,
  responseStarted: false,
  error: 'reset',
  retryNonIdempotent: false,
  budgetAllows: true,
};

describe('shouldRetry', () => {
  const rows: Array<[string, Partial<RetryQuestion>, boolean]> = [
    ['a sent GET that was reset', {}, true],
    ['a sent GET whose response timed out', { error: 'timeout' }, true],
    ['a sent GET that failed otherwise', { error: 'other' }, true],
    ['a response (no error) is never retried, 5xx included', { error: undefined }, false],
    ['refused: the POST never reached the backend', { method: 'POST', bodySent: false, error: 'refused' }, true],
    ['connect timeout: the PATCH never reached the backend', { method: 'PATCH', bodySent: false, error: 'timeout' }, true],
    ['connect failure even with a body too large to keep', { method: 'POST', bodySent: false, bodyReplayable: false, error: 'refused' }, true],
    ['a sent POST is not retried', { method: 'POST' }, false],
    ['a sent PATCH is not retried', { method: 'PATCH', error: 'timeout' }, false],
    ['a sent POST is retried when non-idempotent retries are on', { method: 'POST', retryNonIdempotent: true }, true],
    ['...but not when its body could not be kept', { method: 'POST', retryNonIdempotent: true, bodyReplayable: false }, false],
    ['a sent PUT (idempotent) is retried', { method: 'PUT' }, true],
    ['a sent DELETE is retried', { method: 'DELETE' }, true],
    ['HEAD, OPTIONS, TRACE are idempotent', { method: 'HEAD' }, true],
    ['a sent PUT whose body could not be kept is not retried', { method: 'PUT', bodyReplayable: false }, false],
    ['method names are case-insensitive', { method: 'get' }, true],
    ['never once the response started', { responseStarted: true }, false],
    ['never once the response started, even before sending', { responseStarted: true, bodySent: false, error: 'refused' }, false],
    ['the last allowed attempt is not retried', { attempt: 3 }, false],
    ['attempts = 1 means no retry', { maxAttempts: 1, bodySent: false, error: 'refused' }, false],
    ['the second of three may be retried', { attempt: 2 }, true],
    ['an exhausted budget stops a retry', { budgetAllows: false }, false],
    ['an exhausted budget never stops a refused connect: nothing was sent', { budgetAllows: false, bodySent: false, error: 'refused' }, true],
    ['...nor a connect timeout, for a POST too', { budgetAllows: false, method: 'POST', bodySent: false, error: 'timeout' }, true],
    ['...but attempts still bound it', { budgetAllows: false, bodySent: false, error: 'refused', attempt: 3 }, false],
    ['a 503 with onStatus [503]: a GET is retried', { error: undefined, status: 503, retryOnStatus: [503] }, true],
    ['a 503 with onStatus [502, 504]: forwarded', { error: undefined, status: 503, retryOnStatus: [502, 504] }, false],
    ['a 503 with no onStatus: forwarded', { error: undefined, status: 503 }, false],
    ['a 503 to a POST: the backend acted on it, not retried', { method: 'POST', error: undefined, status: 503, retryOnStatus: [503] }, false],
    ['...even when the fault answered before sending', { method: 'POST', bodySent: false, error: undefined, status: 503, retryOnStatus: [503] }, false],
    ['a 503 to a POST with non-idempotent retries on', { method: 'POST', retryNonIdempotent: true, error: undefined, status: 503, retryOnStatus: [503] }, true],
    ['a 503 on the last attempt goes to the client', { attempt: 3, error: undefined, status: 503, retryOnStatus: [503] }, false],
    ['a 503 with the budget exhausted goes to the client', { budgetAllows: false, error: undefined, status: 503, retryOnStatus: [503] }, false],
  ];
  it.each(rows)('%s', (_name, change, expected) => {
    expect(shouldRetry({ ...base, ...change })).toBe(expected);
  });

  it('knows the idempotent methods', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']) expect(isIdempotent(m)).toBe(true);
    for (const m of ['POST', 'PATCH', 'CONNECT']) expect(isIdempotent(m)).toBe(false);
  });
});
