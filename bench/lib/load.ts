/**
 * The load generator, always in its own process: wrk when installed (one
 * thread per `threads`, keep-alive connections, latency percentiles through
 * bench/wrk-report.lua), otherwise bench/load-client.ts, a slower Node client
 * with the same closed-loop model and output.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProcessGroup } from './procs';

export interface LoadResult {
  rps: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors, timeouts and non-2xx/3xx answers. */
  errors: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  threads: number;
  /** CPUs to pin the load generator to (taskset -c), or undefined. */
  cpus?: string;
}

const LUA = fileURLToPath(new URL('../wrk-report.lua', import.meta.url));
const CLIENT = fileURLToPath(new URL('../load-client.ts', import.meta.url));

export type LoadTool = 'wrk' | 'node';

export function detectLoadTool(): LoadTool {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return r.error ? 'node' : 'wrk';
}

export function hasTaskset(): boolean {
  return !spawnSync('taskset', ['-c', '0', 'true']).error;
}

/** Wraps a command in `taskset -c cpus` when cpus are given. */
export function pinned(cpus: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return cpus === undefined ? [cmd, args] : ['taskset', ['-c', cpus, cmd, ...args]];
}

export async function runLoad(group: ProcessGroup, tool: LoadTool, o: LoadOptions): Promise<LoadResult> {
  const [cmd, args] =
    tool === 'wrk'
      ? pinned(o.cpus, 'wrk', [`-t${Math.min(o.threads, o.connections)}`, `-c${o.connections}`, `-d${o.seconds}s`, '--timeout', '5s', '-s', LUA, o.url])
      : pinned(o.cpus, process.execPath, ['--import', 'tsx', CLIENT, o.url, String(o.connections), String(o.seconds)]);
  const p = group.start(`load(${tool})`, cmd, args);
  let out = '';
  p.child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => void group.stop(p, 'SIGKILL'), (o.seconds + 15) * 1000);
  await p.exited;
  clearTimeout(timer);
  const line = /WRK_JSON (\{.*\})/.exec(out)?.[1];
  if (!line) throw new Error(`load generator gave no result for ${o.url}: ${p.tail()}`);
  const r = JSON.parse(line) as Record<string, number>;
  const n = (k: string) => r[k] ?? 0;
  const seconds = n('durationUs') / 1e6;
  return {
    rps: seconds > 0 ? n('requests') / seconds : 0,
    requests: n('requests'),
    p50Ms: n('p50Us') / 1000,
    p90Ms: n('p90Us') / 1000,
    p99Ms: n('p99Us') / 1000,
    maxMs: n('maxUs') / 1000,
    errors: n('connectErrors') + n('readErrors') + n('writeErrors') + n('statusErrors') + n('timeouts'),
    seconds,
  };
}
