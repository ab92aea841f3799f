/**
 * Hop-by-hop header handling (RFC 9110 §7.6.1): headers that describe one
 * connection are not forwarded in either direction, nor are headers that
 * `Connection` names. http-proxy forwards all of them as they came (only
 * adding `Connection: close` when no agent is given), so the service cleans
 * them here, once per request and on each response. The names to drop are
 * shared sets; only a `Connection` that names other headers adds a short list.
 */
import type { IncomingHttpHeaders } from 'node:http';

// `Trailer` is not among them: it announces end-to-end trailer fields (RFC 9110 §6.6.2), which pass through.
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade']);
/**
 * A request also loses `HTTP2-Settings` (an h2c upgrade offer, declined) and
 * `Expect`, which each attempt sets again itself (see attempt.ts).
 */
const REQUEST_HOP_BY_HOP: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'expect', 'http2-settings']);

/** Lower-cased header names listed in `Connection` (`Connection: close, X-Foo`) that `base` does not drop already; usually none. */
function namedInConnection(value: string | string[] | undefined, base: ReadonlySet<string>): string[] | undefined {
  // The usual `Connection: keep-alive` names nothing else.
  if (value === undefined || (typeof value === 'string' && base.has(value))) return undefined;
  let extra: string[] | undefined;
  for (const token of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const name = token.trim().toLowerCase();
    if (name && !base.has(name)) (extra ??= []).push(name);
  }
  return extra;
}

/** Copies the end-to-end headers: those neither in `base` nor named in `Connection`. */
function endToEnd(headers: IncomingHttpHeaders, base: ReadonlySet<string>): IncomingHttpHeaders {
  const extra = namedInConnection(headers.connection, base);
  const out: IncomingHttpHeaders = {};
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined && !base.has(k) && (extra === undefined || !extra.includes(k))) out[k] = v;
  }
  return out;
}

/**
 * The headers to send upstream for a plain request: end-to-end ones only.
 * A chunked body stays chunked (Node re-frames it on the new connection).
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = endToEnd(headers, REQUEST_HOP_BY_HOP);
  if (headers['transfer-encoding'] !== undefined && headers['content-length'] === undefined) out['transfer-encoding'] = 'chunked';
  // Trailers come only after a chunked body (and Node refuses the header otherwise): announcing them without one promises nothing.
  else delete out.trailer;
  return out;
}

/** The headers to send upstream for a WebSocket handshake: as above, but the upgrade itself is kept. */
export function upstreamUpgradeHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = endToEnd(headers, HOP_BY_HOP);
  out.connection = 'Upgrade';
  if (headers.upgrade !== undefined) out.upgrade = headers.upgrade;
  return out;
}

/**
 * A response's raw headers (name, value, name, value...) without the
 * hop-by-hop ones, in their original order and case, for `writeHead`.
 */
export function downstreamResponseHeaders(rawHeaders: readonly string[], headers: IncomingHttpHeaders): string[] {
  const extra = namedInConnection(headers.connection, HOP_BY_HOP);
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && (extra === undefined || !extra.includes(lower))) out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}
