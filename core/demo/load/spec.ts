/**
 * The load generator's spec and the messages it reports. A load spec is
 * either an open loop (a request rate, optionally ramped, independent of how
 * fast answers come back) or a closed loop (N clients, each sending its next
 * request when the last one is answered). Targets are loopback only: the
 * workbench generates load against this machine and nothing else. What a
 * run reports is in ./types.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../model/validate';

/** A run never lasts longer than this, whatever it was asked. */
export const LOAD_MAX_DURATION_MS = 600_000;

export const LOAD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A dotted-quad IPv4 address starting 127. Checked without node:net, so the contract and workspace schemas load in a browser. */
const LOOPBACK_V4 = /^127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** 127.0.0.0/8, ::1 or localhost; `hostname` as `URL` spells it (IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost' || host === '::1') return true;
  return LOOPBACK_V4.test(host);
}

const TargetSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a URL such as http://127.0.0.1:8080' });
    return;
  }
  if (url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: `must be an http:// URL (got ${url.protocol})` });
  } else if (!isLoopbackHost(url.hostname)) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a loopback address (127.0.0.0/8, ::1 or localhost), not ${url.hostname}: the load generator only targets this machine`,
    });
  } else if ((url.pathname !== '/' && url.pathname !== '') || url.search) {
    ctx.addIssue({ code: 'custom', message: 'must be an origin such as http://127.0.0.1:8080; put paths in `requests`' });
  }
});

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const RequestMixEntrySchema = z.strictObject({
  method: z.enum(LOAD_METHODS).default('GET'),
  path: z.string().startsWith('/', 'must start with /').max(2048).default('/'),
  weight: z.number().positive('must be more than 0').max(1_000_000).default(1),
});
export type RequestMixEntry = z.infer<typeof RequestMixEntrySchema>;

/** Sends `<prefix><k>` with k uniform in 0..count-1, as a header or as a cookie, to exercise hash strategies. */
export const LoadKeySchema = z
  .strictObject({
    header: z.string().regex(TOKEN, 'must be a header name such as x-user').optional(),
    cookie: z.string().regex(TOKEN, 'must be a cookie name such as session').optional(),
    count: z.number().int().min(1).max(1_000_000).describe('K: how many distinct keys.'),
    prefix: z.string().regex(/^[\x21-\x7e]*$/, 'must be printable ASCII without spaces').max(64).default('user-'),
  })
  .refine((k) => (k.header === undefined) !== (k.cookie === undefined), 'name exactly one of header or cookie');
export type LoadKey = z.infer<typeof LoadKeySchema>;

const common = {
  target: TargetSchema.describe('An origin on this machine, e.g. http://127.0.0.1:8080.'),
  requests: z.array(RequestMixEntrySchema).min(1).max(100).default([{ method: 'GET', path: '/', weight: 1 }]).describe('Weighted mix of method and path.'),
  bodyBytes: z.number().int().min(0).max(16 * 1024 * 1024).default(0).describe('Request body size for POST, PUT and PATCH.'),
  key: LoadKeySchema.optional(),
  durationMs: z.number().int().min(1).max(LOAD_MAX_DURATION_MS).default(LOAD_MAX_DURATION_MS).describe('The run stops by itself after this long.'),
  timeoutMs: z.number().int().min(1).max(120_000).default(10_000).describe('A request unanswered this long fails as a timeout.'),
  progressIntervalMs: z.number().int().min(50).max(10_000).default(500),
};

export const OpenLoopSchema = z.strictObject({
  mode: z.literal('open'),
  rate: z.number().positive().max(100_000).describe('Requests per second (after the ramp).'),
  rampFromRate: z.number().min(0).max(100_000).optional().describe('Start at this rate and rise linearly to `rate` over rampMs.'),
  rampMs: z.number().int().min(0).max(LOAD_MAX_DURATION_MS).default(0),
  maxInFlight: z.number().int().min(1).max(10_000).default(256).describe('Safety cap: a request due while this many are unanswered is skipped.'),
  ...common,
});

export const ClosedLoopSchema = z.strictObject({
  mode: z.literal('closed'),
  concurrency: z.number().int().min(1).max(1024).default(4).describe('Clients, each with one request outstanding.'),
  ...common,
});

export const LoadSpecSchema = z.discriminatedUnion('mode', [OpenLoopSchema, ClosedLoopSchema]);
export type LoadSpec = z.infer<typeof LoadSpecSchema>;
export type LoadSpecInput = z.input<typeof LoadSpecSchema>;
export type OpenLoopSpec = z.infer<typeof OpenLoopSchema>;

/** Validates a spec; throws an INPUT_INVALID LbError listing every problem. */
export function parseLoadSpec(input: unknown): LoadSpec {
  return parseOrThrow(LoadSpecSchema, input);
}
