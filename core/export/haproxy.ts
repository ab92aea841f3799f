/**
 * HAProxy exporter: one haproxy.cfg for `haproxy -f FILE`, in the foreground
 * as the user who starts it (no chroot, no user switch, no daemon). Each
 * service is a frontend on its own bind address and a backend (`mode http` or
 * `mode tcp`); the backend's balancing, checks and server lines are written
 * by haproxy-backend.ts.
 */
import type { ServiceSpec, WorkspaceSpec } from '../model/spec';
import { parseListen } from '../model/spec';
import { headerLines, ident, Notes, requireFixedPorts } from './common';
import { haproxyBackend, hidle, hms } from './haproxy-backend';
import type { ExportMeta, ExportResult, Exporter } from './types';

export const HAPROXY_TARGET = 'HAProxy 2.6 (Debian 12)';


function bindArg(listen: string): string {
  const { host, port } = parseListen(listen);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function frontend(svc: ServiceSpec, i: number, notes: Notes): string[] {
  const fe = ident('fe', i, svc.name);
  const be = ident('be', i, svc.name);
  const out = [`# service "${svc.name}" (${svc.protocol}, ${svc.strategy})`, `frontend ${fe}`, `  mode ${svc.protocol}`, `  bind ${bindArg(svc.listen)}`];
  out.push(`  timeout client ${hidle(svc.timeouts.idleMs)}`);
  if (svc.protocol === 'http') {
    out.push(`  timeout http-request ${hms(svc.timeouts.clientHeadersMs)}`, '  option forwardfor');
    out.push(`  # ${notes.note(svc.name, 'limits.maxHeaderBytes', 'nearest', 'HAProxy bounds a request head by tune.bufsize, one size for every service (set from the largest), and answers 400 instead of 431')}`);
    if (svc.rewriteRedirects) out.push('  # the Host the client used, for rewriting redirects to a backend\'s own origin', '  http-request set-var(txn.lbw_host) req.hdr(host)');
  }
  out.push(`  default_backend ${be}`, '');
  out.push(...haproxyBackend(svc, be, notes));
  return out;
}

export const exportHaproxy: Exporter = (ws: WorkspaceSpec, meta: ExportMeta): ExportResult => {
  requireFixedPorts(ws, 'HAProxy');
  const notes = new Notes();
  const maxHead = Math.max(16 * 1024, ...ws.services.filter((s) => s.protocol === 'http').map((s) => s.limits.maxHeaderBytes));
  const lines = headerLines('HAProxy', HAPROXY_TARGET, meta, ws).map((l) => `# ${l}`);
  lines.push(
    '# Run: haproxy -f haproxy.cfg (in the foreground, as the user who starts it)',
    '',
    'global',
    '  # room for the largest request head any service allows, plus HAProxy\'s rewrite reserve',
    `  tune.bufsize ${maxHead + 1024}`,
    '  tune.maxrewrite 1024',
    '',
    'defaults',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '',
  );
  ws.services.forEach((s, i) => lines.push(...frontend(s, i, notes), ''));
  if (ws.services.length === 0) lines.push('# the workspace has no service');
  return { engine: 'haproxy', targets: HAPROXY_TARGET, files: [{ name: 'haproxy.cfg', text: `${lines.join('\n')}\n` }], warnings: notes.warnings };
};
