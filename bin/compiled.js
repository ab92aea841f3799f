// The `lbw` CLI compiled to plain JavaScript, so it runs without a TypeScript
// loader in the process: tsx compiling at run time costs about 35 MB of RSS
// and a slower start. The bundle (build/lbw.mjs, with the load generator's
// worker beside it as build/worker.cjs) is made on first use and again
// whenever a source under core/ or cli/ is newer; npm packages stay external.
// Anything going wrong here means running from source through tsx instead.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** One level below the root: cli/serve.ts finds the root as its module's parent folder. */
const OUT_DIR = join(ROOT, 'build');
export const BUNDLE = join(OUT_DIR, 'lbw.mjs');
const WORKER = join(OUT_DIR, 'worker.cjs');
const SOURCES = ['core', 'cli', 'bin/compiled.js', 'tsconfig.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder's mtime
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function fresh() {
  if (!existsSync(BUNDLE) || !existsSync(WORKER)) return false;
  const built = Math.min(statSync(BUNDLE).mtimeMs, statSync(WORKER).mtimeMs);
  return SOURCES.every((p) => newestMtime(join(ROOT, p)) < built);
}

/** Builds one file to a temporary name and renames it into place, so parallel `lbw` starts never see half a file. */
function buildOne(esbuild, entry, outfile, format) {
  const tmp = `${outfile}.${process.pid}.tmp`;
  try {
    esbuild.buildSync({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      packages: 'external',
      tsconfig: join(ROOT, 'tsconfig.json'),
      logLevel: 'silent',
    });
    renameSync(tmp, outfile);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The path of an up-to-date compiled CLI, building it first when needed, or
 * null to run from source (LBW_FROM_SOURCE=1, or esbuild missing or failing).
 */
export async function compiledCli() {
  if (process.env.LBW_FROM_SOURCE === '1') return null;
  try {
    if (fresh()) return BUNDLE;
    const esbuild = await import('esbuild');
    mkdirSync(OUT_DIR, { recursive: true });
    // The worker first: a bundle without its worker beside it would fail only when load starts.
    buildOne(esbuild, 'core/demo/load/worker.ts', WORKER, 'cjs');
    buildOne(esbuild, 'cli/entry.ts', BUNDLE, 'esm');
    return BUNDLE;
  } catch {
    return null;
  }
}
