/**
 * The request key of the hashing strategies (ring-hash, maglev): the client
 * address, a header or a cookie. Shared so both validate and extract it the
 * same way. A request without the key falls back to its client address, so it
 * still lands somewhere stable.
 */
import { z } from 'zod';
import type { PickRequest, StrategyParam } from './types';

export const HASH_ON = ['client-ip', 'header', 'cookie'] as const;
export type HashOn = (typeof HASH_ON)[number];

/** The option fields; each hashing strategy builds its own object around them. */
export const hashKeyShape = {
  hashOn: z.enum(HASH_ON).default('client-ip'),
  key: z.string().trim().min(1, 'must not be empty').optional(),
};

/** A header or cookie strategy needs the name of what to hash on. */
export function checkHashKey(opts: { hashOn: HashOn; key?: string | undefined }, ctx: z.RefinementCtx): void {
  if (opts.hashOn !== 'client-ip' && opts.key === undefined) {
    ctx.addIssue({ code: 'custom', path: ['key'], message: `required when hashOn is "${opts.hashOn}"` });
  }
}

export const hashKeyParams: readonly StrategyParam[] = [
  {
    name: 'hashOn',
    label: 'Hash on',
    type: 'enum',
    choices: HASH_ON,
    default: 'client-ip',
    description: 'What keeps a client on the same backend: its address, a request header or a cookie.',
  },
  {
    name: 'key',
    label: 'Header or cookie name',
    type: 'string',
    description: 'The header (such as x-user-id) or cookie (such as session) to hash; required unless hashing on the client address.',
  },
];

/** Returns the function that reads the hash key out of a request. */
export function keyReader(opts: { hashOn: HashOn; key?: string | undefined }): (req: PickRequest) => string {
  const name = opts.key ?? '';
  if (opts.hashOn === 'header') {
    const header = name.toLowerCase(); // Node lower-cases header names
    return (req) => {
      const v = req.headers[header];
      const s = Array.isArray(v) ? v.join(',') : v;
      return s ? s : req.clientAddress;
    };
  }
  if (opts.hashOn === 'cookie') {
    return (req) => cookieValue(req.headers.cookie, name) ?? req.clientAddress;
  }
  return (req) => req.clientAddress;
}

/** The value of cookie `name` in a Cookie header (`a=1; b=2`), or undefined when absent or empty. */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join('; ') : header;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(';', start);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq !== -1 && eq < end && text.slice(start, eq).trim() === name) {
      const value = text.slice(eq + 1, end).trim();
      return value === '' ? undefined : value;
    }
    start = end + 1;
  }
  return undefined;
}
