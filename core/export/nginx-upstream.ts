/**
 * The upstream side of an nginx service, for `http {}` and `stream {}` alike:
 * the balancing directive, one `server` line per backend (weight, backup,
 * down, max_conns, passive health), and for hashing on a header or cookie a
 * `map` that falls back to the client address as lbw does.
 */
import type { BackendSpec, ServiceSpec } from '../model/spec';
import { backendAddress, hashKeyOf, Notes, shownName, usesWeights } from './common';

export interface NginxUpstream {
  lines: string[];
  /** False when no backend is left to write (nginx refuses an empty upstream). */
  hasServers: boolean;
}

/** The hash key as an nginx variable; HTTP header and cookie keys go through a map with the client-address fallback. */
function hashKey(svc: ServiceSpec, name: string, notes: Notes, ctx: 'http' | 'stream', maps: string[]): string {
  const key = hashKeyOf(svc)!;
  if (key.hashOn === 'client-ip' || ctx === 'stream') return '$remote_addr';
  const varName = key.key.toLowerCase().replace(/-/g, '_');
  if (!/^[a-z0-9_]+$/.test(varName)) {
    maps.push(`# ${notes.note(svc.name, 'strategyOptions.key', 'nearest', `nginx cannot name the ${key.hashOn} "${key.key}" in a variable: hashing on the client address`)}`);
    return '$remote_addr';
  }
  const source = key.hashOn === 'header' ? `$http_${varName}` : `$cookie_${key.key}`;
  const target = `$${name}_key`;
  maps.push(`# the ${key.hashOn} "${key.key}", or the client address when a request has none (lbw's fallback)`, `map ${source} ${target} {`, `  '' $remote_addr;`, `  default ${source};`, '}');
  return target;
}

/** The balancing directive, and whether nginx allows `backup` servers with it. */
function method(svc: ServiceSpec, name: string, notes: Notes, ctx: 'http' | 'stream', maps: string[]): { lines: string[]; backupOk: boolean } {
  switch (svc.strategy) {
    case 'round-robin':
    case 'weighted-round-robin':
      return { lines: ['# smooth weighted round robin is nginx\'s default'], backupOk: true };
    case 'least-connections':
      return { lines: ['least_conn;'], backupOk: true };
    case 'random':
      return { lines: ['random;'], backupOk: false };
    case 'power-of-two':
      return { lines: ['random two least_conn;'], backupOk: false };
    case 'peak-ewma':
      return {
        lines: [`# ${notes.note(svc.name, 'strategy peak-ewma', 'nearest', 'nginx open source has no latency-aware balancing (least_time is nginx Plus): two random choices by fewest connections instead')}`, 'random two least_conn;'],
        backupOk: false,
      };
    case 'ring-hash':
      return { lines: [`hash ${hashKey(svc, name, notes, ctx, maps)} consistent;`], backupOk: false };
    case 'maglev':
      return {
        lines: [`# ${notes.note(svc.name, 'strategy maglev', 'nearest', 'nginx has no Maglev table: ketama consistent hashing on the same key instead')}`, `hash ${hashKey(svc, name, notes, ctx, maps)} consistent;`],
        backupOk: false,
      };
    default:
      return { lines: [`# unknown strategy ${svc.strategy}: round robin`], backupOk: true };
  }
}

/** fail_timeout takes whole seconds. */
const seconds = (ms: number): string => `${Math.max(1, Math.round(ms / 1000))}s`;

/** max_fails/fail_timeout: lbw's passive health, nginx's nearest to an active check, or off (lbw takes no backend out by itself). */
function failParams(svc: ServiceSpec, notes: Notes, out: string[]): string {
  const p = svc.passiveHealth;
  const hc = svc.healthCheck;
  if (hc) {
    out.push(`# ${notes.note(svc.name, 'healthCheck', 'none', `nginx open source has no active health checks (health_check is nginx Plus): ${hc.type === 'tcp' ? 'tcp connect' : `GET ${hc.path}`} every ${hc.intervalMs} ms is not done; failed requests take a backend out instead`)}`);
  }
  if (p?.enabled) {
    out.push(`# ${notes.note(svc.name, 'passiveHealth', 'nearest', `nginx takes a backend out after max_fails failed attempts within fail_timeout, for fail_timeout (${p.baseEjectionMs} ms, not doubling, no ${p.maxEjectedPercent}% cap); 5xx answers count only where retries.onStatus names them`)}`);
    return ` max_fails=${p.consecutiveErrors} fail_timeout=${seconds(p.baseEjectionMs)}`;
  }
  if (hc) return ` max_fails=${hc.fall} fail_timeout=${seconds(hc.intervalMs * hc.rise)}`;
  return ' max_fails=0';
}

export function nginxUpstream(svc: ServiceSpec, name: string, notes: Notes, ctx: 'http' | 'stream'): NginxUpstream {
  const maps: string[] = [];
  const body: string[] = [];
  const m = method(svc, name, notes, ctx, maps);
  body.push(`zone ${name} 64k;`, ...m.lines);
  const fail = failParams(svc, notes, body);
  const weighted = usesWeights(svc);
  let servers = 0;
  for (const b of svc.backends) {
    const line = serverLine(b, svc, notes, weighted, fail, body);
    if (b.backup && !m.backupOk) {
      body.push(`# ${notes.note(svc.name, 'backup', 'none', `nginx allows no backup server with ${m.lines.at(-1)!.replace(/;$/, '')}: ${shownName(b)} is left out`)}`, `# ${line}`);
      continue;
    }
    body.push(line);
    servers++;
  }
  if (servers === 0) return { lines: [...maps], hasServers: false };
  return { lines: [...maps, `upstream ${name} {`, ...body.map((l) => `  ${l}`), '}'], hasServers: true };
}

function serverLine(b: BackendSpec, svc: ServiceSpec, notes: Notes, weighted: boolean, fail: string, body: string[]): string {
  let line = `server ${backendAddress(b).hostPort}`;
  if (weighted && b.weight !== 1) line += ` weight=${b.weight}`;
  line += fail;
  if (b.maxConnections !== undefined) line += ` max_conns=${b.maxConnections}`;
  if (b.backup) line += ' backup';
  if (b.state === 'disabled') line += ' down';
  if (b.state === 'drain') {
    body.push(`# ${notes.note(svc.name, 'state drain', 'nearest', `nginx open source has no drain (nginx Plus): ${shownName(b)} is down, and its in-flight requests finish on reload`)}`);
    line += ' down';
  }
  return `${line}; # ${shownName(b)}`;
}
