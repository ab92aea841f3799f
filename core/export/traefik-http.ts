/**
 * The HTTP half of the Traefik dynamic configuration: for one service, its
 * router, retry middleware, servers transport (TLS and timeouts) and its
 * service: a loadBalancer, or a failover from the primaries to the backups.
 * Field names follow Traefik v3's file provider (pkg/config/dynamic).
 */
import { backendName, type BackendSpec, type ServiceSpec } from '../model/spec';
import { backendAddress, hashKeyOf, statusRanges, usesWeights, type Notes } from './common';
import { comment, goDuration, type YamlValue } from './yaml';

type YamlMap = { [key: string]: YamlValue | undefined };

/** What one service adds to each section of `http:`. */
export interface TraefikHttpParts {
  router: YamlMap;
  middlewares: Record<string, YamlMap>;
  services: Record<string, YamlValue>;
  transport: YamlMap | undefined;
}

/** The load-balancing strategy of a loadBalancer, and whether the cookie stickiness stands in for a hash. */
function strategy(svc: ServiceSpec, notes: Notes): { fields: YamlMap; sticky: boolean } {
  const distinctWeights = new Set(svc.backends.map((b) => b.weight)).size > 1;
  const hash = hashKeyOf(svc);
  switch (svc.strategy) {
    case 'round-robin':
      return { fields: { strategy: 'wrr' }, sticky: false };
    case 'weighted-round-robin':
      return { fields: { ...comment(notes.note(svc.name, 'weighted-round-robin', 'nearest', "Traefik's wrr (an EDF schedule) gives the same shares, but not nginx's smooth interleaving")), strategy: 'wrr' }, sticky: false };
    case 'least-connections':
      return { fields: { ...comment(notes.note(svc.name, 'least-connections', 'nearest', 'Traefik has no full least-connections scan: p2c compares two random servers by active connections')), strategy: 'p2c' }, sticky: false };
    case 'power-of-two':
      return {
        fields: { ...(distinctWeights ? comment(notes.note(svc.name, 'power-of-two', 'nearest', "Traefik documents no weights for p2c: the choice is by active connections alone")) : {}), strategy: 'p2c' },
        sticky: false,
      };
    case 'random':
      return { fields: { ...comment(notes.note(svc.name, 'random', 'nearest', 'Traefik has no random strategy: wrr gives the same long-run split')), strategy: 'wrr' }, sticky: false };
    case 'peak-ewma':
      return { fields: { ...comment(notes.note(svc.name, 'peak-EWMA', 'nearest', 'leasttime: average time to first byte times active connections, not a peak-sensitive EWMA')), strategy: 'leasttime' }, sticky: false };
    case 'ring-hash':
    case 'maglev': {
      const feature = svc.strategy;
      if (hash?.hashOn === 'cookie') {
        const text = `Traefik sets a cookie of its own naming the server instead of hashing the cookie ${hash.key}: sticky, but keys are not spread by a hash`;
        return { fields: { ...comment(notes.note(svc.name, `${feature} by cookie`, 'nearest', text)), strategy: 'wrr' }, sticky: true };
      }
      if (hash?.hashOn === 'header') {
        const text = `Traefik cannot hash a header (${hash.key}): hrw hashes the client address, which lbw uses only for requests without the header`;
        return { fields: { ...comment(notes.note(svc.name, `${feature} by header`, 'none', text)), strategy: 'hrw' }, sticky: false };
      }
      const text = 'hrw (rendezvous hashing of the client address): the same client keeps its server and a change moves few clients, but not the same ones as lbw';
      return { fields: { ...comment(notes.note(svc.name, feature, 'nearest', text)), strategy: 'hrw' }, sticky: false };
    }
    default:
      return { fields: { ...comment(notes.note(svc.name, `strategy ${svc.strategy}`, 'nearest', 'unknown to the exporter: wrr')), strategy: 'wrr' }, sticky: false };
  }
}

function server(b: BackendSpec, weighted: boolean): YamlMap {
  const path = new URL(b.url).pathname;
  return {
    ...comment(backendName(b)),
    url: b.url,
    weight: weighted ? b.weight : undefined,
    ...(path !== '/' ? comment('the URL path is a prefix of every request path, as in lbw') : {}),
    preservePath: path !== '/' ? true : undefined,
  };
}

function healthCheck(svc: ServiceSpec, notes: Notes): YamlMap | undefined {
  const hc = svc.healthCheck;
  if (!hc) return undefined;
  const out: YamlMap = {};
  if (hc.type === 'tcp') {
    Object.assign(out, comment(notes.note(svc.name, 'healthCheck.type tcp', 'nearest', 'Traefik checks HTTP servers over HTTP only: the check requests the path instead of opening a connection')));
  }
  if (hc.rise !== 1 || hc.fall !== 1) {
    Object.assign(out, comment(notes.note(svc.name, 'healthCheck.rise/fall', 'none', `Traefik flips a server on one check; lbw waits for ${hc.rise} passes / ${hc.fall} failures`)));
  }
  const ranges = statusRanges(hc.expectStatus);
  let status: number | undefined;
  if (ranges.length === 1 && ranges[0]![0] === ranges[0]![1]) status = ranges[0]![0];
  else if (hc.expectStatus.replace(/\s/g, '') !== '200-399') {
    status = ranges[0]![0];
    Object.assign(out, comment(notes.note(svc.name, 'healthCheck.expectStatus', 'nearest', `Traefik expects one status or any 2xx/3xx: ${status} stands for ${hc.expectStatus}`)));
  }
  return {
    ...out,
    path: hc.path,
    status,
    interval: goDuration(hc.intervalMs),
    unhealthyInterval: hc.downIntervalMs === undefined ? undefined : goDuration(hc.downIntervalMs),
    timeout: goDuration(hc.timeoutMs),
  };
}

function passive(svc: ServiceSpec, notes: Notes): YamlMap | undefined {
  const p = svc.passiveHealth;
  if (!p?.enabled) return undefined;
  const attempts = Math.min(p.consecutive5xx, p.consecutiveErrors);
  const text = `one count of failed requests (${attempts}, the lower of lbw's 5xx and error counts) within failureWindow, which is also how long the server stays out: no doubling, no cap on the share ejected`;
  return { ...comment(notes.note(svc.name, 'passiveHealth', 'nearest', text)), failureWindow: goDuration(p.windowMs), maxFailedAttempts: attempts };
}

function transport(svc: ServiceSpec): YamlMap {
  const https = svc.backends.some((b) => backendAddress(b).tls);
  const tls = svc.tls;
  return {
    serverName: https ? tls?.servername : undefined,
    insecureSkipVerify: https && tls && !tls.verify ? true : undefined,
    rootCAs: https && tls?.ca ? [tls.ca] : undefined,
    forwardingTimeouts: {
      ...comment('timeouts.connectMs and timeouts.responseMs (until the response headers, as in lbw)'),
      dialTimeout: goDuration(svc.timeouts.connectMs),
      responseHeaderTimeout: goDuration(svc.timeouts.responseMs),
    },
  };
}

export function traefikHttp(svc: ServiceSpec, name: string, notes: Notes): TraefikHttpParts {
  const live = svc.backends.filter((b) => b.state === 'active');
  const drained = svc.backends.filter((b) => b.state === 'drain');
  const disabled = svc.backends.filter((b) => b.state === 'disabled');
  const weighted = usesWeights(svc);
  const { fields, sticky } = strategy(svc, notes);
  const check = healthCheck(svc, notes);
  const passiveCheck = passive(svc, notes);
  const notesAbove: YamlMap = {};
  if (drained.length) {
    const text = `Traefik has no drain: ${drained.map(backendName).join(', ')} left out (requests in flight when the file changes still finish)`;
    Object.assign(notesAbove, comment(notes.note(svc.name, 'state drain', 'nearest', text)));
  }
  if (disabled.length) Object.assign(notesAbove, comment(`disabled, so left out: ${disabled.map(backendName).join(', ')}`));
  const caps = svc.backends.filter((b) => b.maxConnections !== undefined);
  if (caps.length) {
    Object.assign(notesAbove, comment(notes.note(svc.name, 'maxConnections', 'none', "Traefik has no per-server connection cap (inFlightReq limits a router and answers 429 rather than skipping a server)")));
  }
  if (svc.rewriteRedirects) {
    Object.assign(notesAbove, comment(notes.note(svc.name, 'rewriteRedirects', 'none', 'Traefik does not rewrite Location, Content-Location or Refresh headers that name a backend')));
  }
  const lb = (bs: BackendSpec[], withCheck: boolean): YamlMap => ({
    ...fields,
    sticky: sticky ? { cookie: { name: `lbw_${name}` } } : undefined,
    servers: bs.map((b) => server(b, weighted)),
    healthCheck: withCheck ? check : undefined,
    passiveHealthCheck: passiveCheck,
    ...comment('the client Host header goes to the backend, as in lbw'),
    passHostHeader: true,
    serversTransport: name,
  });
  const primaries = live.filter((b) => !b.backup);
  const backups = live.filter((b) => b.backup);
  const services: Record<string, YamlValue> = {};
  if (backups.length && primaries.length && check) {
    services[name] = {
      ...notesAbove,
      ...comment('backups: Traefik sends to the fallback only while its health check holds every primary down'),
      failover: { service: `${name}_primary`, fallback: `${name}_backup` },
    };
    services[`${name}_primary`] = { loadBalancer: lb(primaries, true) };
    services[`${name}_backup`] = { loadBalancer: lb(backups, true) };
  } else {
    if (backups.length && primaries.length) {
      const text = `Traefik fails over only on active health checks and this service has none: backups ${backups.map(backendName).join(', ')} left out`;
      Object.assign(notesAbove, comment(notes.note(svc.name, 'backup', 'none', text)));
    }
    const members = primaries.length ? primaries : backups;
    if (!members.length) Object.assign(notesAbove, comment('no backend: Traefik answers 503, as lbw does'));
    services[name] = { ...notesAbove, loadBalancer: lb(members, true) };
  }
  const middlewares: Record<string, YamlMap> = {};
  const r = svc.retries;
  if (r.attempts > 1) {
    const text = `Traefik retries only a request not yet sent (a failed connect), never after a reset or timeout${r.onStatus.length ? ' or on a status' : ''}${r.retryNonIdempotent ? ', whatever the method' : ''}`;
    middlewares[`${name}_retry`] = { ...comment(notes.note(svc.name, 'retries', 'nearest', text)), retry: { attempts: r.attempts } };
  }
  const router: YamlMap = {
    entryPoints: [name],
    rule: 'PathPrefix(`/`)',
    service: name,
    middlewares: r.attempts > 1 ? [`${name}_retry`] : undefined,
  };
  if (svc.timeouts.idleMs !== 0) {
    Object.assign(router, comment(notes.note(svc.name, 'timeouts.idleMs', 'none', 'Traefik has no idle timeout for a response body or WebSocket in flight')));
  }
  return { router, middlewares, services, transport: transport(svc) };
}
