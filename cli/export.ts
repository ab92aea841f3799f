/**
 * `lbw export FILE --to ENGINE [--out PATH] [--force]`: the workspace as a
 * complete config for nginx, HAProxy, Caddy, Envoy or Traefik, on stdout or
 * written to PATH under lbw's rule for files it writes (atomic, never through
 * a symlink, never over a file lbw did not write unless --force). What the
 * engine cannot express is one warning line each on stderr.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { safeWriteFile } from '../core/config/safe-write';
import { loadWorkspaceFile } from '../core/config/workspace-file';
import { ENGINES, exportWorkspace, isEngine, type ExportResult } from '../core/export/index';
import type { ExportFile } from '../core/export/types';
import { LbError } from '../core/model/errors';
import type { Io } from './run';
import { HELP, UsageError } from './usage';

/** The extensions each engine's file may be written with (`Caddyfile` has none). */
const EXTENSIONS: Record<string, readonly string[]> = {
  'nginx.conf': ['.conf'],
  'haproxy.cfg': ['.cfg', '.conf'],
  Caddyfile: ['', '.caddyfile', '.conf'],
};
const YAML = ['.yaml', '.yml'];

/** Text every exported file carries in its header comment: a file with it is one lbw wrote. */
const MARK = 'exported by LB Workbench';

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { to: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out.write(`${HELP.export}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one workspace file (lbw export FILE --to ENGINE)');
  if (values.to === undefined) throw new UsageError(`--to is required: one of ${ENGINES.join(', ')}`);
  if (!isEngine(values.to)) throw new UsageError(`--to must be one of ${ENGINES.join(', ')}, got "${values.to}"`);
  const file = positionals[0]!;
  const ws = await loadWorkspaceFile(file);
  const result = exportWorkspace(ws, values.to, { lbwVersion: lbwVersion(), workspace: resolve(file) });
  for (const w of result.warnings) io.err.write(`lbw export: warning: ${w.service}: ${w.feature} (${w.fidelity}): ${w.message}\n`);
  if (values.out === undefined) {
    const many = result.files.length > 1;
    io.out.write(result.files.map((f) => (many ? `# ---- ${f.name} ----\n${f.text}` : f.text)).join('\n'));
    return 0;
  }
  try {
    const written = await writeResult(result, values.out, values.force === true);
    io.err.write(`lbw export: wrote ${written.join(', ')} (${result.targets})\n`);
    return 0;
  } catch (err) {
    if (err instanceof LbError && (err.code === 'CONFLICT' || err.code === 'INPUT_INVALID')) {
      io.err.write(`lbw export: ${err.message}${err.code === 'CONFLICT' ? ' (--force overwrites it)' : ''}\n`);
      return 2;
    }
    throw err;
  }
}

/**
 * One file: --out is the file (or an existing directory to put it in).
 * Several (Traefik): --out is a directory, created when missing.
 */
async function writeResult(result: ExportResult, out: string, force: boolean): Promise<string[]> {
  const isDir = existsSync(out) && statSync(out).isDirectory();
  if (result.files.length === 1 && !isDir) return [await writeOne(result.files[0]!, out, force)];
  if (!isDir) {
    if (existsSync(out)) throw new LbError('INPUT_INVALID', `${out} is not a directory: ${result.engine} writes ${result.files.map((f) => f.name).join(' and ')} into one`);
    await mkdir(out, { recursive: true });
  }
  const written: string[] = [];
  for (const f of result.files) written.push(await writeOne(f, join(out, f.name), force));
  return written;
}

async function writeOne(f: ExportFile, path: string, force: boolean): Promise<string> {
  const extensions = EXTENSIONS[f.name] ?? YAML;
  await safeWriteFile(path, f.text, { what: `a ${f.name} export`, extensions, ours: isOurs, overwrite: force });
  return path;
}

/** Whether the file's first lines carry the export header. */
async function isOurs(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8').includes(MARK);
  } finally {
    await handle.close();
  }
}

let version: string | undefined;

/** This installation's version, from the package.json found walking up from this module (source, build/ or .vite/build). */
export function lbwVersion(): string {
  if (version) return version;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lb-workbench' && pkg.version) return (version = pkg.version);
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (version = 'unknown');
}
