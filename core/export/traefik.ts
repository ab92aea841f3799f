/**
 * Traefik exporter: two files, run as `traefik --configFile=traefik.yml` from
 * the directory holding both. The static `traefik.yml` opens one entry point
 * per service on its listen address and reads `dynamic.yml` through the file
 * provider (no API, no dashboard). The dynamic file holds the routers and
 * services: HTTP ones from traefik-http.ts; TCP ones as a catch-all
 * `HostSNI(`*`)` router with a loadBalancer (or, with weights, a weighted
 * service over one loadBalancer per backend, since TCP servers have no
 * weight). Traefik cannot be installed here, so this output is checked
 * against golden files written from Traefik's documentation.
 */
import { backendName, parseListen, type BackendSpec, type ServiceSpec, type WorkspaceSpec } from '../model/spec';
import { EXPECT_REGEX } from '../model/spec';
import { backendAddress, hashKeyOf, headerLines, Notes, unescapeCheckText, usesWeights } from './common';
import { traefikHttp } from './traefik-http';
import type { ExportMeta, ExportResult, Exporter } from './types';
import { comment, goDuration, toYaml, type YamlValue } from './yaml';

type YamlMap = { [key: string]: YamlValue | undefined };

export const TRAEFIK_TARGET = 'Traefik v3.7 (file provider)';

/** A name Traefik accepts for routers, services and entry points: no `@`, unique by index. */
function traefikName(svc: ServiceSpec, i: number): string {
  return `${svc.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')}_${i}`;
}

function entryPoint(svc: ServiceSpec, notes: Notes): YamlMap {
  const { host, port } = parseListen(svc.listen);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (svc.protocol === 'tcp') return { ...comment(`service "${svc.name}" (tcp)`), address };
  const clientHeaders = `Traefik bounds only the read of the whole request, body included (readTimeout, 60s by default): set from timeouts.clientHeadersMs (${svc.timeouts.clientHeadersMs} ms) it would cut slow uploads, so it is left at Traefik's default`;
  const headerBytes = "Go's server reads up to 4 KiB past the limit before answering 431; response heads keep Traefik's own limit";
  return {
    ...comment(`service "${svc.name}" (http)`),
    address,
    ...comment(notes.note(svc.name, 'timeouts.clientHeadersMs', 'none', clientHeaders)),
    http: { ...comment(notes.note(svc.name, 'limits.maxHeaderBytes', 'nearest', headerBytes)), maxHeaderBytes: svc.limits.maxHeaderBytes },
  };
}

/** The text of a TCP check as Traefik sends and expects it: lbw's escapes resolved. */
const checkText = (text: string): string => unescapeCheckText(text).toString('latin1');

function tcpHealthCheck(svc: ServiceSpec, notes: Notes): YamlMap | undefined {
  const hc = svc.healthCheck;
  if (!hc) return undefined;
  const out: YamlMap = {};
  if (hc.rise !== 1 || hc.fall !== 1) {
    Object.assign(out, comment(notes.note(svc.name, 'healthCheck.rise/fall', 'none', `Traefik flips a server on one check; lbw waits for ${hc.rise} passes / ${hc.fall} failures`)));
  }
  let expect: string | undefined;
  if (hc.expect !== undefined && EXPECT_REGEX.test(hc.expect)) {
    Object.assign(out, comment(notes.note(svc.name, 'healthCheck.expect regex', 'none', `Traefik compares text, not a regular expression: ${hc.expect} is not checked`)));
  } else if (hc.expect !== undefined) {
    expect = checkText(hc.expect);
  }
  return {
    ...out,
    send: hc.send === undefined ? undefined : checkText(hc.send),
    expect,
    interval: goDuration(hc.intervalMs),
    unhealthyInterval: hc.downIntervalMs === undefined ? undefined : goDuration(hc.downIntervalMs),
    timeout: goDuration(hc.timeoutMs),
  };
}

function tcpParts(svc: ServiceSpec, name: string, notes: Notes): { router: YamlMap; services: Record<string, YamlValue>; transport: YamlMap } {
  const above: YamlMap = {};
  const skipped = (bs: BackendSpec[]): string => bs.map(backendName).join(', ');
  const drained = svc.backends.filter((b) => b.state === 'drain');
  const disabled = svc.backends.filter((b) => b.state === 'disabled');
  const backups = svc.backends.filter((b) => b.state === 'active' && b.backup);
  let members = svc.backends.filter((b) => b.state === 'active' && !b.backup);
  if (!members.length) members = backups;
  else if (backups.length) Object.assign(above, comment(notes.note(svc.name, 'backup', 'none', `Traefik has no failover for TCP services: backups ${skipped(backups)} left out`)));
  if (drained.length) Object.assign(above, comment(notes.note(svc.name, 'state drain', 'nearest', `Traefik has no drain: ${skipped(drained)} left out (open connections are not cut when the file changes)`)));
  if (disabled.length) Object.assign(above, comment(`disabled, so left out: ${skipped(disabled)}`));
  if (svc.backends.some((b) => b.maxConnections !== undefined)) {
    Object.assign(above, comment(notes.note(svc.name, 'maxConnections', 'none', 'Traefik has no per-server connection cap (inFlightConn limits connections per client address)')));
  }
  if (svc.strategy === 'weighted-round-robin') {
    Object.assign(above, comment(notes.note(svc.name, 'weighted-round-robin', 'nearest', "Traefik's weighted service (an EDF schedule) gives the same shares, but not nginx's smooth interleaving")));
  } else if (svc.strategy !== 'round-robin') {
    const how = hashKeyOf(svc) ? 'no hashing' : 'no choice by load';
    Object.assign(above, comment(notes.note(svc.name, svc.strategy, 'none', `Traefik balances TCP servers by round robin only (${how})`)));
  }
  if (svc.retries.attempts > 1) Object.assign(above, comment(notes.note(svc.name, 'retries', 'none', 'Traefik does not try another TCP server when a connect fails')));
  if (svc.timeouts.idleMs !== 0) Object.assign(above, comment(notes.note(svc.name, 'timeouts.idleMs', 'none', 'Traefik has no idle timeout for proxied TCP connections')));
  const check = tcpHealthCheck(svc, notes);
  const lb = (bs: BackendSpec[]): YamlMap => ({
    servers: bs.map((b) => ({ ...comment(backendName(b)), address: backendAddress(b).hostPort })),
    healthCheck: check,
    serversTransport: name,
  });
  const services: Record<string, YamlValue> = {};
  const weighted = usesWeights(svc) && new Set(members.map((b) => b.weight)).size > 1;
  if (weighted) {
    // TCP servers carry no weight in Traefik: one loadBalancer per backend, weighted at the service level.
    const parts = members.map((b, j) => ({ b, id: `${name}_b${j}` }));
    if (check) {
      const text = "each backend's check runs in its own one-server loadBalancer; Traefik's TCP weighted service has no health propagation, so a down backend may keep its share of new connections";
      Object.assign(above, comment(notes.note(svc.name, 'healthCheck with weights', 'nearest', text)));
    }
    services[name] = {
      ...above,
      ...comment('weights: a weighted service over one loadBalancer per backend'),
      weighted: { services: parts.map(({ b, id }) => ({ name: id, weight: b.weight })) },
    };
    for (const { b, id } of parts) services[id] = { loadBalancer: lb([b]) };
  } else {
    if (!members.length) Object.assign(above, comment('no backend: connections are closed, as lbw does'));
    services[name] = { ...above, loadBalancer: lb(members) };
  }
  return {
    router: { entryPoints: [name], ...comment('every connection on this entry point, TLS or not'), rule: 'HostSNI(`*`)', service: name },
    services,
    transport: { ...comment('timeouts.connectMs'), dialTimeout: goDuration(svc.timeouts.connectMs) },
  };
}

export const exportTraefik: Exporter = (ws: WorkspaceSpec, meta: ExportMeta): ExportResult => {
  const notes = new Notes();
  const entryPoints: YamlMap = {};
  const http = { routers: {} as YamlMap, middlewares: {} as YamlMap, services: {} as YamlMap, serversTransports: {} as YamlMap };
  const tcp = { routers: {} as YamlMap, services: {} as YamlMap, serversTransports: {} as YamlMap };
  ws.services.forEach((svc, i) => {
    const name = traefikName(svc, i);
    entryPoints[name] = entryPoint(svc, notes);
    if (svc.protocol === 'tcp') {
      const p = tcpParts(svc, name, notes);
      tcp.routers[name] = p.router;
      Object.assign(tcp.services, p.services);
      tcp.serversTransports[name] = p.transport;
    } else {
      const p = traefikHttp(svc, name, notes);
      http.routers[name] = p.router;
      Object.assign(http.middlewares, p.middlewares);
      Object.assign(http.services, p.services);
      http.serversTransports[name] = p.transport;
    }
  });
  const header = headerLines('Traefik', TRAEFIK_TARGET, meta, ws);
  const staticDoc: YamlMap = {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints,
    providers: { file: { ...comment('read from the directory Traefik runs in'), filename: 'dynamic.yml', watch: true } },
    ...comment('no `api` section: the API and the dashboard are off'),
  };
  const hasHttp = Object.keys(http.routers).length > 0;
  const hasTcp = Object.keys(tcp.routers).length > 0;
  const dynamicDoc: YamlMap = { http: hasHttp ? http : undefined, tcp: hasTcp ? tcp : undefined };
  return {
    engine: 'traefik',
    targets: TRAEFIK_TARGET,
    files: [
      { name: 'traefik.yml', text: toYaml(staticDoc, [...header, 'Static configuration. Run: traefik --configFile=traefik.yml (dynamic.yml beside it)']) },
      { name: 'dynamic.yml', text: toYaml(dynamicDoc, [...header, 'Dynamic configuration (file provider), read by traefik.yml']) },
    ],
    warnings: notes.warnings,
  };
};
