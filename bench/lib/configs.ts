/**
 * Configuration text for the contenders that need a file: nginx (as the
 * backends and as a proxy), HAProxy and the LB Workbench workspaces. Kept
 * apart from the process handling so each config reads as one block.
 */

/** Directives every nginx instance here shares: a private prefix, no logs on the hot path, unlimited keep-alive requests. */
function nginxCommon(dir: string, name: string, workers: number): string {
  return `worker_processes ${workers};
daemon off;
pid ${dir}/${name}.pid;
error_log ${dir}/${name}-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  client_body_temp_path ${dir}/${name}-body;
  proxy_temp_path ${dir}/${name}-proxy;
  fastcgi_temp_path ${dir}/${name}-fastcgi;
  uwsgi_temp_path ${dir}/${name}-uwsgi;
  scgi_temp_path ${dir}/${name}-scgi;
  keepalive_timeout 65s;
  keepalive_requests 100000000;
  client_max_body_size 0;
`;
}

/** nginx as the backends: one worker listening on every port, answering a fixed body to any method and path. */
export function nginxBackendsConf(dir: string, ports: readonly number[], bodyBytes: number): string {
  const body = 'x'.repeat(Math.max(0, bodyBytes - 1));
  const servers = ports.map((p) => `  server { listen 127.0.0.1:${p}; location / { return 200 "${body}\\n"; } }`).join('\n');
  return `${nginxCommon(dir, 'backends', 1)}${servers}\n}\n`;
}

/** nginx as the reference proxy: one worker, round-robin upstream with keep-alive connections. */
export function nginxProxyConf(dir: string, port: number, backends: readonly string[]): string {
  const servers = backends.map((b) => `    server ${new URL(b).host};`).join('\n');
  return `${nginxCommon(dir, 'proxy', 1)}  upstream be {
${servers}
    keepalive 256;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
}

/** HAProxy as the other reference: one thread, round-robin, server connections reused. */
export function haproxyConf(port: number, backends: readonly string[]): string {
  const servers = backends.map((b, i) => `  server b${i + 1} ${new URL(b).host}`).join('\n');
  return `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  balance roundrobin
${servers}
`;
}

/**
 * LB Workbench workspaces. `default`: what a user gets by writing a workspace
 * with a health check (retries are on by default, stats always are).
 * `full`: every feature on: active and passive health, retries.
 */
export function lbwWorkspace(kind: 'default' | 'full', port: number, backends: readonly string[]): object {
  const service: Record<string, unknown> = {
    name: `bench-${kind}`,
    protocol: 'http',
    listen: `127.0.0.1:${port}`,
    strategy: 'round-robin',
    backends: backends.map((url) => ({ url })),
    healthCheck: { path: '/health', intervalMs: 1000 },
  };
  if (kind === 'full') {
    service.passiveHealth = { enabled: true };
    service.retries = { attempts: 3 };
  }
  return { services: [service] };
}
