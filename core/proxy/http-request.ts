/**
 * One client request through the service: the bounded retry loop. Each pass
 * picks a backend not tried yet, runs one attempt and, if it failed before
 * any response reached the client, asks `shouldRetry` whether to go on. An
 * answer with a status the service retries on is held back meanwhile: it is
 * dropped once another backend is picked, and goes to the client when none is.
 * When nothing can be forwarded the client gets a short plain-text 502, 503
 * or 504. The upstream headers are made once per request, and a request
 * without a body needs no replay copy: every attempt sends it as it is.
 */
import type http from 'node:http';
import type { AttemptOutcome, ErrorKind } from '../stats/types';
import type { Backend } from '../model/backend';
import type { RequestTrace } from '../lab/request-trace';
import { Attempt, type AttemptResult } from './attempt';
import { addForwardedHeaders } from './forwarded';
import { upstreamRequestHeaders } from './hop-by-hop';
import { ReplayBody } from './replay-body';
import { isSafeRetry, shouldRetry } from './retry';
import { CLIENT_CLOSED, noop, type ServiceContext } from './types';
import { failureAnswer, noBackendAnswer, type FailureAnswer } from './upstream-errors';

const EXPECT_CONTINUE = /^\s*100-continue\s*$/i;

/** What the first pick excludes. */
const NOTHING_TRIED: ReadonlySet<string> = new Set();

/** Never rejects: whatever goes wrong unexpectedly closes the client's connection. */
export async function proxyRequest(ctx: ServiceContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    await forwardWithRetries(ctx, req, res);
  } catch {
    res.destroy();
  }
}

async function forwardWithRetries(ctx: ServiceContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const startedAt = ctx.now();
  const retries = ctx.retries();
  ctx.hooks.requestStarted();
  ctx.budget.requestStarted();
  let retrying = false;
  /** Whether a retry's outcome is known, and it got an answer: what the budget learns from (see retry-budget.ts). */
  let retryWorked: boolean | undefined;
  let retried = false;

  const headers = req.headers;
  const method = req.method ?? 'GET';
  const pickReq = { clientAddress: req.socket.remoteAddress ?? '', headers };
  // Sampled requests (and all of them while the access log is on) record their picks and attempts (core/lab).
  const trace = ctx.hooks.sample?.(method, req.url ?? '/');
  const body = hasBody(headers) ? new ReplayBody(req, retries.replayBufferBytes) : undefined;
  // The client waits for a 100 before its body: every attempt asks its backend for one (see attempt.ts).
  const expect = body && EXPECT_CONTINUE.test(String(headers.expect ?? '')) ? { clientContinued: false } : undefined;
  // One copy for every attempt: http-proxy copies it again per attempt, and with its xfwd off it writes nothing back.
  const upstreamHeaders = upstreamRequestHeaders(headers);
  addForwardedHeaders(upstreamHeaders, req);
  // http-proxy adds a listener per attempt on the client request.
  req.setMaxListeners(retries.attempts * 2 + 10);
  req.on('error', noop); // a client abort; seen through the response's 'close'
  res.on('error', noop);

  let current: Attempt | undefined;
  let gone = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    gone = true;
    current?.clientGone();
  });

  /** Sends a held answer on to the client; should that fail before it began, the client gets the failure answer. */
  const release = async (a: Attempt): Promise<AttemptOutcome> => {
    current = a;
    const result = await a.release();
    current = undefined;
    if (result.kind === 'held') throw new Error('a released answer cannot be held again');
    if (result.kind !== 'failed') return result.outcome;
    const answer = failureAnswer(ctx.name, result.error, result.outcome.detail);
    return { ...result.outcome, status: answer.status, bytesOut: answerWith(ctx, req, res, answer, body !== undefined, tried?.size ?? 0) };
  };

  /** `shouldRetry` for this request after a failed attempt (an error) or a held answer (a status). */
  const mayRetry = (attempt: number, bodySent: boolean, error: ErrorKind | undefined, status: number | undefined): boolean =>
    shouldRetry({
      attempt,
      maxAttempts: retries.attempts,
      method,
      bodySent,
      bodyReplayable: body === undefined || body.replayable(),
      responseStarted: res.headersSent,
      error,
      status,
      retryOnStatus: retries.onStatus,
      retryNonIdempotent: retries.retryNonIdempotent,
      // A request already retrying holds its place in the budget.
      budgetAllows: retrying || ctx.budget.canRetry(),
    });

  let tried: Set<string> | undefined;
  let last: { backend: Backend; error: ErrorKind | undefined; detail?: string | undefined; bodySent: boolean } | undefined;
  /** An answer held back for a retry (its status is one the service retries on). */
  let held: Attempt | undefined;
  let outcome: AttemptOutcome & { noBackend?: boolean };
  try {
    for (let attempt = 1; ; attempt++) {
      if (gone) {
        held?.discard();
        outcome = { status: CLIENT_CLOSED, latencyMs: 0, bytesIn: 0, bytesOut: 0 };
        break;
      }
      const backend = ctx.hooks.pick(pickReq, tried ?? NOTHING_TRIED, trace?.nextPick());
      trace?.picked(backend);
      if (!backend && held) {
        // Nowhere else to go: the held answer is the best the client can get.
        if (trace) trace.answeredBy = last?.backend ?? null;
        outcome = await release(held);
        break;
      }
      held?.discard();
      held = undefined;
      if (!backend) {
        const error = last?.error;
        const answer = error ? failureAnswer(ctx.name, error, last?.detail) : noBackendAnswer(ctx.name);
        const bytesOut = answerWith(ctx, req, res, answer, body !== undefined, tried?.size ?? 0);
        outcome = error ? { status: answer.status, error, latencyMs: 0, bytesIn: 0, bytesOut } : { status: answer.status, noBackend: true, latencyMs: 0, bytesIn: 0, bytesOut };
        break;
      }
      if (last) {
        retried = true;
        // Only a retry of a request that was sent takes a place in the budget (see retry.ts).
        if (!retrying && !isSafeRetry(last)) {
          ctx.budget.retryStarted();
          retrying = true;
        }
        ctx.hooks.retried(last.backend);
        if (last.bodySent) ctx.hooks.resent?.(last.backend, method);
      }
      req.headers = upstreamHeaders;
      current = new Attempt(ctx, backend, req, res, body, expect, attempt);
      const result = await current.run();
      const ran = current;
      current = undefined;
      if (trace) traceAttempt(trace, backend, result);
      if (result.kind === 'held') {
        (tried ??= new Set()).add(backend.id);
        if (mayRetry(attempt, result.bodySent, undefined, result.status)) {
          held = ran;
          // The backend answered, so it saw the request: a retry sends it again.
          last = { backend, error: undefined, bodySent: true };
          continue;
        }
        if (trace) trace.answeredBy = backend;
        outcome = await release(ran);
        break;
      }
      if (result.kind !== 'failed') {
        outcome = result.outcome;
        break;
      }

      (tried ??= new Set()).add(backend.id);
      last = { backend, error: result.error, detail: result.outcome.detail, bodySent: result.bodySent };
      if (!mayRetry(attempt, result.bodySent, result.error, undefined)) {
        const answer = failureAnswer(ctx.name, result.error, result.outcome.detail);
        const bytesOut = answerWith(ctx, req, res, answer, body !== undefined, tried?.size ?? 0);
        outcome = { ...result.outcome, status: answer.status, bytesOut };
        break;
      }
    }
    ctx.hooks.requestEnded({ ...outcome, latencyMs: ctx.now() - startedAt, bytesIn: body?.bytesRead ?? 0 });
    trace?.end(outcome.status ?? 0, ctx.now() - startedAt);
    if (retried && outcome.status !== CLIENT_CLOSED) retryWorked = outcome.error === undefined && !outcome.noBackend && (outcome.status ?? 0) < 500;
  } finally {
    ctx.budget.requestEnded(retrying, retryWorked);
    req.headers = headers;
    body?.discard();
  }
}

/** Records how an attempt ended in the request's trace; an answer makes its backend the one that answered. */
function traceAttempt(trace: RequestTrace, backend: Backend, result: AttemptResult): void {
  if (result.kind === 'failed') trace.attempted(backend, { error: result.error });
  else if (result.kind === 'held') trace.attempted(backend, { status: result.status });
  else if (result.kind === 'clientGone') trace.attempted(backend, { clientGone: true });
  else {
    trace.attempted(backend, { error: result.outcome.error, status: result.outcome.status });
    trace.answeredBy = backend;
  }
}

/** The request has a body to send: a positive `Content-Length`, or any `Transfer-Encoding`. */
function hasBody(headers: http.IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * Answers with a short plain-text error, unless the response already began
 * (then only closing the connection tells the client something went wrong).
 * Returns the body bytes sent.
 */
function answerWith(ctx: ServiceContext, req: http.IncomingMessage, res: http.ServerResponse, answer: FailureAnswer, withBody: boolean, attempts: number): number {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return 0;
  }
  const payload = Buffer.from(answer.body);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': payload.length,
    'x-lb-error': answer.code,
  };
  // The balancer's own answer: no backend answered, but how many were tried is worth a header too.
  if (ctx.debugHeaders()) headers['x-lbw-attempts'] = String(attempts);
  // Rather than read the rest of an unread request body, close the connection after the answer.
  if ((withBody && !req.complete) || ctx.draining()) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(payload);
  return payload.length;
}
