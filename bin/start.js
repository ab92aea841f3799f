#!/usr/bin/env node
// `npm start`: the Electron app where the Electron runtime is present or can be
// fetched; otherwise one plain line saying so, and browser mode instead. A
// first run says at once that it is fetching the runtime, and gives up on a
// download that shows no progress for 20 s (a hung network), so the user
// never waits in silence.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// LBW_ELECTRON_DIR and LBW_ELECTRON_STALL_MS let a test stand in a slow or hung download.
const electronDir = process.env.LBW_ELECTRON_DIR || join(root, 'node_modules', 'electron');
const STALL_MS = Number(process.env.LBW_ELECTRON_STALL_MS) || 20_000;
/** The whole fetch, even while it progresses. */
const MAX_MS = 180_000;
const args = process.argv.slice(2);

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

/** Bytes under a folder, two levels deep: the download cache and the unpacked runtime grow while a fetch makes progress. */
function bytesUnder(dir, depth = 2) {
  let total = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isFile()) total += statSync(path).size;
      else if (entry.isDirectory() && depth > 0) total += bytesUnder(path, depth - 1);
    }
  } catch {
    // Not there (yet).
  }
  return total;
}

function cacheDir() {
  return process.env.electron_config_cache || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'electron');
}

/** Runs electron's install.js; resolves when it ends, or kills it when nothing moved for STALL_MS. */
function fetchElectron() {
  console.log(`lbw: fetching the Electron runtime (first run only); browser mode starts instead if the download makes no progress for ${Math.round(STALL_MS / 1000)} s...`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = Date.now();
    let lastProgress = started;
    let seen = -1;
    const progress = () => (lastProgress = Date.now());
    child.stdout.on('data', progress);
    child.stderr.on('data', progress);
    const watch = setInterval(() => {
      const bytes = bytesUnder(cacheDir()) + bytesUnder(join(electronDir, 'dist'));
      if (bytes !== seen) {
        if (seen !== -1) progress();
        seen = bytes;
      }
      const now = Date.now();
      if (now - lastProgress >= STALL_MS) finish({ ok: false, why: `its download made no progress for ${Math.round(STALL_MS / 1000)} s` });
      else if (now - started >= MAX_MS) finish({ ok: false, why: `its download took over ${MAX_MS / 1000} s` });
    }, Math.min(1000, STALL_MS / 4));
    let done = false;
    function finish(result) {
      if (done) return;
      done = true;
      clearInterval(watch);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(result);
    }
    child.on('error', () => finish({ ok: false, why: 'its download could not start' }));
    child.on('exit', (code) => finish(code === 0 && electronBinary() ? { ok: true } : { ok: false, why: 'its download failed' }));
  });
}

async function ensureElectron() {
  if (!existsSync(join(electronDir, 'install.js'))) return { ok: false, why: 'the electron package is not installed' };
  if (electronBinary()) return { ok: true };
  return fetchElectron();
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: root });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const electron = process.env.LBW_BROWSER === '1' ? { ok: false, why: 'LBW_BROWSER=1 was set' } : await ensureElectron();
if (electron.ok) {
  run(process.execPath, [join(root, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js'), 'start', ...(args.length ? ['--', ...args] : [])]);
} else {
  console.log(`lbw: the Electron runtime is not available (${electron.why}); starting browser mode instead (LBW_BROWSER=1 skips the check).`);
  run(process.execPath, [join(root, 'bin', 'lbw.js'), 'serve', ...args]);
}
