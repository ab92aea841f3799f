/**
 * One health probe against one backend: an HTTP GET, or a TCP connect with
 * an optional send/expect exchange, bounded by a timeout and cancellable
 * through an AbortSignal. A probe never rejects: every socket error becomes
 * a failed outcome with a short detail (`ECONNREFUSED`, `timeout after
 * 500 ms`), so nothing escapes a timer.
 *
 * Each probe opens its own connection (`agent: false`, `Connection: close`)
 * and destroys it when done, so a stopped checker leaves no socket behind.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { injectedProbeOutcome } from '../faults/probe';
import type { FaultPlan } from '../faults/fault-set';
import { LbError } from '../model/errors';
import { DEFAULT_UPSTREAM_TLS, isTlsError, tlsConnectOptions, tlsReason, type UpstreamTls } from '../proxy/upstream-tls';
import { showReply, type ReplyMatcher } from './reply';

export interface ProbeOutcome {
  ok: boolean;
  /** What was seen: `200`, `503 (expected 200-399)`, `connected`, `ECONNREFUSED`, `timeout after 500 ms`. */
  detail: string;
  /** Time to the status line (HTTP) or to the connect (TCP); absent on failure before that. */
  latencyMs?: number;
}

export interface ProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Injected faults on the path to the backend (core/faults), drawn for this probe: it waits out the delay, then meets the answer. */
  fault?: FaultPlan;
}

export interface HttpProbeOptions extends ProbeOptions {
  path: string;
  expect: StatusMatcher;
  /** https:// backends: the service's TLS settings, the same the proxy uses (default: verify). */
  tls?: UpstreamTls;
}

/** Decides whether a status passes; `text` is the rule as written, for details. */
export interface StatusMatcher {
  (status: number): boolean;
  readonly text: string;
}

/** A response body is drained up to this size so the backend sees a clean close; past it the probe hangs up. A TCP reply is read up to this size too. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Parses `200-399` or `200,204,300-399` once, at configuration time.
 * Throws CONFIG_INVALID on a malformed rule or a range that runs backwards.
 */
export function parseExpectStatus(rule: string): StatusMatcher {
  const ranges: Array<[number, number]> = [];
  for (const part of rule.split(',')) {
    const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (!m) throw new LbError('CONFIG_INVALID', `expectStatus "${rule}" must be statuses or ranges such as 200-399 or 200,204`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > hi) throw new LbError('CONFIG_INVALID', `expectStatus range ${lo}-${hi} runs backwards`);
    ranges.push([lo, hi]);
  }
  const matcher = (status: number) => ranges.some(([lo, hi]) => status >= lo && status <= hi);
  return Object.assign(matcher, { text: rule.replace(/\s+/g, '') });
}

/** The host and port to dial; the default port follows the scheme, brackets come off IPv6 hosts. */
export function targetOf(url: URL): { host: string; port: number } {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host, port };
}

/** A socket error as a short detail: its code when it has one (`ECONNREFUSED`), else its message; a TLS failure with its reason. */
export function errorDetail(err: unknown): string {
  if (isTlsError(err)) return `LB_UPSTREAM_TLS: ${tlsReason(err)}`;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code) return code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * GETs `path` on the backend. The status line decides the outcome; the body
 * is then drained (up to the timeout and MAX_BODY_BYTES) before closing.
 * HTTPS is checked with the service's TLS settings, as the proxy connects:
 * a certificate the proxy would refuse fails the check with its reason.
 */
export function probeHttp(url: URL, opts: HttpProbeOptions): Promise<ProbeOutcome> {
  const { host, port } = targetOf(url);
  const started = performance.now();
  return settleOnce(opts, (finish) => {
    const injected = injectedProbeOutcome(opts.fault, 'http');
    if (injected === 'hang') return IDLE;
    if (injected) {
      finish(injected.status === undefined ? injected : judge(injected.status, opts.expect, performance.now() - started));
      return IDLE;
    }
    const request = url.protocol === 'https:' ? https.request : http.request;
    const req = request({
      host,
      port,
      method: 'GET',
      path: opts.path,
      agent: false,
      headers: { Host: url.host, Connection: 'close', 'User-Agent': 'lb-workbench-health-check', Accept: '*/*' },
      ...(url.protocol === 'https:' ? tlsConnectOptions(opts.tls ?? DEFAULT_UPSTREAM_TLS, url.hostname) : {}),
    });
    let outcome: ProbeOutcome | undefined;
    // Listeners stay attached after the outcome: destroying the request may still raise 'error'.
    req.on('error', (err) => finish(outcome ?? { ok: false, detail: errorDetail(err) }));
    req.on('response', (res) => {
      outcome = judge(res.statusCode ?? 0, opts.expect, performance.now() - started);
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_BODY_BYTES && outcome) finish(outcome);
      });
      res.on('error', () => outcome && finish(outcome));
      res.on('end', () => outcome && finish(outcome));
      res.on('close', () => outcome && finish(outcome));
    });
    req.end();
    return {
      // Once the status is known a slow body no longer matters: the status decides.
      onTimeout: () => outcome,
      close: () => req.destroy(),
    };
  });
}

function judge(status: number, expect: StatusMatcher, latencyMs: number): ProbeOutcome {
  const ok = expect(status);
  return { ok, detail: ok ? String(status) : `${status} (expected ${expect.text})`, latencyMs };
}

export interface TcpProbeOptions extends ProbeOptions {
  /** Sent once connected. */
  send?: Buffer | undefined;
  /** The reply must meet it within the timeout; without it, connecting (and sending) is a pass. */
  expect?: ReplyMatcher | undefined;
}

/**
 * Opens a TCP connection; with `send`, writes it; with `expect`, reads the
 * reply (up to MAX_BODY_BYTES) until it matches. Connected, sent and matched
 * within the timeout is a pass; the latency is the time to the connect, or to
 * the matching reply.
 */
export function probeTcp(url: URL, opts: TcpProbeOptions): Promise<ProbeOutcome> {
  const { host, port } = targetOf(url);
  const { send, expect } = opts;
  const started = performance.now();
  return settleOnce(opts, (finish) => {
    const injected = injectedProbeOutcome(opts.fault, expect ? 'tcp-reply' : 'tcp');
    if (injected === 'hang') return IDLE;
    if (injected) {
      finish(injected);
      return IDLE;
    }
    const socket = net.connect({ host, port });
    let reply = Buffer.alloc(0);
    const mismatch = (why: string) => `${why}: reply ${showReply(reply)} (expected ${expect?.text ?? ''})`;
    socket.on('error', (err) => finish({ ok: false, detail: errorDetail(err) }));
    socket.on('connect', () => {
      const connectedIn = performance.now() - started;
      if (!send && !expect) return finish({ ok: true, detail: 'connected', latencyMs: connectedIn });
      if (send) {
        socket.write(send, (err) => {
          if (!err && !expect) finish({ ok: true, detail: `connected, sent ${send.length} bytes`, latencyMs: connectedIn });
        });
      }
    });
    if (expect) {
      socket.on('data', (chunk: Buffer) => {
        reply = Buffer.concat([reply, chunk]).subarray(0, MAX_BODY_BYTES);
        if (expect(reply)) finish({ ok: true, detail: `reply matched ${expect.text}`, latencyMs: performance.now() - started });
        else if (reply.length >= MAX_BODY_BYTES) finish({ ok: false, detail: mismatch('no match in the first 64 KiB') });
      });
      socket.on('end', () => finish({ ok: false, detail: mismatch('closed by the backend') }));
    }
    return {
      onTimeout: () => (expect && reply.length > 0 ? { ok: false, detail: mismatch(`timeout after ${opts.timeoutMs} ms`) } : undefined),
      close: () => socket.destroy(),
    };
  });
}

interface ProbeHandle {
  /** An outcome already known when the timeout fires, or undefined for a plain timeout. */
  onTimeout(): ProbeOutcome | undefined;
  /** Releases the socket; safe to call more than once. */
  close(): void;
}

/** The handle of a probe that opened nothing (an injected fault answered it). */
const IDLE: ProbeHandle = { onTimeout: () => undefined, close: () => {} };

/**
 * Runs a probe body with the shared plumbing: the timeout, the abort signal,
 * exactly one outcome, and the socket always released. An injected delay
 * postpones the body; the timeout runs from the start, delay included.
 */
function settleOnce(opts: ProbeOptions, body: (finish: (o: ProbeOutcome) => void) => ProbeHandle): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (opts.signal?.aborted) return resolve({ ok: false, detail: 'cancelled' });
    let handle: ProbeHandle | undefined;
    let done = false;
    let delay: NodeJS.Timeout | undefined;
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(delay);
      opts.signal?.removeEventListener('abort', onAbort);
      handle?.close();
      resolve(o);
    };
    const onAbort = () => finish({ ok: false, detail: 'cancelled' });
    const timer = setTimeout(() => finish(handle?.onTimeout() ?? { ok: false, detail: `timeout after ${opts.timeoutMs} ms` }), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const begin = () => {
      try {
        handle = body(finish);
        if (done) handle.close(); // finished synchronously, before the handle existed
      } catch (err) {
        finish({ ok: false, detail: errorDetail(err) });
      }
    };
    const delayMs = opts.fault?.delayMs ?? 0;
    if (delayMs > 0) delay = setTimeout(begin, delayMs);
    else begin();
  });
}
