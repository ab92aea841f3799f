/**
 * `lbw` as a child process, run the way a user runs it (bin/lbw.js): its
 * output collected as it comes, its exit awaited. A test file's children are
 * killed after each test (or after the file, for one shared across tests), so
 * a failed test leaves nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';

export const LBW = join(__dirname, '..', '..', 'bin', 'lbw.js');

export interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

export interface LbwOptions {
  cwd?: string;
  /** Added to (or, when undefined, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
}

/** A spawner whose children end with each test (`each`) or with the file (`all`). */
export function useLbw(killAfter: 'each' | 'all' = 'each'): (args: readonly string[], opts?: LbwOptions) => Running {
  const children: ChildProcess[] = [];
  (killAfter === 'each' ? afterEach : afterAll)(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  return (args, opts = {}) => {
    const env = opts.env ? { ...process.env, ...opts.env } : process.env;
    const child = spawn(process.execPath, [LBW, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, out: () => out, err: () => err, exit };
  };
}
