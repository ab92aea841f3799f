/**
 * One client request through the service: the bounded retry loop. Each pass
 * picks a backend not tried yet, runs one attempt and, if it failed before
 * any response reached the client, asks `shouldRetry` whether to go on.
 * When nothing can be forwarded the client gets a short plain-text 502, 503
 * or 504.
 */
import type http from 'node:http';
import type { AttemptOutcome, ErrorKind } from '../stats/types';
import type { Backend } from '../model/backend';
import { Attempt } from './attempt';
import { upstreamRequestHeaders } from './hop-by-hop';
import { ReplayBody } from './replay-body';
import { shouldRetry } from './retry';
import { CLIENT_CLOSED, type ServiceContext } from './types';
import { failureAnswer, noBackendAnswer, type FailureAnswer } from './upstream-errors';

export async function proxyRequest(ctx: ServiceContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const startedAt = ctx.now();
  const retries = ctx.retries();
  ctx.hooks.requestStarted();
  ctx.budget.requestStarted();
  let retrying = false;

  const headers = req.headers;
  const method = req.method ?? 'GET';
  const pickReq = { clientAddress: req.socket.remoteAddress ?? '', headers };
  const body = new ReplayBody(req, retries.replayBufferBytes);
  // http-proxy adds a listener per attempt on the client request.
  req.setMaxListeners(retries.attempts * 2 + 10);
  req.on('error', () => {}); // a client abort; seen through the response's 'close'
  res.on('error', () => {});

  let current: Attempt | undefined;
  let gone = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    gone = true;
    current?.clientGone();
  });

  const ended = (outcome: AttemptOutcome & { noBackend?: boolean }) =>
    ctx.hooks.requestEnded({ ...outcome, latencyMs: ctx.now() - startedAt, bytesIn: body.bytesRead });

  const tried = new Set<string>();
  let last: { backend: Backend; error: ErrorKind; bodySent: boolean } | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      if (gone) return ended({ status: CLIENT_CLOSED, latencyMs: 0, bytesIn: 0, bytesOut: 0 });
      const backend = ctx.hooks.pick(pickReq, tried);
      if (!backend) {
        const answer = last ? failureAnswer(ctx.name, last.error) : noBackendAnswer(ctx.name);
        const bytesOut = answerWith(ctx, req, res, answer);
        return ended(last ? { status: answer.status, error: last.error, latencyMs: 0, bytesIn: 0, bytesOut } : { status: answer.status, noBackend: true, latencyMs: 0, bytesIn: 0, bytesOut });
      }
      if (last) {
        if (!retrying) ctx.budget.retryStarted();
        retrying = true;
        ctx.hooks.retried(last.backend);
        if (last.bodySent) ctx.hooks.resent?.(last.backend, method);
      }
      tried.add(backend.id);
      // A fresh copy each time: http-proxy's xfwd appends to req.headers in place.
      req.headers = upstreamRequestHeaders(headers);
      current = new Attempt(ctx, backend, req, res, body);
      const result = await current.run();
      current = undefined;
      if (result.kind !== 'failed') return ended(result.outcome);

      last = { backend, error: result.error, bodySent: result.bodySent };
      const retry = shouldRetry({
        attempt,
        maxAttempts: retries.attempts,
        method,
        bodySent: result.bodySent,
        bodyReplayable: body.replayable(),
        responseStarted: res.headersSent,
        error: result.error,
        retryNonIdempotent: retries.retryNonIdempotent,
        // A request already retrying holds its place in the budget.
        budgetAllows: retrying || ctx.budget.canRetry(),
      });
      if (!retry) {
        const answer = failureAnswer(ctx.name, result.error);
        const bytesOut = answerWith(ctx, req, res, answer);
        return ended({ ...result.outcome, status: answer.status, bytesOut });
      }
    }
  } finally {
    ctx.budget.requestEnded(retrying);
    req.headers = headers;
    body.discard();
  }
}

/**
 * Answers with a short plain-text error, unless the response already began
 * (then only closing the connection tells the client something went wrong).
 * Returns the body bytes sent.
 */
function answerWith(ctx: ServiceContext, req: http.IncomingMessage, res: http.ServerResponse, answer: FailureAnswer): number {
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
  // Rather than read the rest of an unread request body, close the connection after the answer.
  const bodyPending = !req.complete && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
  if (bodyPending || ctx.draining()) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(payload);
  return payload.length;
}
