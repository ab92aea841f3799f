/**
 * The HTTP data plane's seams: the hooks a service runtime gives it (pick,
 * and one report per attempt and per request), and the per-service context
 * the request and WebSocket handlers share.
 */
import type net from 'node:net';
import type HttpProxy from 'http-proxy';
import type { Backend } from '../model/backend';
import type { RetrySpec, TimeoutsSpec } from '../model/spec';
import type { AttemptOutcome } from '../stats/types';
import type { PickRequest } from '../strategies/types';
import type { PickTrace } from '../strategies/reason';
import type { RequestTrace } from '../lab/request-trace';
import type { AgentPool } from './agent-pool';
import type { RetryBudget } from './retry-budget';

export interface HttpServiceHooks {
  /** Chooses a backend, excluding ids already tried for this request; undefined = none available. `trace` only for a sampled request. */
  pick(req: PickRequest, exclude: ReadonlySet<string>, trace?: PickTrace): Backend | undefined;
  /** A trace for this request when the lab samples it (or the access log is on); undefined otherwise (core/lab). */
  sample?(method: string, path: string): RequestTrace | undefined;
  /** One attempt to a backend ended (success, HTTP error status, or a connection error). */
  attemptEnded(backend: Backend, outcome: AttemptOutcome): void;
  /** The request is being retried after a failed attempt on `backend`. */
  retried(backend: Backend): void;
  /**
   * The request is being sent again although its failed attempt on `backend`
   * had already sent it (the backend may have acted on it): for a
   * non-idempotent method, a possible duplicate. Called with `retried`.
   */
  resent?(backend: Backend, method: string): void;
  /** An open WebSocket tunnel to `backend` saw no byte for `limitMs` and was closed (a timeout, not a request). */
  tunnelTimedOut?(backend: Backend, limitMs: number): void;
  /** The whole client request ended (after retries): what the client saw. */
  requestEnded(outcome: AttemptOutcome & { noBackend?: boolean }): void;
  requestStarted(): void;
}

/** What one service's request and upgrade handlers share. */
export interface ServiceContext {
  readonly name: string;
  readonly proxy: HttpProxy;
  readonly hooks: HttpServiceHooks;
  readonly agents: AgentPool;
  readonly budget: RetryBudget;
  now(): number;
  /** Uniform in [0, 1): draws injected faults (core/faults). */
  random(): number;
  timeouts(): TimeoutsSpec;
  retries(): RetrySpec;
  /** Redirects to a backend's origin are rewritten to the client's (`rewriteRedirects`). */
  rewriteRedirects(): boolean;
  /** The largest request and response heads (`limits.maxHeaderBytes`). */
  maxHeaderBytes(): number;
  /** The service is closing: answers carry `Connection: close`. */
  draining(): boolean;
  /** Answers carry `x-lbw-backend` and `x-lbw-attempts` (the service's `debugHeaders`). */
  debugHeaders(): boolean;
  /** Remembers an upstream socket so `close()` can wait for it. */
  trackUpstream(socket: net.Socket): void;
}

/**
 * The key under which a per-call object rides in http-proxy's options, so the
 * `proxyReq`/`proxyReqWs` events reach the attempt that made the call.
 * (http-proxy copies options with `util._extend`, which skips symbol keys.)
 */
export const CALL_KEY = 'lbCall';

/** A listener for errors that are seen some other way (a 'close', the request's outcome). */
export function noop(): void {}

/** Client status for "the client went away before an answer" (nginx's 499). */
export const CLIENT_CLOSED = 499;

/**
 * The hooks, made safe to call from socket events: a hook that throws must not
 * take the process down with it. A throwing `pick` counts as "none available";
 * the first failure is reported as a process warning, the rest are ignored.
 */
export function guardHooks(hooks: HttpServiceHooks): HttpServiceHooks {
  let warned = false;
  const guard = <A extends unknown[], R>(name: string, fn: (...args: A) => R, fallback: R) => (...args: A): R => {
    try {
      return fn.apply(hooks, args);
    } catch (err) {
      if (!warned) {
        warned = true;
        process.emitWarning(`HttpService hook ${name} threw: ${err instanceof Error ? err.message : String(err)}`);
      }
      return fallback;
    }
  };
  return {
    pick: guard('pick', hooks.pick, undefined),
    attemptEnded: guard('attemptEnded', hooks.attemptEnded, undefined),
    retried: guard('retried', hooks.retried, undefined),
    resent: hooks.resent ? guard('resent', hooks.resent, undefined) : undefined,
    sample: hooks.sample ? guard('sample', hooks.sample, undefined) : undefined,
    tunnelTimedOut: hooks.tunnelTimedOut ? guard('tunnelTimedOut', hooks.tunnelTimedOut, undefined) : undefined,
    requestEnded: guard('requestEnded', hooks.requestEnded, undefined),
    requestStarted: guard('requestStarted', hooks.requestStarted, undefined),
  };
}
