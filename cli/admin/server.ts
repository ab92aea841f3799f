/**
 * The admin API: an HTTP binding of the contract for scripts, test suites,
 * CI jobs and Prometheus.
 *
 *   POST /api/<command>   the command's input as a JSON body (none: `{}`),
 *                         answered with the contract's `{ ok, value | error }`
 *   GET  /api/events      events as server-sent events (./sse.ts)
 *   GET  /metrics         Prometheus text exposition (core/metrics)
 *
 * Every command of core/contract is routed by its name, checked with the
 * contract's own `isCommandName`; there is no list here to keep in step.
 * Every request needs `Authorization: Bearer <token>`, and like browser mode
 * a loopback Host and no foreign Origin. No CORS: a browser page of another
 * origin never gets an answer it may read.
 */
import http from 'node:http';
import { isCommandName } from '../../core/contract/commands';
import type { Push } from '../../core/contract/events';
import type { ErrorCode, ErrorData } from '../../core/model/errors';
import type { Result } from '../../core/model/result';
import { listenOn, urlHost } from '../../core/proxy/listen';
import { EXPOSITION_CONTENT_TYPE } from '../../core/stats/prometheus';
import { challenge, checkBearer, hostAllowed, originAllowed } from './auth';
import { serveEvents } from './sse';

/** The largest request body read (1 MiB, as browser mode's WebSocket frames). */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;
export const API_PREFIX = '/api/';
export const EVENTS_PATH = '/api/events';
export const METRICS_PATH = '/metrics';

export interface AdminWorkbench {
  invoke(name: string, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (push: Push) => void): () => void;
}

export interface AdminServerOptions {
  workbench: AdminWorkbench;
  /** The exposition text for GET /metrics. */
  metrics: () => string;
  host: string;
  port: number;
  token: string;
  /** How often a quiet event stream gets a comment line (default 15 s). */
  keepAliveMs?: number;
  /** An event stream whose unread output passes this is dropped (default 1 MiB). */
  sseMaxBufferedBytes?: number;
  maxBodyBytes?: number;
}

export interface AdminServer {
  /** `http://127.0.0.1:9901` (a host to reach it by, with the port actually bound). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The HTTP status for a command's error code; anything unlisted is the server's fault. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INPUT_INVALID: 400,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNKNOWN_COMMAND: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PORT_IN_USE: 409,
  EXPORT_UNSUPPORTED: 422,
  LB_NO_BACKEND: 502,
  LB_UPSTREAM_REFUSED: 502,
  LB_UPSTREAM_RESET: 502,
  LB_UPSTREAM_TIMEOUT: 504,
  LB_UPSTREAM_TLS: 502,
};

export function statusOf(result: Result<unknown>): number {
  return result.ok ? 200 : (STATUS[result.error.code] ?? 500);
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** `application/json`, `application/json; charset=utf-8`, or an `application/*+json` type. */
function isJsonType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const maxBody = opts.maxBodyBytes ?? ADMIN_MAX_BODY_BYTES;
  let port = opts.port;

  const send = (res: http.ServerResponse, status: number, body: Result<unknown>, headers: http.OutgoingHttpHeaders = {}) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...JSON_HEADERS, ...headers }).end(`${JSON.stringify(body)}\n`);
  };
  const fail = (res: http.ServerResponse, status: number, error: ErrorData, headers?: http.OutgoingHttpHeaders) => send(res, status, { ok: false, error }, headers);

  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    req.on('error', () => {});
    if (!hostAllowed(req.headers.host, opts.host, port)) return fail(res, 403, { code: 'FORBIDDEN', message: 'forbidden host: use the address lbw printed' });
    if (!originAllowed(req.headers.origin, req.headers.host)) return fail(res, 403, { code: 'FORBIDDEN', message: 'forbidden origin: the admin API answers no other site' });
    const auth = checkBearer(req.headers.authorization, opts.token);
    if (!auth.ok) {
      const why = auth.reason === 'missing' ? 'send Authorization: Bearer <token>' : auth.reason === 'malformed' ? 'the Authorization header must be "Bearer <token>"' : 'not the admin token of this run';
      return fail(res, 401, { code: 'UNAUTHORIZED', message: `unauthorized: ${why}` }, { 'www-authenticate': challenge(auth.reason) });
    }

    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === METRICS_PATH) {
      if (method !== 'GET' && method !== 'HEAD') return fail(res, 405, methodError('GET'), { allow: 'GET, HEAD' });
      const text = opts.metrics();
      res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
      return;
    }
    if (url.pathname === EVENTS_PATH) {
      if (method !== 'GET') return fail(res, 405, methodError('GET'), { allow: 'GET' });
      serveEvents(url, res, { subscribe: (l) => opts.workbench.subscribe(l), keepAliveMs: opts.keepAliveMs ?? 15_000, maxBufferedBytes: opts.sseMaxBufferedBytes ?? 1024 * 1024 });
      return;
    }
    if (!url.pathname.startsWith(API_PREFIX)) return fail(res, 404, { code: 'NOT_FOUND', message: `no such endpoint: ${url.pathname} (try POST ${API_PREFIX}<command>, GET ${EVENTS_PATH}, GET ${METRICS_PATH})` });
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice(API_PREFIX.length));
    } catch {
      name = '';
    }
    if (!isCommandName(name)) return fail(res, 404, { code: 'UNKNOWN_COMMAND', message: `unknown command "${name}"` });
    if (method !== 'POST') return fail(res, 405, methodError('POST'), { allow: 'POST' });
    void command(req, res, name);
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  async function command(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const hasBody = req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared > 0);
    if (hasBody && !isJsonType(req.headers['content-type'])) {
      return refuseBody(req, res, 415, { code: 'INPUT_INVALID', message: 'send the input as JSON, with Content-Type: application/json' });
    }
    if (declared !== undefined && declared > maxBody) return refuseBody(req, res, 413, tooLarge(maxBody));
    const body = await readBody(req, maxBody);
    if (body === 'too-large') return refuseBody(req, res, 413, tooLarge(maxBody));
    if (body === 'aborted') return;
    let input: unknown = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (err) {
        return fail(res, 400, { code: 'INPUT_INVALID', message: `the body is not JSON: ${(err as Error).message}` });
      }
    }
    const result = await opts.workbench.invoke(name, input);
    send(res, statusOf(result), result);
  }

  /**
   * Answers before the body is read, then closes the connection. The rest of
   * the body is read and dropped for a moment first, so a client still
   * sending gets the answer rather than a reset.
   */
  function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, status: number, error: ErrorData): void {
    const socket = res.socket ?? req.socket;
    fail(res, status, error, { connection: 'close' });
    req.resume();
    const timer = setTimeout(() => socket.destroy(), 2000);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  ({ port } = await listenOn(server, opts.host, opts.port, `the admin API's; try --admin ${opts.host}:0`));
  const shownHost = urlHost(opts.host);
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The whole body, or 'too-large' as soon as it passes `max` (the rest is left unread), or 'aborted'. */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('close', () => resolve('aborted'));
  });
}

function methodError(allowed: string): ErrorData {
  return { code: 'INPUT_INVALID', message: `method not allowed: use ${allowed}` };
}

function tooLarge(max: number): ErrorData {
  return { code: 'INPUT_INVALID', message: `the body is larger than ${max} bytes` };
}
