/**
 * The admin API's guard: `Authorization: Bearer <token>` on every request,
 * compared in constant time, plus browser mode's Host and Origin checks
 * (cli/browser/auth.ts), so a DNS-rebound name or another site's page in a
 * browser is refused before the token is even looked at. The token comes
 * from LBW_ADMIN_TOKEN or is made fresh per run.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export { hostAllowed, newToken, originAllowed } from '../browser/auth';

/** RFC 6750's `b64token`, after the scheme (case-insensitive) and one or more spaces. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export type BearerCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'wrong' };

/**
 * Checks an Authorization header against the token. Both sides are hashed
 * first, so the comparison takes the same time whatever the given token's
 * length or content.
 */
export function checkBearer(header: string | undefined, token: string): BearerCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  const m = BEARER.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  const given = createHash('sha256').update(m[1]!).digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, want) ? { ok: true } : { ok: false, reason: 'wrong' };
}

/** The WWW-Authenticate challenge for a 401 (RFC 6750 §3). */
export function challenge(reason: 'missing' | 'malformed' | 'wrong'): string {
  const realm = 'Bearer realm="lbw admin"';
  if (reason === 'malformed') return `${realm}, error="invalid_request", error_description="use Authorization: Bearer <token>"`;
  if (reason === 'wrong') return `${realm}, error="invalid_token", error_description="not this run's admin token"`;
  return realm;
}
