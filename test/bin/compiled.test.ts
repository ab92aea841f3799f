/**
 * bin/compiled.js: `lbw` runs as plain JavaScript compiled from the sources,
 * rebuilt when they change, and behaves exactly as the TypeScript source run
 * through tsx does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', '..', 'bin');

interface Compiled {
  BUNDLE: string;
  compiledCli(): Promise<string | null>;
}
const load = async () => (await import(pathToFileURL(join(BIN, 'compiled.js')).href)) as Compiled;

function lbw(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [join(BIN, 'lbw.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('the compiled CLI', () => {
  it('is built with its load worker beside it, and rebuilt once older than its sources', async () => {
    const { BUNDLE, compiledCli } = await load();
    expect(await compiledCli()).toBe(BUNDLE);
    expect(existsSync(join(BUNDLE, '..', 'worker.cjs'))).toBe(true);

    // Up to date: the same file is used again, not rebuilt.
    const built = statSync(BUNDLE).mtimeMs;
    expect(await compiledCli()).toBe(BUNDLE);
    expect(statSync(BUNDLE).mtimeMs).toBe(built);

    // Older than every source (as after editing one): rebuilt.
    utimesSync(BUNDLE, new Date(0), new Date(0));
    expect(await compiledCli()).toBe(BUNDLE);
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThan(0);
  });

  it('answers as the TypeScript source does', () => {
    for (const args of [['--help'], ['validate', '/nonexistent/workspace.json'], ['run', '--strategy', 'nope', 'http://127.0.0.1:1']]) {
      const compiled = lbw(args);
      const source = lbw(args, { LBW_FROM_SOURCE: '1' });
      expect(compiled.status, args.join(' ')).toBe(source.status);
      expect(compiled.stdout).toBe(source.stdout);
      expect(compiled.stderr).toBe(source.stderr);
    }
    // ...and those answers are the CLI's own, not a loader's error.
    expect(lbw(['--help']).stdout).toMatch(/^lbw — LB Workbench/);
    expect(lbw(['validate', '/nonexistent/workspace.json']).status).toBe(2);
  });
});
