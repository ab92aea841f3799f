/**
 * The ways a case talks to an engine: node:http (agent: false) for ordinary
 * requests, and the raw client where exact bytes matter: requests one after
 * another on one connection (does the next request still work?), and an
 * upload with `Expect: 100-continue` that sends its body only after a 100,
 * as curl does (waiting up to 1 s for an answer first), counting the body
 * bytes it had to send before the final answer came.
 */
import http from 'node:http';
import type { RawHeaders } from './http-wire';
import { parseHead } from './http-wire';
import { RawConnection, type RawResponse } from './raw-client';

/** The Host every request names, whatever the engine's real port: the same request reaches both engines. */
export const HOST = 'app.test:8080';

export type ClientResponse = RawResponse;

export interface NodeRequest {
  method?: string;
  path: string;
  headers?: RawHeaders;
  body?: Buffer | string;
}

/** One request through node:http on a fresh connection; the answer with header lines as received. */
export function nodeRequest(port: number, r: NodeRequest): Promise<ClientResponse> {
  return new Promise((resolve) => {
    const headers: string[] = ['Host', HOST];
    for (const [n, v] of r.headers ?? []) headers.push(n, v);
    const interim: ClientResponse['interim'] = [];
    const req = http.request({ host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers, agent: false, setHost: false });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), 10_000);
    const failed = (status: ClientResponse['status']) => resolve({ status, reason: '', headers: [], body: Buffer.alloc(0), trailers: [], interim });
    req.on('information', (info) => interim.push({ status: info.statusCode, headers: pairs(info.rawHeaders) }));
    req.on('error', (err) => {
      clearTimeout(timer);
      failed(err.message === 'timeout' ? 'timeout' : 'closed');
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', () => {});
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? '',
          headers: pairs(res.rawHeaders),
          body: Buffer.concat(parts),
          trailers: pairs(res.rawTrailers),
          interim,
        });
      });
      res.on('aborted', () => {
        clearTimeout(timer);
        failed('closed');
      });
    });
    req.end(r.body);
  });
}

function pairs(raw: string[]): RawHeaders {
  const out: RawHeaders = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export interface RawRequest {
  /** The request's bytes exactly (head and any body). */
  bytes: string | Buffer;
  /** Its method, which decides whether the answer has a body (HEAD). */
  method?: string;
  /** How long to wait for the answer (default 5 s). */
  timeoutMs?: number;
}

/** A request head with the usual Host, from a request line and extra header lines. */
export function head(requestLine: string, headers: RawHeaders = [], host: string | null = HOST): string {
  const lines = host === null ? headers : [['Host', host] as [string, string], ...headers];
  return `${requestLine}\r\n${lines.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/**
 * Sends the requests one after another on one connection, each after the
 * previous answer; once an answer fails (closed, timeout, malformed), the
 * rest are not sent and read as `closed`.
 */
export async function sequence(port: number, requests: RawRequest[]): Promise<ClientResponse[]> {
  const conn = await RawConnection.open(port);
  const out: ClientResponse[] = [];
  try {
    for (const r of requests) {
      if (out.some((o) => typeof o.status !== 'number')) {
        out.push({ status: 'closed', reason: 'not sent: an earlier answer failed', headers: [], body: Buffer.alloc(0), trailers: [], interim: [] });
        continue;
      }
      await conn.write(r.bytes);
      out.push(await conn.readResponse(r.method ?? 'GET', r.timeoutMs));
    }
  } finally {
    conn.close();
  }
  return out;
}

export interface ExpectUpload {
  response: ClientResponse;
  /** Body bytes the client had sent when the final answer arrived. */
  bodyBytesSent: number;
}

/** How long the client waits for a 100 (or a final answer) before sending the body anyway: curl's default. */
const EXPECT_WAIT_MS = 1000;
const UPLOAD_CHUNK = 64 * 1024;

/**
 * A `Content-Length: size` upload with `Expect: 100-continue`: the head, then
 * the body only once a 100 came (or after 1 s with no answer), stopping as
 * soon as a final answer arrives. Without `expect`, the body follows the
 * head at once (still stopping at a final answer).
 */
export async function expectUpload(port: number, path: string, size: number, opts: { expect: boolean } = { expect: true }): Promise<ExpectUpload> {
  const conn = await RawConnection.open(port);
  try {
    const headers: RawHeaders = [['Content-Type', 'application/octet-stream'], ['Content-Length', String(size)]];
    if (opts.expect) headers.push(['Expect', '100-continue']);
    await conn.write(head(`POST ${path} HTTP/1.1`, headers));
    if (opts.expect) await conn.waitUntil((b) => completeHeads(b) > 0, EXPECT_WAIT_MS);
    const chunk = Buffer.alloc(UPLOAD_CHUNK, 0x61);
    let sent = 0;
    while (sent < size && !finalArrived(conn.pending) && !conn.closed) {
      const part = chunk.subarray(0, Math.min(UPLOAD_CHUNK, size - sent));
      await conn.write(part);
      sent += part.length;
    }
    const response = await conn.readResponse('POST');
    return { response, bodyBytesSent: sent };
  } finally {
    conn.close();
  }
}

/** How many complete response heads the bytes hold. */
function completeHeads(buf: Buffer): number {
  let n = 0;
  let at = 0;
  for (;;) {
    const h = parseHead(buf, at);
    if (h.kind !== 'ok') return n;
    n++;
    at += h.value.length;
  }
}

/** A final (non-1xx) answer's head has arrived, after any interim ones. */
function finalArrived(buf: Buffer): boolean {
  let at = 0;
  for (;;) {
    const h = parseHead(buf, at);
    if (h.kind !== 'ok') return false;
    const status = Number(h.value.start[1]);
    if (!(status >= 100 && status < 200)) return true;
    at += h.value.length;
  }
}
