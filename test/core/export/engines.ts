/**
 * The engines an export is proven on: Debian's nginx, HAProxy and Caddy run
 * as child processes this test owns (stopped by pid), each on a config
 * exported into a temporary directory; their own config checks; and small
 * loopback backends that count the requests they serve (health checks
 * apart, so a split counts traffic only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseWorkspace } from '../../../core/config/workspace-file';
import { exportWorkspace } from '../../../core/export/index';
import { NGINX_STREAM_MODULE } from '../../../core/export/nginx';
import type { ExportResult } from '../../../core/export/types';
import type { WorkspaceInput } from '../../../core/model/spec';

export type RunnableEngine = 'nginx' | 'haproxy' | 'caddy';

export const BINARIES: Record<RunnableEngine, string> = { nginx: '/usr/sbin/nginx', haproxy: '/usr/sbin/haproxy', caddy: '/usr/bin/caddy' };
/** Whether the engine is here (nginx with Debian's stream module, which TCP services need); .ci/run installs all three. */
export const installed = (e: RunnableEngine): boolean => existsSync(BINARIES[e]) && (e !== 'nginx' || existsSync(NGINX_STREAM_MODULE));

export const META = { lbwVersion: '0.0.0-test', workspace: '/test/workspace.json' };

/** Exports an input workspace (validated as lbw would) to `engine`. */
export function exportInput(input: WorkspaceInput, engine: string): ExportResult {
  return exportWorkspace(parseWorkspace(input), engine, META);
}

/** A loopback port free a moment ago, for a service to listen on. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A temporary directory holding the exported files. */
export async function writeExport(result: ExportResult): Promise<{ dir: string; file: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `lbw-export-${result.engine}-`));
  for (const f of result.files) await writeFile(path.join(dir, f.name), f.text);
  return { dir, file: path.join(dir, result.files[0]!.name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Caddy keeps its data and config under HOME/XDG folders: the temporary directory, not the user's. */
const caddyEnv = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir });

/** As root nginx's workers would switch to `nobody`; they stay root so they can use the private directory. */
const nginxGlobals = (extra: string): string => `${process.getuid?.() === 0 ? 'user root root; ' : ''}${extra}`;

/** The engine's own config check; resolves with its exit code and output. */
export function checkConfig(engine: RunnableEngine, dir: string, file: string): Promise<{ code: number | null; output: string }> {
  const args =
    engine === 'nginx'
      ? ['-t', '-p', dir, '-c', file, '-e', 'stderr', '-g', nginxGlobals('')]
      : engine === 'haproxy'
        ? ['-c', '-f', file]
        : ['validate', '--config', file, '--adapter', 'caddyfile'];
  return new Promise((resolve) => {
    const child = spawn(BINARIES[engine], args, { cwd: dir, env: engine === 'caddy' ? caddyEnv(dir) : process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

export interface RunningEngine {
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the engine on the exported file and resolves once every port in `ports` accepts connections. */
export async function startEngine(engine: RunnableEngine, dir: string, file: string, ports: number[]): Promise<RunningEngine> {
  const args =
    engine === 'nginx'
      ? ['-p', dir, '-c', file, '-e', 'stderr', '-g', nginxGlobals('daemon off;')]
      : engine === 'haproxy'
        ? ['-db', '-f', file]
        : ['run', '--config', file, '--adapter', 'caddyfile'];
  const child = spawn(BINARIES[engine], args, { cwd: dir, env: engine === 'caddy' ? caddyEnv(dir) : process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: RunningEngine = { pid: child.pid!, output: () => output, stop: () => stopChild(child, exited) };
  const deadline = Date.now() + 15_000;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await running.stop();
        throw new Error(`${engine} did not start listening on ${port}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return running;
}

/** SIGTERM to the engine's pid (each shuts its workers down), SIGKILL if still there after 5 s. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export const HEALTH_PATH = '/health';

export interface CountingBackend {
  readonly port: number;
  readonly url: string;
  /** Requests served, health checks apart. */
  readonly hits: number;
  /** Their request targets, in order. */
  readonly urls: string[];
  /** Stops listening and drops open connections: the backend is dead. */
  close(): Promise<void>;
}

/**
 * An HTTP backend answering 200 with its name (or, with `redirect`, a 302 to
 * that path on its own origin); counts every request but health checks on HEALTH_PATH.
 */
export async function countingBackend(name: string, opts: { redirect?: string; status?: number } = {}): Promise<CountingBackend> {
  let hits = 0;
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.url !== HEALTH_PATH) hits++;
    if (req.url !== HEALTH_PATH) urls.push(req.url ?? '');
    res.setHeader('x-backend', name);
    if (opts.status !== undefined && req.url !== HEALTH_PATH) res.statusCode = opts.status;
    if (opts.redirect !== undefined && req.url !== HEALTH_PATH) {
      res.statusCode = 302;
      res.setHeader('location', `http://127.0.0.1:${(server.address() as net.AddressInfo).port}${opts.redirect}`);
    }
    res.end(name);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    urls,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One GET on a fresh connection (no keep-alive, so nothing is pinned to a backend); the status and which backend answered. */
export function get(port: number, headers: http.OutgoingHttpHeaders = {}, method = 'GET', path = '/'): Promise<{ status: number; backend: string | undefined; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, backend: res.headers['x-backend'] as string | undefined, location: res.headers.location }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end(method === 'POST' ? 'order=1' : undefined);
  });
}

/** `n` GETs one after another; resolves with the statuses in order. */
export async function getMany(port: number, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await get(port)).status);
  return statuses;
}

/** One TCP connection: sends `text`, resolves with what comes back before the backend closes or `text` is echoed. */
export function tcpEcho(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('connect', () => s.write(text));
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) s.end();
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('no echo within 10 s')));
  });
}
