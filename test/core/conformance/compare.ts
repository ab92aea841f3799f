/**
 * What is compared between the engines, and how. An `Observation` is what
 * one engine did with a case: the answers the client got and the requests the
 * backends got. `view()` turns it into plain data where only real differences
 * remain, so `expect(view(lbw)).toEqual(view(nginx))` prints a readable diff:
 *  - header names lower-cased, order ignored, repeated lines combined as
 *    RFC 9110 §5.3 allows (`, `; `; ` for Cookie), Set-Cookie kept as a list;
 *  - left out: per-connection and per-server headers (Date, Server,
 *    Connection, Keep-Alive, Via); in what the backend got also the body's
 *    framing (Content-Length / Transfer-Encoding: a proxy may reframe, so the
 *    body bytes are compared instead);
 *  - X-Forwarded-* lists compared by their items (`a,b` equals `a, b`);
 *  - bodies as text when short and printable, otherwise by length and SHA-256.
 * Anything a case names in `differs` is left out of the view too.
 */
import { createHash } from 'node:crypto';
import type { ReceivedRequest } from './backends';
import type { RawHeaders } from './http-wire';
import type { ClientResponse } from './clients';

export interface Observation {
  responses: ClientResponse[];
  received: ReceivedRequest[];
  /** Facts a case measured itself (such as bytes uploaded before an answer). */
  notes: Record<string, unknown>;
}

export type HeaderView = Record<string, string | string[]>;

const IGNORED_RESPONSE = new Set(['date', 'server', 'connection', 'keep-alive', 'via']);
const IGNORED_RECEIVED = new Set(['connection', 'keep-alive', 'content-length', 'transfer-encoding']);

export function headerView(headers: RawHeaders, ignored: ReadonlySet<string> = IGNORED_RESPONSE): HeaderView {
  const lists = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const n = name.toLowerCase();
    if (ignored.has(n)) continue;
    lists.set(n, [...(lists.get(n) ?? []), value]);
  }
  const out: HeaderView = {};
  for (const [n, vs] of [...lists].sort(([a], [b]) => a.localeCompare(b))) {
    if (n === 'set-cookie') out[n] = vs;
    else if (n === 'cookie') out[n] = vs.join('; ');
    else if (n.startsWith('x-forwarded-')) out[n] = vs.flatMap((v) => v.split(',').map((s) => s.trim())).join(', ');
    else out[n] = vs.join(', ');
  }
  return out;
}

export function bodyView(body: Buffer): string {
  const text = body.toString('latin1');
  if (body.length <= 300 && /^[\x20-\x7e\r\n\t]*$/.test(text)) return text;
  return `${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex').slice(0, 16)}`;
}

export function responseView(r: ClientResponse) {
  return {
    status: r.status,
    interim: r.interim.map((i) => ({ status: i.status, headers: headerView(i.headers) })),
    headers: headerView(r.headers),
    body: bodyView(r.body),
    trailers: headerView(r.trailers),
  };
}

export function receivedView(r: ReceivedRequest) {
  return {
    method: r.method,
    target: r.target,
    version: r.version,
    headers: headerView(r.headers, IGNORED_RECEIVED),
    body: bodyView(r.body),
    trailers: headerView(r.trailers),
    complete: r.complete,
  };
}

/**
 * The comparable form of an observation, without what `differs` names:
 * `status`, `interim`, `headers`, `headers.<name>`, `body`, `trailers` (of
 * every response), `received`, `received.headers.<name>`, `received.body`,
 * `received.trailers`, `received.complete`, `notes.<key>`.
 */
export function view(o: Observation, differs: readonly string[] = []) {
  const drop = (obj: Record<string, unknown>, prefix: string) => {
    for (const d of differs) {
      if (!d.startsWith(prefix)) continue;
      const rest = d.slice(prefix.length).split('.');
      if (rest.length === 1) delete obj[rest[0]!];
      else if (rest.length === 2 && obj[rest[0]!]) delete (obj[rest[0]!] as Record<string, unknown>)[rest[1]!];
    }
    return obj;
  };
  return {
    responses: o.responses.map((r) => drop(responseView(r), '')),
    received: differs.includes('received') ? 'not compared' : o.received.map((r) => drop(receivedView(r), 'received.')),
    notes: drop({ ...o.notes }, 'notes.'),
  };
}

/** Where two plain values differ, one line per path: `path: nginx <a> | lbw <b>`. */
export function diffPaths(nginx: unknown, lbw: unknown, path = ''): string[] {
  if (JSON.stringify(nginx) === JSON.stringify(lbw)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(nginx) && Array.isArray(lbw)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(nginx.length, lbw.length); i++) out.push(...diffPaths(nginx[i], lbw[i], `${path}[${i}]`));
    return out;
  }
  if (isObj(nginx) && isObj(lbw)) {
    const keys = [...new Set([...Object.keys(nginx), ...Object.keys(lbw)])].sort();
    return keys.flatMap((k) => diffPaths(nginx[k], lbw[k], path ? `${path}.${k}` : k));
  }
  return [`${path || '(value)'}: nginx ${show(nginx)} | lbw ${show(lbw)}`];
}

function show(v: unknown): string {
  const s = v === undefined ? 'absent' : JSON.stringify(v);
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}
