/**
 * The reverse_proxy block of a Caddy service. Caddy 2.6 has no weights, so a
 * weighted strategy lists each backend as often as its (reduced) weight, and
 * for weighted round robin in the order smooth weighted round robin visits
 * them, so Caddy's round_robin walks lbw's sequence. Backups, active-check
 * rise/fall and retries by count or status have no Caddy 2.6 equivalent.
 */
import type { BackendSpec, ServiceSpec } from '../model/spec';
import { backendAddress, gcd, hashKeyOf, Notes, pathPrefix, shownName, statusRanges, usesWeights } from './common';

/** A Go duration. */
export const dur = (n: number): string => `${n}ms`;

/** Beyond this many entries the weights are scaled down (a list of thousands of addresses helps nobody). */
const MAX_ENTRIES = 100;
/** The methods lbw retries after they were sent (idempotent ones); POST and PATCH only with retryNonIdempotent. */
const IDEMPOTENT = ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'];

/** One cycle of smooth weighted round robin over `weights`: the index picked at each turn. */
export function smoothCycle(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const out: number[] = [];
  for (let t = 0; t < total; t++) {
    let best = 0;
    weights.forEach((w, i) => {
      current[i]! += w;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    out.push(best);
  }
  return out;
}

function policy(svc: ServiceSpec, notes: Notes): string[] {
  const unequal = new Set(svc.backends.map((b) => b.weight)).size > 1 && usesWeights(svc);
  switch (svc.strategy) {
    case 'round-robin':
      return ['lb_policy round_robin'];
    case 'weighted-round-robin':
      return unequal
        ? [`# ${notes.note(svc.name, 'weight', 'nearest', 'Caddy 2.6 has no weights: each backend is listed as often as its weight, in smooth weighted round-robin order (the split is exact while all are up; a backend that is down passes its turns to the next in the list)')}`, 'lb_policy round_robin']
        : ['lb_policy round_robin'];
    case 'least-connections':
      return [`# ${notes.note(svc.name, 'strategy least-connections', 'nearest', 'Caddy breaks ties between equally loaded backends at random rather than in turn, and weighs a backend only by listing it more often')}`, 'lb_policy least_conn'];
    case 'random':
      return ['# weights by listing a backend as often as its weight', 'lb_policy random'];
    case 'power-of-two':
      return [...(unequal ? [`# ${notes.note(svc.name, 'weight', 'nearest', 'Caddy 2.6 has no weights: a backend listed more often is drawn more often, but loads are compared per backend, not per unit of weight')}`] : []), 'lb_policy random_choose 2'];
    case 'peak-ewma':
      return [`# ${notes.note(svc.name, 'strategy peak-ewma', 'nearest', 'Caddy has no latency-aware balancing: two random choices by fewest requests instead')}`, 'lb_policy random_choose 2'];
    case 'ring-hash':
    case 'maglev':
      return hashPolicy(svc, notes, unequal);
    default:
      return ['lb_policy round_robin'];
  }
}

function hashPolicy(svc: ServiceSpec, notes: Notes, unequal: boolean): string[] {
  const out: string[] = [];
  if (svc.strategy === 'maglev') out.push(`# ${notes.note(svc.name, 'strategy maglev', 'nearest', 'Caddy has no Maglev table: rendezvous hashing on the same key instead')}`);
  if (unequal) out.push(`# ${notes.note(svc.name, 'weight', 'none', 'Caddy hashes over backends without weights')}`);
  const key = hashKeyOf(svc)!;
  if (key.hashOn === 'header') {
    out.push(`# ${notes.note(svc.name, 'strategyOptions.hashOn header', 'nearest', 'a request without the header goes to a random backend in Caddy 2.6, not by client address')}`, `lb_policy header ${key.key}`);
  } else if (key.hashOn === 'cookie') {
    out.push(`# ${notes.note(svc.name, 'strategyOptions.hashOn cookie', 'nearest', `Caddy cannot hash the value of an existing cookie ("${key.key}"): hashing on the client address instead`)}`, 'lb_policy ip_hash');
  } else out.push('lb_policy ip_hash');
  return out;
}

/** The upstream list: disabled and draining backends left out, backups left out, weights as repetitions. */
function upstreams(svc: ServiceSpec, notes: Notes, out: string[]): string[] {
  const serving: BackendSpec[] = [];
  for (const b of svc.backends) {
    if (b.state === 'disabled') out.push(`# ${shownName(b)}: disabled, left out`);
    else if (b.state === 'drain') out.push(`# ${notes.note(svc.name, 'state drain', 'nearest', `Caddy has no drain: ${shownName(b)} is left out, and in-flight requests finish when Caddy is restarted gracefully`)}`);
    else if (b.backup) out.push(`# ${notes.note(svc.name, 'backup', 'none', `Caddy has no backup servers: ${shownName(b)} is left out`)}`);
    else serving.push(b);
  }
  // Without a scheme: the transport says whether it is TLS (Caddy refuses https:// upstreams mixed with a plain transport).
  const addr = (b: BackendSpec): string => backendAddress(b).hostPort;
  const hashing = svc.strategy === 'ring-hash' || svc.strategy === 'maglev';
  if (!usesWeights(svc) || hashing) return serving.map(addr);
  let weights = serving.map((b) => b.weight);
  const g = weights.reduce(gcd, 0) || 1;
  weights = weights.map((w) => w / g);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total > MAX_ENTRIES) {
    weights = weights.map((w) => Math.max(1, Math.round((w * MAX_ENTRIES) / total)));
    out.push(`# ${notes.note(svc.name, 'weight', 'nearest', `weights scaled to at most ${MAX_ENTRIES} list entries and rounded`)}`);
  }
  return smoothCycle(weights).map((i) => addr(serving[i]!));
}

function healthLines(svc: ServiceSpec, notes: Notes): string[] {
  const hc = svc.healthCheck;
  const out: string[] = [];
  if (hc) {
    if (hc.type === 'tcp') {
      out.push(`# ${notes.note(svc.name, 'healthCheck.type tcp', 'none', 'Caddy 2.6 checks over HTTP only: no active check is written')}`);
    } else {
      out.push(`health_uri ${hc.path}`, `health_interval ${dur(hc.intervalMs)}`, `health_timeout ${dur(hc.timeoutMs)}`);
      const ranges = statusRanges(hc.expectStatus);
      const [lo, hi] = ranges[0]!;
      const klass = ranges.length === 1 && lo % 100 === 0 && hi === lo + 99;
      if (ranges.length === 1 && lo === hi) out.push(`health_status ${lo}`);
      else if (klass) out.push(`health_status ${lo / 100}xx`);
      else out.push(`# ${notes.note(svc.name, 'healthCheck.expectStatus', 'nearest', `Caddy expects one status or one class: ${Math.floor(lo / 100)}xx stands for ${hc.expectStatus}`)}`, `health_status ${Math.floor(lo / 100)}xx`);
      if (hc.rise !== 1 || hc.fall !== 1) out.push(`# ${notes.note(svc.name, 'healthCheck.rise/fall', 'nearest', `Caddy 2.6 flips a backend on one check result, not after ${hc.rise} passes or ${hc.fall} failures`)}`);
      if (hc.downIntervalMs !== undefined) out.push(`# ${notes.note(svc.name, 'healthCheck.downIntervalMs', 'none', 'Caddy checks every backend at one interval')}`);
    }
  }
  const p = svc.passiveHealth;
  if (p?.enabled) {
    out.push(
      `# ${notes.note(svc.name, 'passiveHealth', 'nearest', `Caddy counts ${p.consecutiveErrors} failures (5xx answers among them) within fail_duration, not consecutive ones, and a backend returns when they expire: no doubling ejection, no ${p.maxEjectedPercent}% cap`)}`,
      `fail_duration ${dur(p.baseEjectionMs)}`,
      `max_fails ${p.consecutiveErrors}`,
      'unhealthy_status 5xx',
    );
  }
  const caps = svc.backends.map((b) => b.maxConnections);
  const defined = caps.filter((c): c is number => c !== undefined);
  if (defined.length > 0) {
    const min = Math.min(...defined);
    if (defined.length < caps.length || new Set(defined).size > 1) {
      out.push(`# ${notes.note(svc.name, 'maxConnections', 'nearest', `Caddy sets one request limit for every backend of a service: ${min}`)}`);
    }
    out.push(`unhealthy_request_count ${min}`);
  }
  return out;
}

function retryLines(svc: ServiceSpec, notes: Notes): string[] {
  const r = svc.retries;
  const out: string[] = [];
  if (r.attempts > 1) {
    out.push(
      `# ${notes.note(svc.name, 'retries.attempts', 'nearest', `Caddy retries ${r.attempts - 1} time(s) at once, but its policy picks again without leaving out the backend that just failed (a retry may land on it again)`)}`,
      `lb_retries ${r.attempts - 1}`,
      '# request bodies are read in full before proxying, so a retry can send them again (lbw keeps up to replayBufferBytes)',
      'buffer_requests',
      '# retried after a connection was made only for these methods (a request that never reached a backend is always retried)',
      'lb_retry_match {',
      `\tmethod ${(r.retryNonIdempotent ? [...IDEMPOTENT, 'POST', 'PATCH', 'CONNECT'] : IDEMPOTENT).join(' ')}`,
      '}',
    );
    out.push(`# ${notes.note(svc.name, 'retries.budgetPercent', 'none', 'Caddy has no retry budget')}`);
  }
  if (r.onStatus.length > 0) out.push(`# ${notes.note(svc.name, 'retries.onStatus', 'none', `Caddy 2.6 cannot retry on a status (${r.onStatus.join(', ')})`)}`);
  return out;
}

const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function transportLines(svc: ServiceSpec, serving: string[], notes: Notes): string[] {
  const t = svc.timeouts;
  const out = ['transport http {', `\tdial_timeout ${dur(t.connectMs)}`, `\tresponse_header_timeout ${dur(t.responseMs)}`];
  if (t.idleMs > 0) out.push(`\tread_timeout ${dur(t.idleMs)}`, `\twrite_timeout ${dur(t.idleMs)}`);
  const schemes = new Set(svc.backends.map((b) => backendAddress(b).tls));
  if (schemes.has(true) && serving.length > 0) {
    if (schemes.size > 1) out.push(`\t# ${notes.note(svc.name, 'backends (mixed http and https)', 'none', 'one Caddy transport speaks one scheme: every backend is reached over https here')}`);
    const tls = svc.tls ?? { verify: true };
    out.push('\ttls');
    if (tls.verify === false) out.push('\ttls_insecure_skip_verify');
    if (tls.ca) out.push(`\ttls_trusted_ca_certs ${tls.ca}`);
    if (tls.servername) out.push(`\ttls_server_name ${tls.servername}`);
  }
  out.push('}');
  return out;
}

function redirectLines(svc: ServiceSpec, notes: Notes): string[] {
  if (!svc.rewriteRedirects) return [];
  const out = [`# ${notes.note(svc.name, 'rewriteRedirects', 'nearest', 'Caddy rewrites Location and Content-Location here, not Refresh')}`];
  const origins = new Set<string>();
  const path = reEscape(pathPrefix(svc).prefix ?? '');
  for (const b of svc.backends) {
    const a = backendAddress(b);
    origins.add(reEscape(a.hostPort) + path);
    if (a.port === (a.tls ? 443 : 80)) origins.add(reEscape(a.host) + path);
  }
  for (const o of origins) {
    for (const h of ['Location', 'Content-Location']) out.push(`header_down ${h} "^https?://${o}(/.*)?$" "http://{http.request.hostport}$1"`);
  }
  return out;
}

export function caddyProxy(svc: ServiceSpec, notes: Notes): string[] {
  const pre: string[] = [];
  const list = upstreams(svc, notes, pre);
  if (list.length === 0) return [...pre, '# no backend to serve: lbw answers 503 too', 'respond 503'];
  const body = [...policy(svc, notes), ...healthLines(svc, notes), ...retryLines(svc, notes), ...redirectLines(svc, notes), ...transportLines(svc, list, notes)];
  // A backend URL's path goes before the request target, as lbw joins them (Caddy's upstreams take no path).
  const { prefix, mixed } = pathPrefix(svc);
  if (mixed) pre.push(`# ${notes.note(svc.name, 'backend URL path', 'none', 'the backends have different paths; Caddy upstreams take none: none is added')}`);
  else if (prefix) pre.push(`rewrite * ${prefix}{uri}`);
  return [...pre, `reverse_proxy ${list.join(' ')} {`, ...body.map((l) => `\t${l}`), '}'];
}
