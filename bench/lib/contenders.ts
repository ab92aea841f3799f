/**
 * The backends and the contenders of one bench run: how each is started, on
 * which port, and which processes its CPU and memory are read from. Every
 * process goes through the run's ProcessGroup, so it is stopped by pid.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { haproxyConf, lbwWorkspace, nginxBackendsConf, nginxProxyConf } from './configs';
import { pinned } from './load';
import { tree } from './proc-stats';
import { waitForHttp, type Managed, type ProcessGroup } from './procs';

export type ContenderId = 'direct' | 'http-proxy' | 'lbw' | 'lbw-full' | 'lbw-access-log' | 'lbw-baseline' | 'nginx' | 'haproxy' | 'lbw-full-x2' | 'node-forward';

export interface Contender {
  id: ContenderId;
  label: string;
  /** Where the load goes. */
  url: string;
  /** The processes whose CPU and memory count (none for `direct`). */
  pids(): number[];
  /** A bench-only prototype rather than a shipped configuration. */
  experiment: boolean;
  /** Its process (none for `direct`). */
  proc: Managed | undefined;
}

export interface Rig {
  group: ProcessGroup;
  /** Scratch directory for configs and logs. */
  dir: string;
  bodyBytes: number;
  /** CPUs for proxies (taskset), or undefined when not pinning. */
  proxyCpus: string | undefined;
  /** CPUs for the backends and the load generator. */
  rigCpus: string | undefined;
  /** CPUs for multi-process prototypes (all of them). */
  allCpus: string | undefined;
  /** `--baseline REF`: a checkout of an earlier lbw, measured beside this one ('lbw-baseline'). */
  baseline?: { ref: string; dir: string };
}

export const ALL_CONTENDERS: readonly ContenderId[] = ['direct', 'http-proxy', 'lbw', 'lbw-full', 'lbw-access-log', 'nginx', 'haproxy', 'lbw-full-x2', 'node-forward'];

export function installed(cmd: string): boolean {
  const r = spawnSync(cmd, ['-v']);
  return !r.error;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const TSX = ['--import', 'tsx'];

/** Starts `count` backends (nginx when installed and wanted, else Node) and returns their URLs. */
export async function startBackends(rig: Rig, kind: 'nginx' | 'node', count = 3): Promise<{ urls: string[]; proc: Managed }> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  let proc: Managed;
  if (kind === 'nginx') {
    const conf = join(rig.dir, 'backends.conf');
    writeFileSync(conf, nginxBackendsConf(rig.dir, ports, rig.bodyBytes));
    const [cmd, args] = pinned(rig.rigCpus, 'nginx', ['-p', rig.dir, '-e', join(rig.dir, 'backends-error.log'), '-c', conf]);
    proc = rig.group.start('nginx backends', cmd, args, { logFile: join(rig.dir, `backends-${ports[0]}.log`) });
  } else {
    const [cmd, args] = pinned(rig.rigCpus, process.execPath, [...TSX, 'bench/servers/backend.ts', String(rig.bodyBytes), ...ports.map(String)]);
    proc = rig.group.start('node backends', cmd, args, { logFile: join(rig.dir, `backends-${ports[0]}.log`) });
  }
  for (const u of urls) await waitForHttp(`${u}/`, proc);
  return { urls, proc };
}

/** Starts one contender in front of `backends` and waits until it answers. */
export async function startContender(rig: Rig, id: ContenderId, backends: readonly string[]): Promise<Contender> {
  if (id === 'direct') {
    return { id, label: 'direct to one backend (ceiling)', url: `${backends[0]}/`, pids: () => [], experiment: false, proc: undefined };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const log = { logFile: join(rig.dir, `${id}.log`) };
  const node = (cpus: string | undefined, args: string[]) => pinned(cpus, process.execPath, args);
  let cmd: string;
  let args: string[];
  let label: string;
  let experiment = false;
  switch (id) {
    case 'http-proxy':
      label = 'bare http-proxy (keep-alive, round-robin)';
      [cmd, args] = node(rig.proxyCpus, [...TSX, 'bench/servers/bare-proxy.ts', String(port), ...backends]);
      break;
    case 'lbw':
    case 'lbw-full': {
      label = id === 'lbw' ? 'LB Workbench, default (health checks, stats)' : 'LB Workbench, every feature on';
      const ws = writeWorkspace(rig, id === 'lbw' ? 'default' : 'full', port, backends);
      [cmd, args] = node(rig.proxyCpus, ['bin/lbw.js', 'run', '--plain', ws]);
      break;
    }
    case 'lbw-access-log': {
      // lbw-full plus the access log (one JSON line per request to a file): what the log costs.
      label = 'LB Workbench, every feature on, --access-log to a file';
      const ws = writeWorkspace(rig, 'full', port, backends);
      [cmd, args] = node(rig.proxyCpus, ['bin/lbw.js', 'run', '--plain', '--access-log', join(rig.dir, `access-${port}.log`), ws]);
      break;
    }
    case 'lbw-baseline': {
      if (!rig.baseline) throw new Error('lbw-baseline needs --baseline REF');
      label = `LB Workbench at ${rig.baseline.ref}, every feature on`;
      const ws = writeWorkspace(rig, 'full', port, backends);
      [cmd, args] = node(rig.proxyCpus, [join(rig.baseline.dir, 'bin', 'lbw.js'), 'run', '--plain', ws]);
      break;
    }
    case 'lbw-full-x2': {
      label = 'LB Workbench, every feature on, 2 worker processes (prototype)';
      experiment = true;
      const ws = writeWorkspace(rig, 'full', port, backends);
      [cmd, args] = node(rig.allCpus, [...TSX, 'bench/servers/lbw-cluster.ts', '2', ws]);
      break;
    }
    case 'node-forward':
      label = 'plain node:http forwarding, no http-proxy (prototype)';
      experiment = true;
      [cmd, args] = node(rig.proxyCpus, [...TSX, 'bench/servers/node-forward.ts', String(port), ...backends]);
      break;
    case 'nginx': {
      label = 'nginx (1 worker, upstream keepalive)';
      const conf = join(rig.dir, 'proxy.conf');
      writeFileSync(conf, nginxProxyConf(rig.dir, port, backends));
      [cmd, args] = pinned(rig.proxyCpus, 'nginx', ['-p', rig.dir, '-e', join(rig.dir, 'proxy-error.log'), '-c', conf]);
      break;
    }
    case 'haproxy': {
      label = 'HAProxy (nbthread 1, http-reuse always)';
      const conf = join(rig.dir, 'haproxy.cfg');
      writeFileSync(conf, haproxyConf(port, backends));
      [cmd, args] = pinned(rig.proxyCpus, 'haproxy', ['-db', '-f', conf]);
      break;
    }
  }
  const proc = rig.group.start(id, cmd, args, log);
  await waitForHttp(url, proc, 30_000);
  return { id, label, url, pids: () => tree(proc.pid), experiment, proc };
}

/** Writes an lbw workspace file for `kind` and returns its path. */
export function writeWorkspace(rig: Rig, kind: 'default' | 'full', port: number, backends: readonly string[]): string {
  mkdirSync(rig.dir, { recursive: true });
  const path = join(rig.dir, `workspace-${kind}-${port}.json`);
  writeFileSync(path, JSON.stringify(lbwWorkspace(kind, port, backends), null, 2));
  return path;
}
