/**
 * nginx exporter: one nginx.conf for `nginx -p DIR -c FILE`, every path in it
 * (pid, logs, temp files) relative to the prefix DIR, so it runs as any user
 * in any directory. HTTP services become an `upstream` plus a `server` in
 * `http {}`; TCP services the same in `stream {}` (Debian builds the stream
 * module as a dynamic module, loaded from its Debian path). The upstream side
 * of each service is written by nginx-upstream.ts.
 */
import type { ServiceSpec, WorkspaceSpec } from '../model/spec';
import { parseListen } from '../model/spec';
import { backendAddress, headerLines, ident, isIpHost, Notes, pathPrefix, requireFixedPorts } from './common';
import { nginxUpstream } from './nginx-upstream';
import type { ExportMeta, ExportResult, Exporter } from './types';

export const NGINX_TARGET = 'nginx 1.22 (Debian 12 build, open source)';
/** Where Debian's libnginx-mod-stream puts the stream module. */
export const NGINX_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';
const SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt';

/** nginx's `listen` argument: IPv6 hosts in brackets. */
function listenArg(listen: string): string {
  const { host, port } = parseListen(listen);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const ms = (n: number): string => `${n}ms`;
/** nginx has no "never" for a timeout: an hour stands in for lbw's 0. */
const idle = (n: number): string => (n === 0 ? '3600s' : ms(n));

/** nginx retries on these upstream statuses (proxy_next_upstream http_NNN). */
const NEXT_UPSTREAM_STATUSES = new Set([500, 502, 503, 504, 403, 404, 429]);

function httpServer(svc: ServiceSpec, i: number, notes: Notes): string[] {
  const name = ident('s', i, svc.name);
  const out: string[] = [`  # service "${svc.name}" (http, ${svc.strategy})`];
  const up = nginxUpstream(svc, name, notes, 'http');
  out.push(...up.lines.map((l) => `  ${l}`));
  const c = (l: string): string => `      # ${l}`;
  out.push('  server {', `    listen ${listenArg(svc.listen)};`);
  out.push(`    client_header_timeout ${ms(svc.timeouts.clientHeadersMs)};`);
  const kb = Math.ceil(svc.limits.maxHeaderBytes / 1024);
  out.push(`    # ${notes.note(svc.name, 'limits.maxHeaderBytes', 'nearest', `nginx bounds each request header line (${kb}k here) rather than the whole head, and answers 400 instead of 431`)}`);
  out.push(`    large_client_header_buffers 4 ${kb}k;`);
  out.push('    client_max_body_size 0;', '    location / {');
  if (!up.hasServers) {
    out.push('      # no backend: lbw answers 503 too', '      return 503;', '    }', '  }');
    return out;
  }
  const schemes = new Set(svc.backends.map((b) => backendAddress(b).tls));
  const tls = schemes.has(true);
  if (schemes.size > 1) {
    out.push(c(notes.note(svc.name, 'backends (mixed http and https)', 'none', 'one nginx upstream speaks one scheme: every backend is reached over https here')));
  }
  // A backend URL's path goes before the request target, byte for byte ($request_uri is the raw target), as lbw joins them.
  const { prefix, mixed } = pathPrefix(svc);
  if (mixed) out.push(c(notes.note(svc.name, 'backend URL path', 'none', 'the backends have different paths; one nginx upstream takes one: none is added')));
  out.push(
    prefix ? `      proxy_pass ${tls ? 'https' : 'http'}://${name}${prefix}$request_uri;` : `      proxy_pass ${tls ? 'https' : 'http'}://${name};`,
    '      proxy_http_version 1.1;',
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header Upgrade $http_upgrade;',
    '      proxy_set_header Connection $lbw_connection_upgrade;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    '      proxy_set_header X-Forwarded-Host $http_host;',
    '      # responses stream to the client as lbw relays them; request bodies are buffered, so nginx can replay any of them on a retry',
    '      proxy_buffering off;',
    `      proxy_buffer_size ${kb}k;`,
    `      proxy_buffers 4 ${kb}k;`,
    `      proxy_busy_buffers_size ${kb}k;`,
    `      proxy_connect_timeout ${ms(svc.timeouts.connectMs)};`,
  );
  if (svc.timeouts.idleMs !== svc.timeouts.responseMs) {
    out.push(c(notes.note(svc.name, 'timeouts.idleMs', 'nearest', `nginx has one read timeout for the response head and for gaps in the body or a WebSocket: responseMs (${svc.timeouts.responseMs} ms) is used for both, idleMs (${svc.timeouts.idleMs} ms) only for sending`)));
  }
  out.push(`      proxy_read_timeout ${ms(svc.timeouts.responseMs)};`, `      proxy_send_timeout ${idle(svc.timeouts.idleMs)};`);
  out.push(...retryLines(svc, notes).map((l) => `      ${l}`));
  out.push(...redirectLines(svc, notes).map((l) => `      ${l}`));
  if (tls) out.push(...tlsLines(svc, notes).map((l) => `      ${l}`));
  out.push('    }', '  }');
  return out;
}

function retryLines(svc: ServiceSpec, notes: Notes): string[] {
  const r = svc.retries;
  if (r.attempts <= 1) return ['# retries.attempts 1: no retry', 'proxy_next_upstream off;'];
  const out: string[] = [];
  const when = ['error', 'timeout', 'invalid_header'];
  for (const s of r.onStatus) {
    if (NEXT_UPSTREAM_STATUSES.has(s)) when.push(`http_${s}`);
    else out.push(`# ${notes.note(svc.name, 'retries.onStatus', 'none', `nginx cannot retry on status ${s} (only 500, 502, 503, 504, 403, 404, 429)`)}`);
  }
  // nginx, like lbw, never resends POST, LOCK or PATCH once sent unless told to.
  if (r.retryNonIdempotent) when.push('non_idempotent');
  out.push(`# ${notes.note(svc.name, 'retries.budgetPercent', 'none', `nginx has no retry budget (lbw: at most ${r.budgetPercent}% of requests in flight retrying, at least ${r.minRetryConcurrency})`)}`);
  out.push(`proxy_next_upstream ${when.join(' ')};`, `proxy_next_upstream_tries ${r.attempts};`);
  return out;
}

function redirectLines(svc: ServiceSpec, notes: Notes): string[] {
  if (!svc.rewriteRedirects) return ['proxy_redirect off;'];
  const out = [`# ${notes.note(svc.name, 'rewriteRedirects', 'nearest', 'nginx rewrites Location and Refresh but not Content-Location')}`];
  const seen = new Set<string>();
  for (const b of svc.backends) {
    const a = backendAddress(b);
    const scheme = a.tls ? 'https' : 'http';
    const path = pathPrefix(svc).prefix ?? '';
    const origins = [`${scheme}://${a.hostPort}${path}/`];
    if (a.port === (a.tls ? 443 : 80)) origins.push(`${scheme}://${a.host}${path}/`);
    for (const o of origins) {
      if (seen.has(o)) continue;
      seen.add(o);
      out.push(`proxy_redirect ${o} $scheme://$http_host/;`);
    }
  }
  return out;
}

function tlsLines(svc: ServiceSpec, notes: Notes): string[] {
  const tls = svc.tls ?? { verify: true };
  const out = ['proxy_ssl_server_name on;'];
  const hosts = [...new Set(svc.backends.map((b) => backendAddress(b).host))];
  const name = tls.servername ?? (hosts.length === 1 ? hosts[0]! : undefined);
  if (name !== undefined) {
    out.push(`proxy_ssl_name ${name};`);
    if (!tls.servername && isIpHost(name)) out.push(`# ${notes.note(svc.name, 'tls.servername', 'nearest', 'nginx checks a certificate by host name only; a backend addressed by IP needs tls.servername to be verified')}`);
  } else {
    out.push(`# ${notes.note(svc.name, 'tls.servername', 'nearest', 'nginx sends and verifies one name per upstream, not each backend URL\'s host: set tls.servername')}`);
  }
  if (tls.verify === false) return [...out, 'proxy_ssl_verify off;'];
  return [...out, 'proxy_ssl_verify on;', 'proxy_ssl_verify_depth 10;', `proxy_ssl_trusted_certificate ${tls.ca ?? SYSTEM_CA};`];
}

function streamServer(svc: ServiceSpec, i: number, notes: Notes): string[] {
  const name = ident('t', i, svc.name);
  const out: string[] = [`  # service "${svc.name}" (tcp, ${svc.strategy})`];
  const up = nginxUpstream(svc, name, notes, 'stream');
  out.push(...up.lines.map((l) => `  ${l}`));
  out.push('  server {', `    listen ${listenArg(svc.listen)};`);
  if (!up.hasServers) {
    out.push('    # no backend: connections are closed at once, as lbw does', '    return "";', '  }');
    return out;
  }
  out.push(`    proxy_pass ${name};`, `    proxy_connect_timeout ${ms(svc.timeouts.connectMs)};`, `    proxy_timeout ${idle(svc.timeouts.idleMs)};`);
  if (svc.retries.attempts <= 1) out.push('    proxy_next_upstream off;');
  else out.push('    proxy_next_upstream on;', `    proxy_next_upstream_tries ${svc.retries.attempts};`);
  out.push('  }');
  return out;
}

export const exportNginx: Exporter = (ws: WorkspaceSpec, meta: ExportMeta): ExportResult => {
  requireFixedPorts(ws, 'nginx');
  const notes = new Notes();
  const http = ws.services.map((s, i) => [s, i] as const).filter(([s]) => s.protocol === 'http');
  const tcp = ws.services.map((s, i) => [s, i] as const).filter(([s]) => s.protocol === 'tcp');
  const lines: string[] = headerLines('nginx', NGINX_TARGET, meta, ws).map((l) => `# ${l}`);
  lines.push(`# Run: nginx -p DIR -c DIR/nginx.conf (logs, pid and temporary files go to DIR)`, '');
  if (tcp.length > 0) {
    lines.push('# TCP services need the stream module; Debian ships it as libnginx-mod-stream', `load_module ${NGINX_STREAM_MODULE};`, '');
  }
  lines.push(
    'worker_processes auto;',
    'pid nginx.pid;',
    'error_log error.log notice;',
    'events { worker_connections 1024; }',
    '',
    'http {',
    '  access_log access.log;',
    '  client_body_temp_path client_body_temp;',
    '  proxy_temp_path proxy_temp;',
    '  fastcgi_temp_path fastcgi_temp;',
    '  uwsgi_temp_path uwsgi_temp;',
    '  scgi_temp_path scgi_temp;',
    '  # WebSocket upgrades pass through, as in lbw',
    '  map $http_upgrade $lbw_connection_upgrade {',
    '    default upgrade;',
    "    '' close;",
    '  }',
  );
  for (const [s, i] of http) lines.push('', ...httpServer(s, i, notes));
  lines.push('}');
  if (tcp.length > 0) {
    lines.push('', 'stream {');
    for (const [s, i] of tcp) lines.push('', ...streamServer(s, i, notes));
    lines.push('}');
  }
  return { engine: 'nginx', targets: NGINX_TARGET, files: [{ name: 'nginx.conf', text: `${lines.join('\n')}\n` }], warnings: notes.warnings };
};
