/**
 * The backend section of an HAProxy service: balancing (with the hash key and
 * lbw's client-address fallback), active checks, passive observation,
 * retries (connection and layer-7), timeouts, redirect rewriting, and one
 * `server` line per backend (weight, backup, disabled, drain as weight 0,
 * maxconn, TLS).
 */
import type { BackendSpec, HealthCheckSpec, ServiceSpec } from '../model/spec';
import { backendAddress, gcd, hashKeyOf, isIpHost, Notes, pathPrefix, shownName, statusList, unescapeCheckText, usesWeights } from './common';

export const hms = (n: number): string => `${n}ms`;
/** HAProxy needs a bound for client and server inactivity: an hour stands in for lbw's 0 ("never"). */
export const hidle = (n: number): string => (n === 0 ? '1h' : hms(n));

/** HAProxy weights are 0-256; lbw's go to 1000. */
const MAX_WEIGHT = 256;
/** Statuses HAProxy 2.6's retry-on can name. */
const RETRY_ON_STATUSES = new Set([401, 403, 404, 408, 425, 500, 501, 502, 503, 504]);

/** A regular expression matching exactly the statuses `expect` allows, compact where whole centuries or decades are in. */
export function statusRegex(expect: string): string {
  const all = new Set(statusList(expect));
  const parts: string[] = [];
  for (let c = 1; c <= 5; c++) {
    const century = Array.from({ length: 100 }, (_, k) => c * 100 + k);
    if (century.every((s) => all.has(s))) {
      parts.push(`${c}[0-9][0-9]`);
      continue;
    }
    for (let d = 0; d < 10; d++) {
      const decade = Array.from({ length: 10 }, (_, k) => c * 100 + d * 10 + k);
      if (decade.every((s) => all.has(s))) parts.push(`${c}${d}[0-9]`);
      else parts.push(...decade.filter((s) => all.has(s)).map(String));
    }
  }
  return `^(${parts.join('|')})$`;
}

/** A string as HAProxy writes it in a regex: backslash before every special character. */
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function balance(svc: ServiceSpec, notes: Notes): string[] {
  switch (svc.strategy) {
    case 'round-robin':
    case 'weighted-round-robin':
      return ['balance roundrobin'];
    case 'least-connections':
      return ['balance leastconn'];
    case 'random':
      return ['balance random(1)'];
    case 'power-of-two':
      return ['balance random(2)'];
    case 'peak-ewma':
      return [`# ${notes.note(svc.name, 'strategy peak-ewma', 'nearest', 'HAProxy has no latency-aware balancing: two random choices by fewest connections instead')}`, 'balance random(2)'];
    case 'ring-hash':
    case 'maglev': {
      const out = svc.strategy === 'maglev' ? [`# ${notes.note(svc.name, 'strategy maglev', 'nearest', 'HAProxy has no Maglev table: consistent hashing on the same key instead')}`] : [];
      const key = hashKeyOf(svc)!;
      if (key.hashOn === 'client-ip' || svc.protocol === 'tcp') return [...out, 'balance source', 'hash-type consistent'];
      const fetch = key.hashOn === 'header' ? `req.hdr(${key.key})` : `req.cook(${key.key})`;
      return [
        ...out,
        `# the ${key.hashOn} "${key.key}", or the client address when a request has none (lbw's fallback)`,
        'http-request set-var-fmt(txn.lbw_key) %[src]',
        `http-request set-var(txn.lbw_key) ${fetch} if { ${fetch} -m reg . }`,
        'balance hash var(txn.lbw_key)',
        'hash-type consistent',
      ];
    }
    default:
      return ['balance roundrobin'];
  }
}

function checkLines(svc: ServiceSpec, hc: HealthCheckSpec): string[] {
  const tcp = svc.protocol === 'tcp' || hc.type === 'tcp';
  const out = [`timeout check ${hms(hc.timeoutMs)}`];
  if (!tcp) {
    out.push('option httpchk', `http-check send meth GET uri ${hc.path}`, `http-check expect rstatus ${statusRegex(hc.expectStatus)}`);
    return out;
  }
  if (hc.send === undefined && hc.expect === undefined) return out; // a plain connect check
  out.push('option tcp-check', 'tcp-check connect');
  if (hc.send !== undefined) out.push(`tcp-check send-binary ${unescapeCheckText(hc.send).toString('hex')}`);
  if (hc.expect !== undefined) {
    const re = /^\/(.+)\/([imsu]*)$/s.exec(hc.expect);
    if (re) out.push(`tcp-check expect rstring ${re[2]!.includes('i') ? '(?i)' : ''}${re[1]!.replace(/ /g, '\\ ')}`);
    else out.push(`tcp-check expect binary ${unescapeCheckText(hc.expect).toString('hex')}`);
  }
  return out;
}

function retryLines(svc: ServiceSpec, notes: Notes): string[] {
  const r = svc.retries;
  const out = [`retries ${r.attempts - 1}`];
  if (r.attempts <= 1) return out;
  out.push('# each retry goes to another backend, as in lbw', 'option redispatch 1');
  out.push(`# ${notes.note(svc.name, 'retries.budgetPercent', 'none', `HAProxy has no retry budget (lbw: at most ${r.budgetPercent}% of requests in flight retrying, at least ${r.minRetryConcurrency})`)}`);
  if (svc.protocol === 'tcp') return out;
  const on = ['conn-failure', 'empty-response', 'junk-response', 'response-timeout'];
  for (const s of r.onStatus) {
    if (RETRY_ON_STATUSES.has(s)) on.push(String(s));
    else out.push(`# ${notes.note(svc.name, 'retries.onStatus', 'none', `HAProxy cannot retry on status ${s} (only ${[...RETRY_ON_STATUSES].join(', ')})`)}`);
  }
  out.push(`retry-on ${on.join(' ')}`);
  if (!r.retryNonIdempotent) out.push('# POST and PATCH are retried only when they never reached a backend (lbw\'s rule)', 'http-request disable-l7-retry if METH_POST || { method PATCH }');
  return out;
}

/** A backend URL's path goes before the request target, as lbw joins them (HAProxy's `path` is the raw one). */
function pathLines(svc: ServiceSpec, notes: Notes): string[] {
  const { prefix, mixed } = pathPrefix(svc);
  if (mixed) return [`# ${notes.note(svc.name, 'backend URL path', 'none', 'the backends have different paths; one HAProxy backend takes one: none is added')}`];
  return prefix ? [`http-request set-path ${prefix.replace(/%/g, '%%')}%[path]`] : [];
}

function redirectLines(svc: ServiceSpec): string[] {
  if (!svc.rewriteRedirects) return [];
  const out = ['# redirects to a backend\'s own origin point at the origin the client used'];
  const origins = new Set<string>();
  const path = reEscape(pathPrefix(svc).prefix ?? '');
  for (const b of svc.backends) {
    const a = backendAddress(b);
    origins.add(reEscape(a.hostPort) + path);
    if (a.port === (a.tls ? 443 : 80)) origins.add(reEscape(a.host) + path);
  }
  for (const o of origins) {
    for (const h of ['Location', 'Content-Location']) out.push(`http-response replace-header ${h} ^https?://${o}(/.*)?$ http://%[var(txn.lbw_host)]\\1`);
    out.push(`http-response replace-header Refresh ^(.*url=)https?://${o}(/.*)?$ \\1http://%[var(txn.lbw_host)]\\2`);
  }
  return out;
}

function serverLine(b: BackendSpec, idx: number, svc: ServiceSpec, notes: Notes, weightOf: (b: BackendSpec) => number, out: string[]): string {
  const a = backendAddress(b);
  let line = `server b${idx} ${a.hostPort}`;
  if (b.state === 'drain') {
    out.push('  # drain: weight 0 takes no new requests or connections while in-flight ones finish (HAProxy\'s own drain)');
    line += ' weight 0';
  } else line += ` weight ${weightOf(b)}`;
  if (svc.healthCheck || svc.passiveHealth?.enabled) line += ' check';
  if (svc.passiveHealth?.enabled) line += ` observe ${svc.protocol === 'tcp' ? 'layer4' : 'layer7'} error-limit ${svc.passiveHealth.consecutiveErrors} on-error mark-down`;
  if (b.maxConnections !== undefined) line += ` maxconn ${b.maxConnections}`;
  if (b.backup) line += ' backup';
  if (b.state === 'disabled') line += ' disabled';
  if (a.tls) {
    const tls = svc.tls ?? { verify: true };
    const name = tls.servername ?? (isIpHost(a.host) ? undefined : a.host);
    line += ' ssl';
    if (tls.verify === false) line += ' verify none';
    else line += ` verify required ca-file ${tls.ca ?? '@system-ca'}`;
    if (name !== undefined) line += ` sni str(${name})${svc.healthCheck ? ` check-sni ${name}` : ''}`;
    else if (tls.verify !== false) out.push(`  # ${notes.note(svc.name, 'tls (backend addressed by IP)', 'nearest', `HAProxy checks ${shownName(b)}'s certificate chain but no name: set tls.servername`)}`);
    if (svc.healthCheck) line += ' check-ssl';
  }
  return `${line}  # ${shownName(b)}`;
}

export function haproxyBackend(svc: ServiceSpec, be: string, notes: Notes): string[] {
  const out = [`backend ${be}`, `  mode ${svc.protocol}`];
  const body: string[] = [...balance(svc, notes)];
  if (svc.backends.some((b) => b.backup)) body.push('# every backup serves when no primary is available, as in lbw', 'option allbackups');
  body.push(`timeout connect ${hms(svc.timeouts.connectMs)}`);
  if (svc.protocol === 'http') {
    body.push(`timeout server ${hms(svc.timeouts.responseMs)}`, `timeout tunnel ${hidle(svc.timeouts.idleMs)}`);
    if (svc.timeouts.idleMs !== svc.timeouts.responseMs) {
      body.push(`# ${notes.note(svc.name, 'timeouts.idleMs', 'nearest', `HAProxy's server timeout covers the response head and gaps in the body alike: responseMs (${svc.timeouts.responseMs} ms) for both; idleMs (${svc.timeouts.idleMs} ms) applies to WebSocket tunnels`)}`);
    }
  } else body.push(`timeout server ${hidle(svc.timeouts.idleMs)}`);
  body.push(...retryLines(svc, notes));
  const hc = svc.healthCheck;
  if (hc) {
    body.push(...checkLines(svc, hc));
    body.push(`default-server inter ${hms(hc.intervalMs)} rise ${hc.rise} fall ${hc.fall}${hc.downIntervalMs ? ` downinter ${hms(hc.downIntervalMs)}` : ''}`);
  }
  const p = svc.passiveHealth;
  if (p?.enabled) {
    body.push(`# ${notes.note(svc.name, 'passiveHealth', 'nearest', `HAProxy marks a backend down after ${p.consecutiveErrors} consecutive errors it observes (5xx answers among them) and brings it back through checks${hc ? '' : `, here connect checks every second, ${riseFor(p.baseEjectionMs)} in a row (about ${p.baseEjectionMs} ms)`}: no doubling ejection, no ${p.maxEjectedPercent}% cap`)}`);
    // Checks only to come back: 1 s apart (a longer interval would also delay every other server's first check,
    // which HAProxy spreads over the shortest interval above 1 s), never failing a server by themselves.
    if (!hc) body.push(`default-server inter 1s rise ${riseFor(p.baseEjectionMs)} fall 1000`);
  }
  if (svc.backends.some((b) => b.maxConnections !== undefined)) {
    body.push(`# ${notes.note(svc.name, 'maxConnections', 'nearest', 'HAProxy queues requests beyond a server\'s maxconn (up to timeout queue) instead of passing them to another backend')}`, `timeout queue ${hms(svc.timeouts.connectMs)}`);
  }
  if (svc.protocol === 'http') body.push(...pathLines(svc, notes), ...redirectLines(svc));
  const weightOf = weights(svc, notes, body);
  const servers: string[] = [];
  svc.backends.forEach((b, idx) => servers.push(serverLine(b, idx, svc, notes, weightOf, servers)));
  if (svc.backends.length === 0) body.push('# no backend: HAProxy answers 503, as lbw does');
  return [...out, ...body.map((l) => `  ${l}`), ...servers.map((l) => (l.startsWith('  ') ? l : `  ${l}`))];
}

/** Passing 1 s checks that stand for an ejection of `ms`. */
const riseFor = (ms: number): number => Math.min(1000, Math.max(1, Math.round(ms / 1000)));

/** Weights as HAProxy takes them: 1 for strategies that ignore weights, divided by their common factor, scaled into 1-256. */
function weights(svc: ServiceSpec, notes: Notes, body: string[]): (b: BackendSpec) => number {
  if (!usesWeights(svc)) return () => 1;
  const ws = svc.backends.map((b) => b.weight);
  const g = ws.reduce(gcd, 0) || 1;
  const max = Math.max(1, ...ws) / g;
  if (max <= MAX_WEIGHT) return (b) => b.weight / g;
  body.push(`# ${notes.note(svc.name, 'weight', 'nearest', `HAProxy weights go up to ${MAX_WEIGHT}: weights are scaled by ${MAX_WEIGHT}/${max} and rounded`)}`);
  return (b) => Math.max(1, Math.round(((b.weight / g) * MAX_WEIGHT) / max));
}
