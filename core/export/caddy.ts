/**
 * Caddy exporter: one Caddyfile for `caddy run --config Caddyfile --adapter
 * caddyfile`, admin endpoint off and automatic HTTPS off, each HTTP service a
 * site block on its own port bound to its own address. The reverse_proxy
 * block of each service is written by caddy-proxy.ts. Caddy's standard build
 * has no layer-4 proxy, so a workspace with a TCP service is refused.
 */
import type { ServiceSpec, WorkspaceSpec } from '../model/spec';
import { parseListen } from '../model/spec';
import { headerLines, Notes, requireFixedPorts, unsupported } from './common';
import { caddyProxy, dur } from './caddy-proxy';
import type { ExportMeta, ExportResult, Exporter } from './types';

export const CADDY_TARGET = 'Caddy 2.6 (Debian 12, standard build)';

function site(svc: ServiceSpec, notes: Notes): string[] {
  const { host, port } = parseListen(svc.listen);
  const out = [`# service "${svc.name}" (http, ${svc.strategy})`, `http://:${port} {`, `\tbind ${host}`];
  out.push(...caddyProxy(svc, notes).map((l) => `\t${l}`));
  out.push('}');
  return out;
}

/** Per-listener server options: the client header timeout and the request head limit. */
function serverOptions(svc: ServiceSpec, notes: Notes): string[] {
  const { host, port } = parseListen(svc.listen);
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return [
    `\tservers ${addr} {`,
    `\t\t# ${notes.note(svc.name, 'timeouts.clientHeadersMs', 'nearest', 'Caddy closes a connection whose request headers are late instead of answering 408')}`,
    '\t\ttimeouts {',
    `\t\t\tread_header ${dur(svc.timeouts.clientHeadersMs)}`,
    '\t\t}',
    `\t\t# ${notes.note(svc.name, 'limits.maxHeaderBytes', 'nearest', "Go's HTTP server behind Caddy allows a few KiB of slack above max_header_size before it answers 431, and does not bound response heads")}`,
    `\t\tmax_header_size ${svc.limits.maxHeaderBytes}B`,
    '\t}',
  ];
}

export const exportCaddy: Exporter = (ws: WorkspaceSpec, meta: ExportMeta): ExportResult => {
  requireFixedPorts(ws, 'Caddy');
  const tcp = ws.services.filter((s) => s.protocol === 'tcp');
  if (tcp.length > 0) {
    unsupported(
      `Caddy's standard build has no layer-4 (TCP) proxy, so ${tcp.map((s) => `"${s.name}"`).join(', ')} cannot be exported to Caddy; ` +
        'export this workspace to nginx, HAProxy, Envoy or Traefik, or remove its tcp services',
    );
  }
  const notes = new Notes();
  const lines = headerLines('Caddy', CADDY_TARGET, meta, ws).map((l) => `# ${l}`);
  lines.push(
    '# Run: caddy run --config Caddyfile --adapter caddyfile',
    '{',
    '\t# no admin endpoint: this file is the whole configuration (restart Caddy to change it)',
    '\tadmin off',
    '\t# plain HTTP on the addresses below, as lbw listens; no certificates are requested',
    '\tauto_https off',
  );
  for (const s of ws.services) lines.push(...serverOptions(s, notes));
  lines.push('}');
  for (const s of ws.services) lines.push('', ...site(s, notes));
  return { engine: 'caddy', targets: CADDY_TARGET, files: [{ name: 'Caddyfile', text: `${lines.join('\n')}\n` }], warnings: notes.warnings };
};
