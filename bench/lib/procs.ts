/**
 * The processes one bench run starts, and their teardown. Every child is
 * registered by pid when spawned; `stopAll()` ends each one by its pid
 * (SIGTERM, then SIGKILL after a grace period), descendants included (nginx
 * workers, cluster workers), and it runs on normal exit, on Ctrl-C and on
 * errors. Nothing is ever killed by name.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { descendants } from './proc-stats';

/** The repository root: every child runs here, so `--import tsx` and relative paths resolve. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  /** Last lines of stderr/stdout, for error messages. */
  tail(): string;
}

const STOP_GRACE_MS = 3000;

export class ProcessGroup {
  private readonly procs = new Map<number, Managed>();
  private readonly logs: WriteStream[] = [];
  private stopping: Promise<void> | undefined;

  /** Starts `cmd` and registers it; its output goes to `logFile` (and a short in-memory tail). */
  start(name: string, cmd: string, args: string[], opts: SpawnOptions & { logFile?: string } = {}): Managed {
    const { logFile, ...spawnOpts } = opts;
    const child = spawn(cmd, args, { cwd: ROOT, ...spawnOpts, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      child.once('error', () => {}); // reported by the throw below
      throw new Error(`cannot start ${name}: ${cmd} did not spawn`);
    }
    const pid = child.pid;
    let tail = '';
    const log = logFile ? createWriteStream(logFile) : undefined;
    if (log) this.logs.push(log);
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-2000);
      log?.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        this.procs.delete(pid);
        resolve(signal ?? String(code));
      });
      child.once('error', (err) => {
        this.procs.delete(pid);
        resolve(`error: ${err.message}`);
      });
    });
    const managed: Managed = { name, pid, child, exited, tail: () => tail.trim() };
    this.procs.set(pid, managed);
    return managed;
  }

  /** Stops one process (and what it started) by pid; resolves when it has exited. */
  async stop(p: Managed, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.procs.has(p.pid)) return;
    const kids = descendants(p.pid);
    signalPid(p.pid, signal);
    const timer = setTimeout(() => {
      signalPid(p.pid, 'SIGKILL');
    }, STOP_GRACE_MS);
    await p.exited;
    clearTimeout(timer);
    // Whatever it started and left behind (it should have stopped them itself).
    for (const kid of kids) signalPid(kid, 'SIGKILL');
  }

  /** Stops every registered process, all of them by pid; safe to call more than once. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([...this.procs.values()].map((p) => this.stop(p)));
      for (const log of this.logs) log.end();
    })();
    return this.stopping;
  }

  /** Last resort on a synchronous exit: SIGKILL whatever is still registered. */
  killNow(): void {
    for (const p of this.procs.values()) {
      for (const kid of descendants(p.pid)) signalPid(kid, 'SIGKILL');
      signalPid(p.pid, 'SIGKILL');
    }
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Waits until `url` answers any HTTP status, or throws after `timeoutMs`
 * (naming the process and its last output when it died first).
 */
export async function waitForHttp(url: string, p: Managed | undefined, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead: string | undefined;
  void p?.exited.then((code) => (dead = code));
  for (;;) {
    if (dead !== undefined) throw new Error(`${p?.name} exited (${dead}) before it answered: ${p?.tail()}`);
    if (await answers(url)) return;
    if (Date.now() > deadline) throw new Error(`${p?.name ?? url} did not answer on ${url} within ${timeoutMs} ms: ${p?.tail() ?? ''}`);
    await sleep(100);
  }
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(true));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
