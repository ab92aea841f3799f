/**
 * The renderer bundle the e2e tests load: built once for all files when it
 * is missing or older than its sources.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../helpers/wait';
import { ROOT, trace, track } from './process';

/** Building the renderer: seconds with Vite 8 on a quiet machine, much longer on a loaded one. */
export const BUILD_TIMEOUT_MS = 240_000;

const BUILD_LOCK = join(tmpdir(), `lbw-e2e-renderer-build-${Buffer.from(ROOT).toString('base64url').slice(-24)}.lock`);
const DIST_INDEX = join(ROOT, 'renderer', 'dist', 'index.html');
/** What the renderer bundle is built from; a file here newer than the bundle means it is stale. */
const RENDERER_SOURCES = ['renderer', 'core/contract', 'core/model', 'vite.renderer.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function rendererStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return RENDERER_SOURCES.some((p) => newestMtime(join(ROOT, p)) > built);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds renderer/dist when it is missing or older than its sources, once for
 * all e2e files: a lock dir in the temp dir makes parallel files wait for the
 * one that builds rather than build over each other.
 */
export async function ensureRendererBuilt(): Promise<void> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    if (!rendererStale()) return;
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      // Someone else builds; take the lock over only if its owner died.
      const owner = Number(readIfExists(join(BUILD_LOCK, 'pid')));
      if (owner && !pidAlive(owner)) rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the renderer build (lock ${BUILD_LOCK}) did not finish in time`);
      await sleep(250);
      continue;
    }
    try {
      writeFileSync(join(BUILD_LOCK, 'pid'), String(process.pid));
      if (rendererStale()) {
        trace('building the renderer');
        await buildRenderer();
      }
      return;
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function buildRenderer(): Promise<void> {
  return new Promise((resolve, reject) => {
    const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const child = spawn(process.execPath, [vite, 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && existsSync(DIST_INDEX)) resolve();
      else reject(new Error(`vite build exited with ${code}:\n${output}`));
    });
  });
}
