/**
 * The workspace format: the public, documented shape of a workspace file.
 * Every field a user may write is here, with its default, so the JSON Schema
 * published for editors and the runtime validation are the same thing.
 */
import { z } from 'zod';
import { DrillSchema } from '../drills/spec';
import { DemoBackendSpecSchema } from '../demo/spec';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `host:port`, with IPv6 hosts in brackets (`[::1]:8080`). */
export const ListenSchema = z.string().superRefine((s, ctx) => {
  const m = HOST_PORT.exec(s);
  if (!m) ctx.addIssue({ code: 'custom', message: 'must be host:port, for example 127.0.0.1:8080' });
  else if (Number(m[2]) > 65535) ctx.addIssue({ code: 'custom', message: 'port must be 0-65535' });
});

export const AdminStateSchema = z.enum(['active', 'drain', 'disabled']);
export type AdminState = z.infer<typeof AdminStateSchema>;

export const ProtocolSchema = z.enum(['http', 'tcp']);
export type Protocol = z.infer<typeof ProtocolSchema>;

const NameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'may use letters, digits, space, dot, dash and underscore');

/** A backend URL: http(s) for HTTP services, tcp://host:port for TCP ones. */
export const BackendUrlSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a URL such as http://127.0.0.1:3001' });
    return;
  }
  if (!['http:', 'https:', 'tcp:'].includes(url.protocol)) {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL, or tcp://host:port in a tcp service' });
  } else if (!url.hostname) {
    ctx.addIssue({ code: 'custom', message: 'must name a host' });
  } else if (url.protocol === 'tcp:' && !url.port) {
    ctx.addIssue({ code: 'custom', message: 'a tcp URL must name a port' });
  }
});

export const BackendSpecSchema = z.strictObject({
  url: BackendUrlSchema.describe('Where the backend listens: http://host:port for HTTP, tcp://host:port for TCP. Left out for a demo backend.'),
  demo: NameSchema.optional().describe(
    'A built-in demo backend, by name (its spec under "demos", or the built-in alpha, bravo, charlie...): lbw starts it when the workspace opens and sends traffic to where it listens.',
  ),
  name: NameSchema.optional().describe('Shown in the UI and logs; defaults to host:port.'),
  weight: z.number().int('must be a whole number').min(1).max(1000).default(1).describe('Relative share of traffic for weighted strategies.'),
  state: AdminStateSchema.default('active').describe('active takes traffic; drain finishes in-flight requests and takes no new ones; disabled takes none.'),
  backup: z.boolean().default(false).describe('A backup serves only when no primary backend is available.'),
  maxConnections: z.number().int().min(1).optional().describe('Capacity: at most this many in-flight requests (or open connections); beyond it the backend is skipped.'),
});
export type BackendSpec = z.infer<typeof BackendSpecSchema>;
export type BackendInput = z.input<typeof BackendSpecSchema>;

const STATUS_RANGE = /^\d{3}(-\d{3})?(,\s*\d{3}(-\d{3})?)*$/;

/** A health check's `expect` written as a regular expression: `/pattern/flags`; anything else is a substring. */
export const EXPECT_REGEX = /^\/(.+)\/([imsu]*)$/s;

function expectProblem(value: string): string | undefined {
  const m = EXPECT_REGEX.exec(value);
  if (!m) return undefined;
  try {
    new RegExp(m[1]!, m[2]);
    return undefined;
  } catch (err) {
    return `is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export const HealthCheckSchema = z.strictObject({
  type: z.enum(['http', 'tcp']).default('http').describe('http requests a path; tcp opens a connection (and, with send/expect, exchanges a greeting). Backends with tcp:// URLs are always checked over tcp.'),
  path: z.string().startsWith('/', 'must start with /').default('/health'),
  expectStatus: z.string().regex(STATUS_RANGE, 'must be statuses or ranges such as 200-399 or 200,204').default('200-399'),
  intervalMs: z.number().int().min(100).max(3_600_000).default(1000),
  timeoutMs: z.number().int().min(10).max(60_000).default(500),
  rise: z.number().int().min(1).max(100).default(2).describe('Consecutive passes that mark an unhealthy backend healthy.'),
  fall: z.number().int().min(1).max(100).default(2).describe('Consecutive failures that mark a healthy backend unhealthy.'),
  downIntervalMs: z.number().int().min(100).max(3_600_000).optional().describe('A faster (or slower) interval while a backend is unhealthy.'),
  send: z
    .string()
    .min(1, 'must not be empty')
    .max(4096)
    .optional()
    .describe('TCP checks: sent once connected, such as "PING\\r\\n". The escapes \\r \\n \\t \\\\ and \\xHH are understood even when written literally.'),
  expect: z
    .string()
    .min(1, 'must not be empty')
    .max(4096)
    .superRefine((value, ctx) => {
      const problem = expectProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe('TCP checks: the reply must contain this text, or match /regex/flags, within timeoutMs.'),
});
export type HealthCheckSpec = z.infer<typeof HealthCheckSchema>;

export const PassiveHealthSchema = z.strictObject({
  enabled: z.boolean().default(true),
  consecutive5xx: z.number().int().min(1).max(1000).default(5).describe('Consecutive 5xx responses that eject a backend.'),
  consecutiveErrors: z.number().int().min(1).max(1000).default(5).describe('Consecutive connect errors, resets or timeouts that eject a backend.'),
  windowMs: z.number().int().min(100).default(10_000).describe('A failure older than this is forgotten.'),
  baseEjectionMs: z.number().int().min(100).default(10_000).describe('First ejection length; doubles on each repeated ejection.'),
  maxEjectionMs: z.number().int().min(100).default(300_000),
  maxEjectedPercent: z.number().int().min(0).max(100).default(50).describe('Never eject more than this share of the pool.'),
});
export type PassiveHealthSpec = z.infer<typeof PassiveHealthSchema>;

export const RetrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(10).default(3).describe('Total tries per request, the first included.'),
  retryNonIdempotent: z.boolean().default(false).describe('Also retry POST and PATCH after they were sent. Off by default: they may run twice.'),
  onStatus: z
    .array(z.number().int().min(400).max(599))
    .max(20)
    .default([])
    .describe(
      "Also retry on another backend when one answers with one of these statuses (e.g. [502, 503, 504]), under the same rules as a lost response. When no backend is left, the last such answer goes to the client. Empty by default: a backend's answer is forwarded as it is.",
    ),
  budgetPercent: z.number().min(0).max(100).default(50).describe('At most this share of the requests in flight may be retrying at once...'),
  minRetryConcurrency: z.number().int().min(0).default(10).describe('...but this many retrying requests are always allowed.'),
  replayBufferBytes: z.number().int().min(0).max(64 * 1024 * 1024).default(64 * 1024).describe('Request bodies up to this size are kept so a sent request can be replayed.'),
});
export type RetrySpec = z.infer<typeof RetrySchema>;

export const TimeoutsSchema = z.strictObject({
  connectMs: z.number().int().min(1).max(600_000).default(2_000).describe('Time to connect to a backend (and finish its TLS handshake).'),
  responseMs: z.number().int().min(1).max(3_600_000).default(30_000).describe('Time to wait for the response headers, from the last request byte sent.'),
  idleMs: z
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(60_000)
    .describe('No byte for this long closes the connection, counted as a timeout: an HTTP response body, a WebSocket tunnel, a TCP connection (0 = never).'),
  clientHeadersMs: z
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(10_000)
    .describe('HTTP services: how long a client may take to send its request headers (slow clients are answered 408 and closed).'),
});
export type TimeoutsSpec = z.infer<typeof TimeoutsSchema>;

/** How an HTTP service talks to https:// backends; the proxy and the health checker use the same settings. */
export const TlsSchema = z.strictObject({
  verify: z.boolean().default(true).describe("Verify the backends' certificates (false accepts self-signed ones; only for local development)."),
  ca: z.string().min(1, 'must not be empty').optional().describe('A PEM file of certificate authorities to trust for the backends, such as a local development CA.'),
  servername: z.string().min(1, 'must not be empty').max(253).optional().describe('The server name (SNI) sent and verified instead of the host in the backend URL.'),
});
export type TlsSpec = z.infer<typeof TlsSchema>;

export const MAX_HEADER_BYTES_LIMIT = 256 * 1024;

export const LimitsSchema = z.strictObject({
  maxHeaderBytes: z
    .number()
    .int()
    .min(1024)
    .max(MAX_HEADER_BYTES_LIMIT)
    .default(16 * 1024)
    .describe('The largest request head (request line and headers) a client may send, and response head a backend may send; larger ones get 431 (or 502).'),
});
export type LimitsSpec = z.infer<typeof LimitsSchema>;

export const ServiceSpecSchema = z
  .strictObject({
    name: NameSchema,
    protocol: ProtocolSchema.default('http'),
    listen: ListenSchema.describe('host:port to listen on. 127.0.0.1 keeps it on this machine.'),
    strategy: z.string().min(1).default('round-robin'),
    strategyOptions: z.record(z.string(), z.unknown()).default({}).describe('Options of the chosen strategy, such as {"hashOn": "header", "key": "x-user"}.'),
    backends: z.array(BackendSpecSchema).default([]),
    healthCheck: HealthCheckSchema.optional(),
    passiveHealth: PassiveHealthSchema.optional(),
    retries: RetrySchema.prefault({}),
    timeouts: TimeoutsSchema.prefault({}),
    tls: TlsSchema.optional().describe('HTTP services with https:// backends: certificate verification, a CA file, the server name.'),
    limits: LimitsSchema.prefault({}),
    rewriteRedirects: z
      .boolean()
      .default(true)
      .describe("Rewrite Location, Content-Location and Refresh headers that point at a backend's own origin to the origin the client used."),
    debugHeaders: z
      .boolean()
      .optional()
      .describe('Add x-lbw-backend (the backend that answered) and x-lbw-attempts (how many were tried) to every answer, for local debugging.'),
  })
  .superRefine((svc, ctx) => {
    const want = svc.protocol === 'tcp' ? ['tcp:'] : ['http:', 'https:'];
    const names = new Set<string>();
    svc.backends.forEach((b, i) => {
      let proto: string;
      try {
        proto = new URL(b.url).protocol;
      } catch {
        return; // already reported by the URL schema
      }
      if (!want.includes(proto) && ['http:', 'https:', 'tcp:'].includes(proto)) {
        ctx.addIssue({
          code: 'custom',
          path: ['backends', i, 'url'],
          message: svc.protocol === 'tcp' ? 'must be a tcp://host:port URL in a tcp service' : 'must be an http(s) URL',
        });
      }
      const name = backendName(b);
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['backends', i, 'name'], message: `duplicate backend name "${name}"` });
      names.add(name);
    });
  });
export type ServiceSpec = z.infer<typeof ServiceSpecSchema>;
export type ServiceInput = z.input<typeof ServiceSpecSchema>;

export const WorkspaceSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().max(128).optional(),
    services: z.array(ServiceSpecSchema).default([]),
    drills: z.array(DrillSchema).optional().describe('Failover drills: load plus a timeline of kills, faults and fixes (see core/drills).'),
    demos: z
      .array(DemoBackendSpecSchema)
      .optional()
      .describe('Built-in demo backends that backends name with "demo": lbw starts them (on a free port unless "port" is given) when the workspace opens.'),
  })
  .superRefine((ws, ctx) => {
    const demos = new Set<string>();
    ws.demos?.forEach((d, i) => {
      if (demos.has(d.name)) ctx.addIssue({ code: 'custom', path: ['demos', i, 'name'], message: `duplicate demo backend name "${d.name}"` });
      demos.add(d.name);
    });
    const drills = new Set<string>();
    ws.drills?.forEach((d, i) => {
      if (drills.has(d.name)) ctx.addIssue({ code: 'custom', path: ['drills', i, 'name'], message: `duplicate drill name "${d.name}"` });
      drills.add(d.name);
    });
    const names = new Set<string>();
    const listens = new Set<string>();
    ws.services.forEach((s, i) => {
      if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service name "${s.name}"` });
      names.add(s.name);
      if (!s.listen.endsWith(':0')) {
        if (listens.has(s.listen)) ctx.addIssue({ code: 'custom', path: ['services', i, 'listen'], message: `${s.listen} is already used by another service` });
        listens.add(s.listen);
      }
    });
  });
export type WorkspaceSpec = z.infer<typeof WorkspaceSchema>;
export type WorkspaceInput = z.input<typeof WorkspaceSchema>;

/** The name a backend shows: its own, its demo backend's, or host:port from its URL. */
export function backendName(b: { url: string; name?: string | undefined; demo?: string | undefined }): string {
  if (b.name) return b.name;
  if (b.demo) return b.demo;
  try {
    return new URL(b.url).host;
  } catch {
    return b.url;
  }
}

/** Splits a validated `host:port`; brackets are removed from IPv6 hosts. */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  let host = listen.slice(0, i);
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { host, port: Number(listen.slice(i + 1)) };
}
