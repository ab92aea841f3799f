/**
 * Browser mode's guard. A random token per run is what lets a client control
 * the workbench; it travels only in the printed URL's fragment (which a
 * browser never sends to any server), the page's sessionStorage (per tab and
 * per origin, so per port) and the WebSocket's first frame. Never in a
 * cookie: cookies are scoped by host, not port (RFC 6265 §8.5), so every
 * other server on 127.0.0.1 would receive it. The Host and Origin checks keep
 * DNS-rebound names and other sites' pages away from the socket even before
 * the token is asked for.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Compares in constant time for equal lengths, so the answer's timing does not leak the token. */
export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Host names this server answers to. Bound to loopback, only loopback names
 * (DNS rebinding defence); bound to all interfaces on request, any host.
 */
export function hostAllowed(hostHeader: string | undefined, bindHost: string, port: number): boolean {
  if (bindHost === '0.0.0.0' || bindHost === '::') return true;
  if (!hostHeader) return false;
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${bindHost}:${port}`]);
  return allowed.has(hostHeader.toLowerCase());
}

/**
 * A browser always sends Origin on a WebSocket handshake; it must be the
 * page's own, the origin the handshake's Host names (so another port on
 * 127.0.0.1, another site, or a file:// page is refused, even when bound to
 * all interfaces). No Origin means a client that is not a browser (a script,
 * a test): it is let through to the token check, like any other client.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file:// pages) and garbage
  }
  return url.protocol === 'http:' && url.host === hostHeader.toLowerCase() && origin === url.origin;
}
