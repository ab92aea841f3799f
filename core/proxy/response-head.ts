/**
 * What the client gets of a backend's response head, beyond dropping
 * hop-by-hop headers (hop-by-hop.ts): redirects that point at the backend's
 * own origin are rewritten to the origin the client used (nginx's
 * `proxy_redirect default`, extended to Content-Location), so a redirect never
 * takes the client past the balancer; and which answers never carry a body.
 */
import type http from 'node:http';

/** Headers whose value is, or holds, a URL the client will follow. */
const REDIRECT_HEADERS = new Set(['location', 'content-location', 'refresh']);

/**
 * An answer with a head and no body, whatever the backend sent after it: a
 * HEAD's, a 204 and a 304 (RFC 9110 §6.4.1). 1xx answers never reach here.
 */
export function isHeaderOnly(method: string | undefined, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304;
}

/** `scheme://host:port` of a URL, with the scheme's default port written out, lower-cased. */
function originOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`;
}

/** The origin the client used: this listener is plain HTTP, and the Host header names it (else the listener's own address). */
export function clientOrigin(req: http.IncomingMessage): string {
  const host = req.headers.host ?? `${req.socket.localAddress?.includes(':') ? `[${req.socket.localAddress}]` : req.socket.localAddress}:${req.socket.localPort}`;
  return `http://${host}`;
}

/**
 * `value` with a leading absolute (or scheme-relative) URL on `backend`'s
 * origin and under its path put on `client`'s origin, the backend's path
 * prefix taken off again (the proxy maps `/x` to `/api/x`, so `/api/x` maps
 * back to `/x`); anything else unchanged, as nginx's default proxy_redirect.
 */
export function rewriteUrl(value: string, backend: URL, client: string): string {
  const m = /^\s*((?:https?:)?\/\/[^/?#\s]+)(.*)$/is.exec(value);
  if (!m) return value;
  let origin: string;
  try {
    origin = originOf(new URL(m[1]!, backend));
  } catch {
    return value;
  }
  if (origin !== originOf(backend)) return value;
  const prefix = backend.pathname.replace(/\/$/, '');
  const rest = m[2] || '/';
  if (prefix === '') return `${client}${rest}`;
  const under = rest === prefix || (rest.startsWith(prefix) && /^[/?#]/.test(rest.slice(prefix.length)));
  if (!under) return value;
  const tail = rest.slice(prefix.length);
  return `${client}${tail.startsWith('/') ? tail : `/${tail}`}`;
}

/** `Refresh: 5; url=http://backend/x`: the URL part rewritten as a Location would be. */
function rewriteRefresh(value: string, backend: URL, client: string): string {
  const m = /^(\s*\d+(?:\.\d*)?\s*[;,]\s*url\s*=\s*)(['"]?)(.*?)\2\s*$/is.exec(value);
  if (!m) return value;
  return `${m[1]}${m[2]}${rewriteUrl(m[3]!, backend, client)}${m[2]}`;
}

/** Rewrites, in place, the redirect headers of a flat `[name, value, ...]` list that point at `backend`. */
export function rewriteRedirects(headers: string[], backend: URL, client: string): void {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i]!.toLowerCase();
    if (!REDIRECT_HEADERS.has(name)) continue;
    const value = headers[i + 1]!;
    headers[i + 1] = name === 'refresh' ? rewriteRefresh(value, backend, client) : rewriteUrl(value, backend, client);
  }
}

/** Whether any redirect header is present, so the common response skips the rewrite. */
export function hasRedirectHeader(headers: http.IncomingHttpHeaders): boolean {
  return headers.location !== undefined || headers['content-location'] !== undefined || headers.refresh !== undefined;
}
