/**
 * Every export in a table of workspaces that covers every workspace feature
 * passes the engine's own check (`nginx -t`, `haproxy -c`, `caddy validate`),
 * and every warning the exporter gives is also a comment in the file, at its
 * spot. Caddy refuses TCP services with EXPORT_UNSUPPORTED. The checks read
 * the config without binding its ports, so the listen addresses are fixed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LbError } from '../../../core/model/errors';
import type { BackendInput, ServiceInput, WorkspaceInput } from '../../../core/model/spec';
import { checkConfig, exportInput, installed, writeExport, type RunnableEngine } from './engines';

const CA = '/etc/ssl/certs/ca-certificates.crt';
let nextPort = 19000;
const listen = (): string => `127.0.0.1:${nextPort++}`;
const http = (n: number, extra: Partial<BackendInput> = {}): BackendInput[] =>
  Array.from({ length: n }, (_, i) => ({ url: `http://127.0.0.1:${7001 + i}`, weight: i + 1, ...extra }));
const tcp = (n: number): BackendInput[] => Array.from({ length: n }, (_, i) => ({ url: `tcp://127.0.0.1:${7101 + i}`, weight: i + 1 }));
const svc = (name: string, rest: Partial<ServiceInput>): ServiceInput => ({ name, listen: listen(), ...rest }) as ServiceInput;
const ALL_STRATEGIES = ['round-robin', 'weighted-round-robin', 'least-connections', 'random', 'power-of-two', 'peak-ewma', 'ring-hash', 'maglev'];

/** Each row: a workspace and whether it has TCP services (which Caddy refuses). */
const TABLE: Array<{ name: string; ws: WorkspaceInput; tcp?: boolean }> = [
  {
    name: 'every strategy over weighted backends with a backup, a disabled and a draining one',
    ws: {
      services: ALL_STRATEGIES.map((s) =>
        svc(s, { strategy: s, backends: [...http(3), { url: 'http://127.0.0.1:7010', backup: true }, { url: 'http://127.0.0.1:7011', state: 'disabled' }, { url: 'http://127.0.0.1:7012', state: 'drain' }] }),
      ),
    },
  },
  {
    name: 'hash keys: header, cookie and client address for ring-hash and maglev',
    ws: {
      services: [
        svc('rh-header', { strategy: 'ring-hash', strategyOptions: { hashOn: 'header', key: 'X-User-Id' }, backends: http(2) }),
        svc('rh-cookie', { strategy: 'ring-hash', strategyOptions: { hashOn: 'cookie', key: 'session' }, backends: http(2) }),
        svc('rh-cookie-dash', { strategy: 'ring-hash', strategyOptions: { hashOn: 'cookie', key: 'my-session' }, backends: http(2) }),
        svc('mg-ip', { strategy: 'maglev', strategyOptions: { hashOn: 'client-ip', tableSize: 5003 }, backends: http(3) }),
        svc('mg-header', { strategy: 'maglev', strategyOptions: { hashOn: 'header', key: 'x-tenant' }, backends: http(3) }),
      ],
    },
  },
  {
    name: 'active and passive health: http status ranges, rise/fall, down interval, tcp connect and send/expect',
    ws: {
      services: [
        svc('http-check', { backends: http(2), healthCheck: { path: '/healthz', expectStatus: '200,204,301-302', intervalMs: 500, timeoutMs: 200, rise: 3, fall: 4, downIntervalMs: 2000 } }),
        svc('class-check', { backends: http(2), healthCheck: { path: '/ok', expectStatus: '200-299', rise: 1, fall: 1 } }),
        svc('tcp-check-on-http', { backends: http(2), healthCheck: { type: 'tcp' } }),
        svc('passive', { backends: http(2), passiveHealth: { consecutive5xx: 3, consecutiveErrors: 2, windowMs: 5000, baseEjectionMs: 1500, maxEjectionMs: 60_000, maxEjectedPercent: 30 } }),
        svc('both', { backends: http(2), healthCheck: {}, passiveHealth: {} }),
        svc('passive-off', { backends: http(2), passiveHealth: { enabled: false } }),
      ],
    },
  },
  {
    name: 'retries: none, many with statuses, non-idempotent; timeouts (idle 0 = never), limits, redirects off; backend URL paths',
    ws: {
      services: [
        svc('no-retry', { backends: http(2), retries: { attempts: 1 } }),
        svc('retry-all', { backends: http(3), retries: { attempts: 5, onStatus: [500, 502, 503, 504, 429, 418], retryNonIdempotent: true, budgetPercent: 20, minRetryConcurrency: 3 } }),
        svc('timeouts', { backends: http(2), timeouts: { connectMs: 750, responseMs: 12_000, idleMs: 0, clientHeadersMs: 3000 }, limits: { maxHeaderBytes: 64 * 1024 }, rewriteRedirects: false }),
        svc('same-timeouts', { backends: http(2), timeouts: { responseMs: 5000, idleMs: 5000 } }),
        svc('path', { backends: [{ url: 'http://127.0.0.1:7001/api' }, { url: 'http://127.0.0.1:7002/api/' }] }),
        svc('path-escaped', { backends: [{ url: 'https://localhost:7443/a%20b' }] }),
        svc('path-mixed', { backends: [{ url: 'http://127.0.0.1:7001/a' }, { url: 'http://127.0.0.1:7002/b' }] }),
      ],
    },
  },
  {
    name: 'capacity and weights: maxConnections equal and unequal, weights past 256',
    ws: {
      services: [
        svc('cap-equal', { strategy: 'least-connections', backends: http(2, { maxConnections: 10 }) }),
        svc('cap-mixed', { backends: [{ url: 'http://127.0.0.1:7001', maxConnections: 5 }, { url: 'http://127.0.0.1:7002' }] }),
        svc('heavy', { strategy: 'weighted-round-robin', backends: [{ url: 'http://127.0.0.1:7001', weight: 1000 }, { url: 'http://127.0.0.1:7002', weight: 3 }] }),
      ],
    },
  },
  {
    name: 'TLS to backends: verify with a CA and server name, verify off, by IP, mixed schemes; an IPv6 listener',
    ws: {
      services: [
        svc('tls-verify', { backends: [{ url: 'https://localhost:7443' }, { url: 'https://localhost:7444' }], tls: { verify: true, ca: CA, servername: 'api.internal' }, healthCheck: {} }),
        svc('tls-default', { backends: [{ url: 'https://localhost:7443' }] }),
        svc('tls-insecure', { backends: [{ url: 'https://127.0.0.1:7443' }], tls: { verify: false } }),
        svc('tls-ip', { backends: [{ url: 'https://127.0.0.1:7443' }, { url: 'https://127.0.0.1:7444' }], tls: { verify: true, ca: CA } }),
        svc('tls-mixed', { backends: [{ url: 'https://localhost:7443' }, { url: 'http://127.0.0.1:7001' }] }),
        { name: 'v6', listen: '[::1]:19500', backends: http(1) },
      ],
    },
  },
  {
    name: 'a service without backends, and one whose backends are all disabled',
    ws: { services: [svc('empty', {}), svc('all-off', { backends: http(2, { state: 'disabled' }) })] },
  },
  {
    name: 'TCP services: every strategy, tcp checks with send/expect (text and /regex/i), passive health, retries, idle 0, no backends',
    tcp: true,
    ws: {
      services: [
        ...ALL_STRATEGIES.map((s) => svc(`tcp-${s}`, { protocol: 'tcp', strategy: s, backends: [...tcp(2), { url: 'tcp://127.0.0.1:7150', backup: true }] })),
        svc('tcp-send-expect', { protocol: 'tcp', backends: tcp(2), healthCheck: { type: 'tcp', send: 'PING\\r\\n', expect: '+PONG', intervalMs: 300 } }),
        svc('tcp-regex', { protocol: 'tcp', backends: tcp(2), healthCheck: { type: 'tcp', send: '\\x00\\x01', expect: '/^ok \\d+/i' }, passiveHealth: {} }),
        svc('tcp-tuned', { protocol: 'tcp', backends: tcp(2), retries: { attempts: 1 }, timeouts: { idleMs: 0, connectMs: 300 } }),
        svc('tcp-empty', { protocol: 'tcp' }),
        svc('http-beside', { backends: http(2) }),
      ],
    },
  },
];

const ENGINES: RunnableEngine[] = ['nginx', 'haproxy', 'caddy'];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe.each(ENGINES)('%s checks every export of the table', (engine) => {
  it.runIf(installed(engine)).each(TABLE)('$name', async ({ ws, tcp: hasTcp }) => {
    if (engine === 'caddy' && hasTcp) {
      const err = (() => {
        try {
          exportInput(ws, engine);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(LbError);
      expect((err as LbError).code).toBe('EXPORT_UNSUPPORTED');
      expect((err as LbError).message).toMatch(/no layer-4 \(TCP\) proxy.*"tcp-round-robin"/);
      return;
    }
    const result = exportInput(ws, engine);
    const text = result.files.map((f) => f.text).join('\n');
    expect(text).toContain(`lbw ${'0.0.0-test'}`);
    expect(text).toContain('/test/workspace.json');
    for (const w of result.warnings) expect(text, `${w.feature} is commented in the file`).toContain(`lbw: ${w.feature} (${w.fidelity}): ${w.message}`);
    const written = await writeExport(result);
    cleanups.push(written.remove);
    const { code, output } = await checkConfig(engine, written.dir, written.file);
    expect(code, output).toBe(0);
    if (engine === 'haproxy') expect(output, 'haproxy -c gives no warning').not.toMatch(/\[WARNING\]/);
    if (engine === 'nginx') expect(output, 'nginx -t gives no warning').not.toMatch(/\[warn\]/);
    if (engine === 'caddy') expect(output, "the Caddyfile is as caddy fmt writes it").not.toContain('not formatted');
  });
});

describe('a service on port 0 (the system picks one each run) cannot be exported', () => {
  it.each(ENGINES)('%s: EXPORT_UNSUPPORTED naming the service', (engine) => {
    const ws: WorkspaceInput = { services: [{ name: 'ephemeral', listen: '127.0.0.1:0', backends: http(1) }] };
    expect(() => exportInput(ws, engine)).toThrow(expect.objectContaining({ code: 'EXPORT_UNSUPPORTED', message: expect.stringMatching(/"ephemeral" listen\(s\) on port 0/) }));
  });
});

describe('the table covers the features', () => {
  it('every strategy, in HTTP and in TCP', () => {
    const used = (proto: string): Set<string> =>
      new Set(TABLE.flatMap((r) => (r.ws.services ?? []).filter((s) => (s.protocol ?? 'http') === proto).map((s) => s.strategy ?? 'round-robin')));
    expect([...used('http')].sort()).toEqual([...ALL_STRATEGIES].sort());
    expect([...used('tcp')].sort()).toEqual([...ALL_STRATEGIES].sort());
  });
});
