/**
 * The reference engine: Debian's nginx run as a child process with a config
 * generated into a temporary directory (`-p DIR`, pid and temp files there,
 * errors on stderr), in front of the same backends as lbw. The config is a
 * reasonable nginx reverse proxy set up to do what lbw does, so that what is
 * left between the two is behaviour, not configuration:
 *  - HTTP/1.1 keep-alive upstream (`proxy_http_version 1.1`, `Connection ""`),
 *    round-robin over the backends;
 *  - streaming both ways like lbw (`proxy_buffering off`,
 *    `proxy_request_buffering off`), no body size limit (lbw has none);
 *  - the client's Host passed on, X-Forwarded-For appended, X-Forwarded-Proto,
 *    -Host and -Port set by the proxy (the port from the Host header, as lbw
 *    takes it, 80 when it names none);
 *  - redirects to a backend's own origin rewritten to the origin the client
 *    used (`proxy_redirect http://127.0.0.1:PORT/ $scheme://$http_host/`
 *    per backend), lbw's default `rewriteRedirects`;
 *  - request header lines up to 16 KiB (`large_client_header_buffers 4 16k`),
 *    nginx's nearest to lbw's 16 KiB `limits.maxHeaderBytes`;
 *  - no retry to another backend after a failure (`proxy_next_upstream error
 *    timeout` is nginx's default and lbw's on connect errors: kept).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const NGINX = '/usr/sbin/nginx';

export interface Nginx {
  readonly port: number;
  /** What nginx wrote on stderr so far (its error log), for diagnosing a case. */
  stderr(): string;
  stop(): Promise<void>;
}

export function nginxInstalled(): boolean {
  return existsSync(NGINX);
}

/** A loopback port free a moment ago (bound to 0, then released) for nginx to listen on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function nginxConfig(dir: string, port: number, backendPorts: number[]): string {
  // As root the master would switch its worker to `nobody`, who cannot use the private temp directory.
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  return `
${user}
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  large_client_header_buffers 4 16k;
  client_max_body_size 0;

  map $http_host $forwarded_port {
    ~:(?<p>[0-9]+)$ $p;
    default 80;
  }

  upstream backends {
${backendPorts.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 16;
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Port $forwarded_port;
      proxy_buffering off;
      proxy_request_buffering off;
${backendPorts.map((p) => `      proxy_redirect http://127.0.0.1:${p}/ $scheme://$http_host/;`).join('\n')}
    }
  }
}
`;
}

/** Starts nginx and resolves once it accepts connections on its port. */
export async function startNginx(backendPorts: number[]): Promise<Nginx> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lbw-conformance-nginx-'));
  const port = await freePort();
  await writeFile(path.join(dir, 'nginx.conf'), nginxConfig(dir, port, backendPorts));
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', `pid ${dir}/nginx.pid; daemon off; error_log stderr warn;`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await Promise.race([waitForPort(port, 10_000), exited.then(() => false)]);
  if (!ready) {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start on 127.0.0.1:${port}:\n${stderr}`);
  }
  return {
    port,
    stderr: () => stderr,
    stop: async () => {
      await stopChild(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Stops nginx by its pid: SIGTERM (its fast shutdown, which stops the worker too), SIGKILL if it is still there after 5 s. */
async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls a connect to the port until it is accepted (a condition, not a fixed sleep). */
async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
