/**
 * Browser mode's guard: a random token per run, carried in the URL once and
 * then in a same-site cookie; and a Host/Origin check so a page on another
 * site (or a DNS-rebound name) cannot reach the workbench on loopback.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export const TOKEN_COOKIE = 'lbw_token';

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieToken(req: http.IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return undefined;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
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

/** A WebSocket from a browser carries Origin; it must be this server's own. */
export function originAllowed(origin: string | undefined, bindHost: string, port: number): boolean {
  if (origin === undefined) return true; // not a browser (CLI tools, tests): the token still applies
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && hostAllowed(url.host, bindHost, port);
  } catch {
    return false;
  }
}
