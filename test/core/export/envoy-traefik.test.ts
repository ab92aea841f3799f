/**
 * Envoy and Traefik exports, checked against golden files.
 *
 * Neither engine can be installed on this machine (Debian packages neither,
 * and nothing outside the npm and Debian registries is reachable), so unlike
 * nginx, HAProxy and Caddy these exports are not run. Instead the golden files
 * under golden/ were written by the exporters and then checked by hand,
 * field by field, against the engines' documentation: Envoy's v3 API
 * reference (Bootstrap, Listener, HttpConnectionManager, RouteAction and
 * RetryPolicy, TcpProxy, Cluster, HealthCheck, OutlierDetection,
 * CircuitBreakers, UpstreamTlsContext) and Traefik v3's file-provider
 * reference (entry points, HTTP and TCP routers and services, failover and
 * weighted services, healthCheck, passiveHealthCheck, retry middleware,
 * serversTransports). Any change to the output must be re-checked the same
 * way: run with UPDATE_GOLDEN=1, then read the diff against the docs.
 *
 * Besides the byte-for-byte comparison, each export is parsed (mini-yaml.ts,
 * which refuses duplicate keys and anything it does not know) and checked for
 * invariants: every service has its listener/entry point on its address,
 * every backend that takes traffic appears with its weight and no disabled
 * one does, and the warnings and the "lbw:" comments match one for one.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../../core/config/workspace-file';
import { exportEnvoy } from '../../../core/export/envoy';
import { exportTraefik } from '../../../core/export/traefik';
import type { ExportResult } from '../../../core/export/types';
import { backendName, parseListen, type ServiceSpec, type WorkspaceInput, type WorkspaceSpec } from '../../../core/model/spec';
import { parseYaml, type Yaml } from './mini-yaml';

const GOLDEN = join(import.meta.dirname, 'golden');
const META = { lbwVersion: '0.1.0', workspace: '/home/user/shop.lbw.json' };

const two = [{ url: 'http://127.0.0.1:3001', name: 'a' }, { url: 'http://127.0.0.1:3002', name: 'b' }];

/** One workspace per row, together covering every feature of the workspace format. */
const CASES: Array<[string, WorkspaceInput]> = [
  ['round-robin', { name: 'basic', services: [{ name: 'web', listen: '127.0.0.1:8080', backends: two }] }],
  [
    'weighted-full',
    {
      services: [
        {
          name: 'shop api',
          listen: '127.0.0.1:8081',
          strategy: 'weighted-round-robin',
          backends: [
            { url: 'http://127.0.0.1:3001', name: 'big', weight: 5, maxConnections: 100 },
            { url: 'http://127.0.0.1:3002', name: 'small', weight: 1, maxConnections: 20 },
            { url: 'http://127.0.0.1:3003', name: 'leaving', state: 'drain' },
            { url: 'http://127.0.0.1:3004', name: 'off', state: 'disabled' },
            { url: 'http://127.0.0.1:3005', name: 'spare', backup: true },
          ],
          healthCheck: { path: '/healthz', expectStatus: '200-299,418', intervalMs: 2000, timeoutMs: 250, rise: 3, fall: 2, downIntervalMs: 500 },
          passiveHealth: { consecutive5xx: 3, consecutiveErrors: 4, windowMs: 5000, baseEjectionMs: 2000, maxEjectionMs: 60000, maxEjectedPercent: 30 },
          retries: { attempts: 4, onStatus: [502, 503], budgetPercent: 20, minRetryConcurrency: 3, replayBufferBytes: 1048576 },
          timeouts: { connectMs: 1500, responseMs: 8000, idleMs: 45000, clientHeadersMs: 5000 },
          limits: { maxHeaderBytes: 32768 },
        },
      ],
    },
  ],
  [
    'tls',
    {
      services: [
        {
          name: 'secure',
          listen: '127.0.0.1:8443',
          backends: [{ url: 'https://api.internal:9443', name: 'api' }, { url: 'https://10.0.0.7:9443/v1', name: 'ip' }],
          tls: { ca: '/etc/lbw/dev-ca.pem', servername: 'api.internal' },
          healthCheck: { path: '/health', expectStatus: '204', rise: 1, fall: 1 },
          rewriteRedirects: false,
        },
        { name: 'insecure', listen: '127.0.0.1:8444', backends: [{ url: 'https://localhost:9444' }], tls: { verify: false } },
      ],
    },
  ],
  [
    'hashing',
    {
      services: [
        { name: 'by-header', listen: '127.0.0.1:8001', strategy: 'ring-hash', strategyOptions: { hashOn: 'header', key: 'x-user-id' }, backends: two },
        { name: 'by-cookie', listen: '127.0.0.1:8002', strategy: 'ring-hash', strategyOptions: { hashOn: 'cookie', key: 'session' }, backends: two },
        { name: 'by-client', listen: '127.0.0.1:8003', strategy: 'maglev', strategyOptions: { tableSize: 5003 }, backends: two },
      ],
    },
  ],
  [
    'load-aware',
    {
      services: [
        { name: 'lc', listen: '127.0.0.1:8011', strategy: 'least-connections', backends: [...two, { url: 'http://127.0.0.1:3003', name: 'c' }] },
        { name: 'p2c', listen: '127.0.0.1:8012', strategy: 'power-of-two', backends: [{ ...two[0]!, weight: 2 }, two[1]!] },
        { name: 'rnd', listen: '127.0.0.1:8013', strategy: 'random', backends: two },
        { name: 'ewma', listen: '[::1]:8014', strategy: 'peak-ewma', backends: [{ url: 'http://[::1]:3001' }, { url: 'http://localhost:3002/api' }] },
      ],
    },
  ],
  [
    'retries-edge',
    {
      services: [
        { name: 'posts', listen: '127.0.0.1:8021', backends: two, retries: { retryNonIdempotent: true }, timeouts: { idleMs: 0 } },
        { name: 'once', listen: '127.0.0.1:8022', backends: [], retries: { attempts: 1 } },
        { name: 'backups only', listen: '127.0.0.1:8023', backends: [{ url: 'http://127.0.0.1:3009', backup: true }] },
        { name: 'unchecked backup', listen: '127.0.0.1:8024', backends: [two[0]!, { ...two[1]!, backup: true }] },
      ],
    },
  ],
  [
    'tcp',
    {
      services: [
        {
          name: 'redis',
          protocol: 'tcp',
          listen: '127.0.0.1:6380',
          strategy: 'weighted-round-robin',
          backends: [
            { url: 'tcp://127.0.0.1:6379', name: 'r1', weight: 3 },
            { url: 'tcp://127.0.0.1:6381', name: 'r2', weight: 1 },
            { url: 'tcp://127.0.0.1:6382', name: 'r3', state: 'disabled' },
          ],
          healthCheck: { type: 'tcp', send: 'PING\\r\\n', expect: '+PONG', rise: 1, fall: 1 },
          passiveHealth: {},
        },
        {
          name: 'pg',
          protocol: 'tcp',
          listen: '127.0.0.1:5433',
          strategy: 'ring-hash',
          backends: [{ url: 'tcp://127.0.0.1:5432' }, { url: 'tcp://db2.internal:5432', backup: true, maxConnections: 50 }],
          healthCheck: { type: 'tcp', expect: '/^OK/i' },
          retries: { attempts: 1 },
        },
      ],
    },
  ],
];

const ENGINES = { envoy: exportEnvoy, traefik: exportTraefik };

function golden(name: string, text: string): string {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, text);
  }
  expect(existsSync(path), `${path} exists (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  return readFileSync(path, 'utf8');
}

type Map = { [key: string]: Yaml };
const asMap = (v: Yaml | undefined): Map => {
  expect(v !== null && typeof v === 'object' && !Array.isArray(v), `a mapping: ${JSON.stringify(v)}`).toBe(true);
  return v as Map;
};
const asList = (v: Yaml | undefined): Yaml[] => {
  expect(Array.isArray(v), `a sequence: ${JSON.stringify(v)}`).toBe(true);
  return v as Yaml[];
};

const weighted = (svc: ServiceSpec): boolean => svc.strategy !== 'round-robin' && svc.strategy !== 'peak-ewma';
const hostPort = (url: string): { host: string; port: number } => {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || (u.protocol === 'https:' ? 443 : 80) };
};

/** Every "lbw:" comment is a warning and every warning has its comment, once per distinct text. */
function checkWarnings(result: ExportResult): void {
  const text = result.files.map((f) => f.text).join('\n');
  const comments = new Set([...text.matchAll(/# (lbw: .*)$/gm)].map((m) => m[1]!).filter((c) => !c.startsWith('lbw: "')));
  const expected = new Set(result.warnings.map((w) => `lbw: ${w.feature} (${w.fidelity}): ${w.message}`));
  expect([...comments].sort()).toEqual([...expected].sort());
  for (const w of result.warnings) expect(['nearest', 'none']).toContain(w.fidelity);
}

/** No value is left null: an empty mapping is `{}`, never a bare `key:` (which an engine reads as unset). */
function checkNoNull(doc: Yaml, path = ''): void {
  expect(doc, `${path || 'document'} is null`).not.toBeNull();
  if (Array.isArray(doc)) doc.forEach((v, i) => checkNoNull(v, `${path}[${i}]`));
  else if (typeof doc === 'object' && doc !== null) for (const [k, v] of Object.entries(doc)) checkNoNull(v, `${path}.${k}`);
}

function checkHeader(result: ExportResult, ws: WorkspaceSpec): void {
  for (const f of result.files) {
    const head = f.text.split('\n').slice(0, 4).join('\n');
    expect(head).toContain(`target: ${result.targets}`);
    expect(head).toContain('lbw 0.1.0');
    expect(head).toContain(`workspace: ${META.workspace}${ws.name ? ` (${ws.name})` : ''}`);
  }
}

function checkEnvoy(ws: WorkspaceSpec, doc: Map): void {
  const admin = asMap(asMap(asMap(doc.admin).address).socket_address);
  expect(admin.address).toBe('127.0.0.1');
  const res = asMap(doc.static_resources);
  const listeners = asList(res.listeners).map(asMap);
  const clusters = asList(res.clusters).map(asMap);
  expect(listeners).toHaveLength(ws.services.length);
  expect(clusters).toHaveLength(ws.services.length);
  ws.services.forEach((svc, i) => {
    const { host, port } = parseListen(svc.listen);
    const addr = asMap(asMap(listeners[i]!.address).socket_address);
    expect([addr.address, addr.port_value]).toEqual([host, port]);
    const filter = asMap(asList(asMap(asList(listeners[i]!.filter_chains)[0]).filters)[0]);
    expect(filter.name).toBe(svc.protocol === 'tcp' ? 'envoy.filters.network.tcp_proxy' : 'envoy.filters.network.http_connection_manager');
    const cluster = clusters[i]!;
    const groups = asList(asMap(cluster.load_assignment).endpoints).map(asMap);
    const seen = groups.flatMap((g) =>
      asList(g.lb_endpoints).map((e) => {
        const ep = asMap(e);
        const sa = asMap(asMap(asMap(ep.endpoint).address).socket_address);
        return { host: sa.address, port: sa.port_value, weight: ep.load_balancing_weight, priority: g.priority ?? 0 };
      }),
    );
    const live = svc.backends.filter((b) => b.state !== 'disabled');
    const anyPrimary = live.some((b) => !b.backup);
    expect(seen).toEqual(
      live
        .map((b) => ({ ...hostPort(b.url), weight: weighted(svc) ? b.weight : undefined, priority: b.backup && anyPrimary ? 1 : 0 }))
        .sort((x, y) => x.priority - y.priority),
    );
  });
}

function checkTraefik(ws: WorkspaceSpec, st: Map, dyn: Map): void {
  const eps = asMap(st.entryPoints);
  expect(Object.keys(eps)).toHaveLength(ws.services.length);
  expect(asMap(asMap(st.providers).file).filename).toBe('dynamic.yml');
  expect(st.api).toBeUndefined();
  const names = Object.keys(eps);
  ws.services.forEach((svc, i) => {
    const { host, port } = parseListen(svc.listen);
    expect(asMap(eps[names[i]!]).address).toBe(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
    const section = asMap(dyn[svc.protocol]);
    const router = asMap(asMap(section.routers)[names[i]!]);
    expect(router.entryPoints).toEqual([names[i]]);
    expect(router.rule).toBe(svc.protocol === 'tcp' ? 'HostSNI(`*`)' : 'PathPrefix(`/`)');
    // Every server reachable from the router's service, with its weight (a weighted service's or the server's own).
    const services = asMap(section.services);
    const servers: Array<{ at: string; weight: Yaml | undefined }> = [];
    const walk = (name: string, weight: Yaml | undefined): void => {
      const s = asMap(services[name]);
      if (s.failover) {
        walk(String(asMap(s.failover).service), weight);
        walk(String(asMap(s.failover).fallback), weight);
      } else if (s.weighted) {
        for (const w of asList(asMap(s.weighted).services).map(asMap)) walk(String(w.name), w.weight);
      } else {
        for (const sv of asList(asMap(s.loadBalancer).servers).map(asMap)) servers.push({ at: String(sv.url ?? sv.address), weight: sv.weight ?? weight });
      }
    };
    walk(String(router.service), undefined);
    const active = svc.backends.filter((b) => b.state === 'active');
    const primaries = active.filter((b) => !b.backup);
    const failover = svc.protocol === 'http' && svc.healthCheck !== undefined;
    const expected = active.filter((b) => !b.backup || primaries.length === 0 || failover);
    const multiWeight = new Set(expected.map((b) => b.weight)).size > 1;
    expect(servers.sort((a, b) => a.at.localeCompare(b.at))).toEqual(
      expected
        .map((b) => ({
          at: svc.protocol === 'tcp' ? new URL(b.url).host : b.url,
          weight: svc.protocol === 'tcp' ? (weighted(svc) && multiWeight ? b.weight : undefined) : weighted(svc) ? b.weight : undefined,
        }))
        .sort((a, b) => a.at.localeCompare(b.at)),
    );
    for (const b of svc.backends.filter((x) => x.state === 'disabled')) expect(servers.map((s) => s.at)).not.toContain(b.url);
    expect(backendName).toBeTypeOf('function');
  });
}

describe.each(CASES)('export of %s', (name, input) => {
  const ws = parseWorkspace(input);

  it('Envoy: matches the golden file and its invariants', () => {
    const result = ENGINES.envoy(ws, META);
    expect(result.files.map((f) => f.name)).toEqual(['envoy.yaml']);
    expect(result.files[0]!.text).toBe(golden(`${name}.envoy.yaml`, result.files[0]!.text));
    checkHeader(result, ws);
    checkWarnings(result);
    const doc = parseYaml(result.files[0]!.text);
    checkNoNull(doc);
    checkEnvoy(ws, asMap(doc));
  });

  it('Traefik: matches the golden files and their invariants', () => {
    const result = ENGINES.traefik(ws, META);
    expect(result.files.map((f) => f.name)).toEqual(['traefik.yml', 'dynamic.yml']);
    for (const f of result.files) expect(f.text).toBe(golden(`${name}.${f.name}`, f.text));
    checkHeader(result, ws);
    checkWarnings(result);
    const [st, dyn] = result.files.map((f) => parseYaml(f.text));
    checkNoNull(st!);
    checkNoNull(dyn!);
    checkTraefik(ws, asMap(st), asMap(dyn));
  });
});

describe('mini-yaml refuses what would hide a malformed export', () => {
  it.each([
    ['a: 1\na: 2\n', 'duplicate key'],
    ['a:\n   b: 1\n', 'odd indentation'],
    ['a: x: y\n', 'not a plain scalar'],
    ['- a\nb: 1\n', 'not part of the document'],
  ])('%j', (text, message) => {
    expect(() => parseYaml(text)).toThrow(message);
  });
});
