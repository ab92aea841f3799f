/**
 * The upstream half of the Envoy export: one cluster per service with its
 * load-balancing policy, endpoints (priority 0 primaries, priority 1
 * backups), circuit breakers, active health checks, outlier detection and
 * TLS to https backends. Field names follow Envoy's v3 API
 * (envoy.config.cluster.v3.Cluster and friends).
 */
import { EXPECT_REGEX, backendName, type BackendSpec, type ServiceSpec } from '../model/spec';
import { backendAddress, hashKeyOf, isIpHost, statusRanges, unescapeCheckText, usesWeights, type Notes } from './common';
import { comment, protoDuration, type YamlValue } from './yaml';

type YamlMap = { [key: string]: YamlValue | undefined };

/** The trust store Envoy is pointed at when lbw verifies against the system's CAs (Debian's path). */
export const SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt';
/**
 * Envoy spills traffic to priority 1 once priority 0 is less than 100/1.4 %
 * healthy (overprovisioning factor 140). lbw's backups serve only when no
 * primary is available, so the factor is raised until any healthy primary
 * takes all the load (exact up to 100 primaries).
 */
const BACKUP_OVERPROVISIONING = 10000;

/** The address Envoy's socket_address wants: IPv6 without brackets. */
function socketAddress(host: string, port: number): YamlMap {
  return { socket_address: { address: host.replace(/^\[|\]$/g, ''), port_value: port } };
}

/** The server name a backend's certificate is checked against (and sent as SNI unless an address). */
function tlsName(svc: ServiceSpec, b: BackendSpec): string {
  return svc.tls?.servername ?? backendAddress(b).host;
}

function upstreamTls(svc: ServiceSpec, name: string): YamlMap {
  const verify = svc.tls?.verify ?? true;
  const ip = isIpHost(name);
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      sni: ip ? undefined : name,
      common_tls_context: verify
        ? {
            validation_context: {
              ...(svc.tls?.ca ? {} : comment('tls.ca not set: the system trust store (Debian path)')),
              trusted_ca: { filename: svc.tls?.ca ?? SYSTEM_CA },
              match_typed_subject_alt_names: [{ san_type: ip ? 'IP_ADDRESS' : 'DNS', matcher: { exact: name.replace(/^\[|\]$/g, '') } }],
            },
          }
        : { ...comment('tls.verify false: no validation_context, so any certificate is accepted (as lbw does)') },
    },
  };
}

function endpoint(svc: ServiceSpec, b: BackendSpec, weighted: boolean, tlsMatch: boolean): YamlMap {
  const a = backendAddress(b);
  return {
    ...comment(`${backendName(b)}: ${b.url}`),
    endpoint: { address: socketAddress(a.host, a.port) },
    load_balancing_weight: weighted ? b.weight : undefined,
    ...(b.state === 'drain' ? comment('state drain: no new requests, in-flight ones finish') : {}),
    health_status: b.state === 'drain' ? 'DRAINING' : undefined,
    metadata: tlsMatch && a.tls ? { filter_metadata: { 'envoy.transport_socket_match': { lbw_tls: tlsName(svc, b) } } } : undefined,
  };
}

function lbPolicy(svc: ServiceSpec, notes: Notes, primaries: number): YamlMap {
  const distinctWeights = new Set(svc.backends.map((b) => b.weight)).size > 1;
  switch (svc.strategy) {
    case 'round-robin':
      return { lb_policy: 'ROUND_ROBIN' };
    case 'weighted-round-robin':
      return {
        ...comment(notes.note(svc.name, 'weighted-round-robin', 'nearest', "Envoy's weighted round robin (an EDF schedule) gives the same shares, but not nginx's smooth interleaving")),
        lb_policy: 'ROUND_ROBIN',
      };
    case 'least-connections':
      return {
        ...comment(notes.note(svc.name, 'least-connections', 'nearest', `LEAST_REQUEST compares ${Math.max(2, primaries)} randomly drawn hosts (drawn with replacement) instead of scanning all; ties are not taken in turns`)),
        lb_policy: 'LEAST_REQUEST',
        least_request_lb_config: { choice_count: Math.max(2, primaries) },
      };
    case 'power-of-two':
      return {
        ...(distinctWeights ? comment(notes.note(svc.name, 'power-of-two', 'nearest', 'with unequal weights Envoy switches LEAST_REQUEST to a weighted schedule scaled by active requests')) : {}),
        lb_policy: 'LEAST_REQUEST',
        least_request_lb_config: { choice_count: 2 },
      };
    case 'random':
      return {
        ...(distinctWeights ? comment(notes.note(svc.name, 'random', 'nearest', "Envoy's RANDOM ignores load_balancing_weight")) : {}),
        lb_policy: 'RANDOM',
      };
    case 'ring-hash':
      return { lb_policy: 'RING_HASH' };
    case 'maglev': {
      const size = (svc.strategyOptions as { tableSize?: number }).tableSize ?? 65537;
      return { lb_policy: 'MAGLEV', maglev_lb_config: { table_size: size } };
    }
    case 'peak-ewma':
      return {
        ...comment(notes.note(svc.name, 'peak-EWMA', 'nearest', 'Envoy has no latency-aware balancer in its standard build: LEAST_REQUEST (power of two choices on active requests) instead')),
        lb_policy: 'LEAST_REQUEST',
        least_request_lb_config: { choice_count: 2 },
      };
    default:
      return { ...comment(notes.note(svc.name, `strategy ${svc.strategy}`, 'nearest', 'unknown to the exporter: ROUND_ROBIN')), lb_policy: 'ROUND_ROBIN' };
  }
}

/** Envoy's TCP check payloads are hex. */
const hex = (text: string): string => unescapeCheckText(text).toString('hex');

function healthChecks(svc: ServiceSpec, notes: Notes): YamlValue[] | undefined {
  const hc = svc.healthCheck;
  if (!hc) return undefined;
  const common: YamlMap = {
    timeout: protoDuration(hc.timeoutMs),
    interval: protoDuration(hc.intervalMs),
    ...comment('Envoy slows checks to no_traffic_interval (60s) on a cluster without traffic; lbw checks at one pace'),
    no_traffic_interval: protoDuration(hc.intervalMs),
    unhealthy_interval: hc.downIntervalMs === undefined ? undefined : protoDuration(hc.downIntervalMs),
    unhealthy_threshold: hc.fall,
    healthy_threshold: hc.rise,
  };
  if (hc.type === 'http' && svc.protocol === 'http') {
    return [{ ...common, http_health_check: { path: hc.path, expected_statuses: statusRanges(hc.expectStatus).map(([lo, hi]) => ({ start: lo, end: hi + 1 })) } }];
  }
  const tcp: YamlMap = {};
  if (hc.send !== undefined) tcp.send = { text: hex(hc.send) };
  if (hc.expect !== undefined) {
    if (EXPECT_REGEX.test(hc.expect)) {
      Object.assign(tcp, comment(notes.note(svc.name, 'healthCheck.expect regex', 'none', `Envoy matches the reply against bytes, not a regular expression: ${hc.expect} is not checked`)));
    } else {
      tcp.receive = [{ text: hex(hc.expect) }];
    }
  }
  return [{ ...common, tcp_health_check: tcp }];
}

function outlierDetection(svc: ServiceSpec, notes: Notes): YamlMap | undefined {
  const p = svc.passiveHealth;
  if (!p?.enabled) return undefined;
  return {
    ...comment(
      notes.note(svc.name, 'passiveHealth', 'nearest', `Envoy counts consecutive failures with no ${p.windowMs} ms window, sweeps every interval, and lengthens repeated ejections linearly (base x count) where lbw doubles them`),
    ),
    consecutive_5xx: p.consecutive5xx,
    split_external_local_origin_errors: true,
    consecutive_local_origin_failure: p.consecutiveErrors,
    enforcing_consecutive_local_origin_failure: 100,
    ...comment('success-rate ejection is on by default in Envoy; lbw has none'),
    enforcing_success_rate: 0,
    interval: protoDuration(p.windowMs),
    base_ejection_time: protoDuration(p.baseEjectionMs),
    max_ejection_time: protoDuration(p.maxEjectionMs),
    max_ejection_percent: p.maxEjectedPercent,
  };
}

function circuitBreakers(svc: ServiceSpec, notes: Notes): YamlMap | undefined {
  const caps = svc.backends.filter((b) => b.state !== 'disabled' && b.maxConnections !== undefined).map((b) => b.maxConnections!);
  const out: YamlMap = {};
  if (svc.protocol === 'http' && svc.retries.attempts > 1) {
    out.thresholds = [
      {
        priority: 'DEFAULT',
        retry_budget: { budget_percent: { value: svc.retries.budgetPercent }, min_retry_concurrency: svc.retries.minRetryConcurrency },
      },
    ];
  }
  if (caps.length > 0) {
    const min = Math.min(...caps);
    const uneven = new Set(caps).size > 1 || caps.length < svc.backends.filter((b) => b.state !== 'disabled').length;
    Object.assign(
      out,
      comment(
        notes.note(
          svc.name,
          'maxConnections',
          'nearest',
          `Envoy caps connections per host (${min} for every host${uneven ? ", the lowest of the backends' values" : ''}) and queues or fails a request at the cap instead of skipping to another backend`,
        ),
      ),
    );
    out.per_host_thresholds = [{ priority: 'DEFAULT', max_connections: min }];
  }
  return Object.keys(out).length ? out : undefined;
}

/** The cluster of one service; `name` is also its stat prefix. */
export function envoyCluster(svc: ServiceSpec, name: string, notes: Notes): YamlMap {
  const live = svc.backends.filter((b) => b.state !== 'disabled');
  const disabled = svc.backends.filter((b) => b.state === 'disabled');
  const primaries = live.filter((b) => !b.backup);
  const backups = live.filter((b) => b.backup);
  const weighted = usesWeights(svc);
  const https = live.filter((b) => backendAddress(b).tls);
  const tlsNames = [...new Set(https.map((b) => tlsName(svc, b)))];
  // One TLS setting for the whole cluster when every backend shares it; per-endpoint matches otherwise.
  const tlsMatch = https.length > 0 && (https.length < live.length || tlsNames.length > 1);
  const dns = live.some((b) => !isIpHost(backendAddress(b).host));
  const group = (bs: BackendSpec[], priority: number): YamlMap => ({
    priority: priority || undefined,
    lb_endpoints: bs.map((b) => endpoint(svc, b, weighted, tlsMatch)),
  });
  const endpoints: YamlValue[] = [];
  if (primaries.length === 0 && backups.length > 0) {
    endpoints.push({ ...comment('only backups: with no primary they serve all the time, as in lbw'), ...group(backups, 0) });
  } else {
    endpoints.push(group(primaries, 0));
    if (backups.length > 0) endpoints.push({ ...comment('backup: priority 1 serves only while no priority 0 host is healthy'), ...group(backups, 1) });
  }
  const hash = hashKeyOf(svc);
  return {
    name,
    ...(dns ? comment('a backend is named by host name: resolved by DNS') : {}),
    type: dns ? 'STRICT_DNS' : 'STATIC',
    connect_timeout: protoDuration(svc.timeouts.connectMs),
    ...lbPolicy(svc, notes, primaries.length),
    ...(hash && svc.protocol === 'http' ? comment(`the hash key (${hash.hashOn}${hash.key ? ` ${hash.key}` : ''}) is the route's hash_policy`) : {}),
    ...comment('lbw never sends to a backend it holds down: no panic mode'),
    common_lb_config: { healthy_panic_threshold: { value: 0 } },
    circuit_breakers: circuitBreakers(svc, notes),
    health_checks: healthChecks(svc, notes),
    outlier_detection: outlierDetection(svc, notes),
    transport_socket: https.length > 0 && !tlsMatch ? upstreamTls(svc, tlsNames[0]!) : undefined,
    transport_socket_matches: tlsMatch ? tlsNames.map((n) => ({ name: `tls ${n}`, match: { lbw_tls: n }, transport_socket: upstreamTls(svc, n) })) : undefined,
    load_assignment: {
      cluster_name: name,
      ...(disabled.length ? comment(`disabled, so left out: ${disabled.map((b) => `${backendName(b)} (${b.url})`).join(', ')}`) : {}),
      ...(live.length === 0 ? comment('no backend: every request fails, as lbw answers 503') : {}),
      policy: backups.length > 0 && primaries.length > 0 ? { overprovisioning_factor: BACKUP_OVERPROVISIONING } : undefined,
      endpoints,
    },
  };
}
