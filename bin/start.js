#!/usr/bin/env node
// `npm start`: the Electron app where the Electron runtime is present or can be
// fetched; otherwise one plain line saying so, and browser mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const args = process.argv.slice(2);

function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

function ensureElectron() {
  if (!existsSync(join(electronDir, 'install.js'))) return { ok: false, why: 'the electron package is not installed' };
  if (electronBinary()) return { ok: true };
  // The runtime is fetched on first use; bounded so a dead network does not hang the start.
  const res = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 180_000 });
  if (res.status === 0 && electronBinary()) return { ok: true };
  return { ok: false, why: 'its download failed' };
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: root });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const electron = process.env.LBW_BROWSER === '1' ? { ok: false, why: 'LBW_BROWSER=1 was set' } : ensureElectron();
if (electron.ok) {
  run(process.execPath, [join(root, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js'), 'start', ...(args.length ? ['--', ...args] : [])]);
} else {
  console.log(`lbw: the Electron runtime is not available (${electron.why}); starting browser mode instead.`);
  run(process.execPath, [join(root, 'bin', 'lbw.js'), 'serve', ...args]);
}
