/**
 * Hop-by-hop header handling (RFC 9110 §7.6.1): headers that describe one
 * connection are not forwarded in either direction, nor are headers that
 * `Connection` names. http-proxy forwards all of them as they came (only
 * adding `Connection: close` when no agent is given), so the service cleans
 * them here before each attempt and on each response.
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Lower-cased header names listed in `Connection` (`Connection: close, X-Foo`). */
function connectionTokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

function dropped(headers: IncomingHttpHeaders): Set<string> {
  return new Set([...HOP_BY_HOP, ...connectionTokens(headers.connection)]);
}

/**
 * The headers to send upstream for a plain request: end-to-end ones only.
 * A chunked body stays chunked (Node re-frames it on the new connection).
 * `Expect: 100-continue` is dropped because the listener already answered it.
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const drop = dropped(headers);
  drop.add('expect');
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!drop.has(k) && v !== undefined) out[k] = v;
  if (headers['transfer-encoding'] !== undefined && headers['content-length'] === undefined) out['transfer-encoding'] = 'chunked';
  return out;
}

/** The headers to send upstream for a WebSocket handshake: as above, but the upgrade itself is kept. */
export function upstreamUpgradeHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const drop = dropped(headers);
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!drop.has(k) && v !== undefined) out[k] = v;
  out.connection = 'Upgrade';
  if (headers.upgrade !== undefined) out.upgrade = headers.upgrade;
  return out;
}

/**
 * A response's raw headers (name, value, name, value...) without the
 * hop-by-hop ones, in their original order and case, for `writeHead`.
 */
export function downstreamResponseHeaders(rawHeaders: readonly string[], headers: IncomingHttpHeaders): string[] {
  const drop = dropped(headers);
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (!drop.has(name.toLowerCase())) out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}
