/**
 * Envoy exporter: one static bootstrap (`envoy -c envoy.yaml`) in the v3 API.
 * Every service gets a listener on its own address: HTTP services an
 * http_connection_manager with the router filter, TCP services a tcp_proxy;
 * its cluster comes from envoy-cluster.ts. The admin interface listens on
 * 127.0.0.1 only. Envoy cannot be installed here, so this output is checked
 * against golden files written from Envoy's documentation.
 */
import { parseListen, type ServiceSpec, type WorkspaceSpec } from '../model/spec';
import { isIdempotent } from '../proxy/retry';
import { hashKeyOf, headerLines, Notes } from './common';
import { envoyCluster } from './envoy-cluster';
import type { ExportMeta, ExportResult, Exporter } from './types';
import { comment, protoDuration, toYaml, type YamlValue } from './yaml';

type YamlMap = { [key: string]: YamlValue | undefined };

export const ENVOY_TARGET = 'Envoy 1.35 (v3 API, static bootstrap)';
const ADMIN_PORT = 9901;
const IDEMPOTENT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'].filter(isIdempotent);

/** A name Envoy accepts everywhere (stat prefixes included): letters, digits, `_` and `-`, unique by index. */
function envoyName(svc: ServiceSpec, i: number): string {
  return `${svc.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')}_${i}`;
}

function listenerAddress(listen: string): YamlMap {
  const { host, port } = parseListen(listen);
  return { socket_address: { address: host, port_value: port } };
}

/** Retry conditions of lbw: a connect that failed sent nothing; a reset or timeout after sending is retried for safe methods. */
function retryPolicy(svc: ServiceSpec, afterSend: boolean): YamlMap {
  const r = svc.retries;
  const on = ['connect-failure', 'refused-stream'];
  if (afterSend) on.push('reset');
  if (afterSend && r.onStatus.length > 0) on.push('retriable-status-codes');
  return {
    retry_on: on.join(','),
    num_retries: r.attempts - 1,
    ...comment(`timeouts.responseMs, for each try`),
    per_try_timeout: protoDuration(svc.timeouts.responseMs),
    retriable_status_codes: afterSend && r.onStatus.length > 0 ? [...r.onStatus] : undefined,
    ...comment('a retry goes to another backend, as lbw leaves out the ones this request tried'),
    retry_host_predicate: [
      {
        name: 'envoy.retry_host_predicates.previous_hosts',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
      },
    ],
    host_selection_retry_max_attempts: 5,
  };
}

function hashPolicy(svc: ServiceSpec): YamlValue[] | undefined {
  const h = hashKeyOf(svc);
  if (!h) return undefined;
  const source: YamlMap = { connection_properties: { source_ip: true } };
  // A request without the header or cookie falls back to its client address, as in lbw: terminal stops at the first that applies.
  if (h.hashOn === 'header') return [{ header: { header_name: h.key }, terminal: true }, source];
  if (h.hashOn === 'cookie') return [{ cookie: { name: h.key }, terminal: true }, source];
  return [source];
}

function routes(svc: ServiceSpec, cluster: string, notes: Notes): YamlValue[] {
  const prefixes = [...new Set(svc.backends.filter((b) => b.state !== 'disabled').map((b) => new URL(b.url).pathname.replace(/\/$/, '')))];
  let prefixRewrite: string | undefined;
  const pathNote: YamlMap = {};
  if (prefixes.length === 1 && prefixes[0] !== '') prefixRewrite = `${prefixes[0]}/`;
  else if (prefixes.length > 1) {
    Object.assign(pathNote, comment(notes.note(svc.name, 'backend URL path', 'none', `backends have different path prefixes (${prefixes.map((p) => p || '/').join(', ')}); Envoy rewrites per route, not per endpoint, so none is added`)));
  }
  const action = (afterSend: boolean): YamlMap => ({
    cluster,
    prefix_rewrite: prefixRewrite,
    ...comment('the per-try timeout bounds each try; no overall limit, as in lbw'),
    timeout: '0s',
    ...comment('timeouts.idleMs: no byte for this long ends the stream (0s = never)'),
    idle_timeout: protoDuration(svc.timeouts.idleMs),
    retry_policy: retryPolicy(svc, afterSend),
    hash_policy: hashPolicy(svc),
  });
  const replay = { per_request_buffer_limit_bytes: svc.retries.replayBufferBytes };
  if (svc.retries.retryNonIdempotent || svc.retries.attempts === 1) {
    return [{ ...pathNote, match: { prefix: '/' }, route: action(true), ...replay }];
  }
  return [
    {
      ...pathNote,
      ...comment('safe methods: retried after a reset, a timeout or a retry status too'),
      match: { prefix: '/', headers: [{ name: ':method', string_match: { safe_regex: { regex: IDEMPOTENT_METHODS.join('|') } } }] },
      route: action(true),
      ...replay,
    },
    {
      ...comment('other methods (POST, PATCH): retried only when the connect failed, so they never run twice (retries.retryNonIdempotent false)'),
      match: { prefix: '/' },
      route: action(false),
      ...replay,
    },
  ];
}

function httpFilter(svc: ServiceSpec, name: string, notes: Notes): YamlMap {
  const kb = Math.ceil(svc.limits.maxHeaderBytes / 1024);
  const http: YamlMap = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: name,
    codec_type: 'AUTO',
    ...comment('X-Forwarded-For gets the client address appended, as lbw does'),
    use_remote_address: true,
    ...comment('timeouts.clientHeadersMs'),
    request_headers_timeout: protoDuration(svc.timeouts.clientHeadersMs),
    ...comment(notes.note(svc.name, 'limits.maxHeaderBytes', 'nearest', `Envoy bounds request heads in whole KiB (${kb} here); response heads keep Envoy's own limit`)),
    max_request_headers_kb: kb,
    ...comment(notes.note(svc.name, 'timeouts.responseMs', 'nearest', "Envoy's per-try timeout runs until the whole response has arrived, lbw's only until its headers")),
    ...(svc.rewriteRedirects
      ? comment(notes.note(svc.name, 'rewriteRedirects', 'none', "Envoy's router does not rewrite Location, Content-Location or Refresh headers that name a backend"))
      : {}),
    ...(svc.retries.attempts > 1
      ? comment(notes.note(svc.name, 'retries.budgetPercent', 'nearest', "Envoy's retry budget counts every retry, lbw's only those of requests that were sent"))
      : {}),
    route_config: { name, virtual_hosts: [{ name, domains: ['*'], routes: routes(svc, name, notes) }] },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
  };
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: http };
}

function tcpFilter(svc: ServiceSpec, name: string): YamlMap {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      stat_prefix: name,
      cluster: name,
      ...comment('timeouts.idleMs (0s = never)'),
      idle_timeout: protoDuration(svc.timeouts.idleMs),
      ...comment('retries.attempts: a connect that fails is tried on another backend'),
      max_connect_attempts: svc.retries.attempts,
      hash_policy: hashKeyOf(svc) ? [{ source_ip: {} }] : undefined,
    },
  };
}

function listener(svc: ServiceSpec, name: string, notes: Notes): YamlMap {
  const filter = svc.protocol === 'tcp' ? tcpFilter(svc, name) : httpFilter(svc, name, notes);
  return {
    ...comment(`service "${svc.name}" (${svc.protocol}, ${svc.strategy})${parseListen(svc.listen).port === 0 ? '; port 0: the kernel picks a free port' : ''}`),
    name,
    address: listenerAddress(svc.listen),
    filter_chains: [{ filters: [filter] }],
  };
}

function adminPort(ws: WorkspaceSpec): number {
  const used = new Set(ws.services.map((s) => parseListen(s.listen).port));
  let port = ADMIN_PORT;
  while (used.has(port)) port += 1;
  return port;
}

export const exportEnvoy: Exporter = (ws: WorkspaceSpec, meta: ExportMeta): ExportResult => {
  const notes = new Notes();
  const listeners: YamlValue[] = [];
  const clusters: YamlValue[] = [];
  ws.services.forEach((svc, i) => {
    const name = envoyName(svc, i);
    listeners.push(listener(svc, name, notes));
    clusters.push(envoyCluster(svc, name, notes));
  });
  const doc: YamlMap = {
    ...comment('the admin interface: on loopback only'),
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort(ws) } } },
    static_resources: { listeners, clusters },
  };
  const header = [...headerLines('Envoy', ENVOY_TARGET, meta, ws), 'Run: envoy -c envoy.yaml'];
  return { engine: 'envoy', targets: ENVOY_TARGET, files: [{ name: 'envoy.yaml', text: toYaml(doc, header) }], warnings: notes.warnings };
};
