/**
 * `npm start` while the Electron runtime cannot be fetched (issue 16, bug
 * 14): it says at once what it is doing, gives up on a download that makes
 * no progress for the stall time (20 s; shortened here through
 * LBW_ELECTRON_STALL_MS), kills it, and starts browser mode; a download that
 * keeps making progress is waited for. A fake electron package
 * (LBW_ELECTRON_DIR) stands in for the real download; browser mode gets
 * --help, so `lbw serve` prints its usage and exits instead of serving.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const START = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'start.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-start-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fake electron package whose install.js runs `body` (its pid written to pid.txt). */
async function fakeElectron(name: string, body: string): Promise<string> {
  const pkg = join(dir, name);
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'install.js'), `require('fs').writeFileSync(${JSON.stringify(join(pkg, 'pid.txt'))}, String(process.pid));\n${body}\n`);
  return pkg;
}

function start(pkg: string) {
  const cache = join(dir, 'cache');
  const child = spawn(process.execPath, [START, '--help'], {
    env: { ...process.env, LBW_ELECTRON_DIR: pkg, LBW_ELECTRON_STALL_MS: '1500', electron_config_cache: cache, LBW_BROWSER: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<{ at: number; line: string }> = [];
  const t0 = Date.now();
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n').filter(Boolean)) lines.push({ at: Date.now() - t0, line });
  });
  const exit = new Promise<{ code: number | null; ms: number }>((resolve) => child.on('close', (code) => resolve({ code, ms: Date.now() - t0 })));
  return { lines, out: () => out, exit };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start without a reachable Electron download', () => {
  it('says at once that it is fetching, gives up after the stall time without progress, and starts browser mode', async () => {
    const pkg = await fakeElectron('hung', 'setInterval(() => {}, 1000); // a download that never moves');
    const run = start(pkg);
    const { code, ms } = await run.exit;
    expect(code).toBe(0);
    expect(run.lines[0]!.line).toBe(
      'lbw: fetching the Electron runtime (first run only); browser mode starts instead if the download makes no progress for 2 s...',
    );
    // At once: long before the stall time (generous for a loaded machine).
    expect(run.lines[0]!.at).toBeLessThan(1400);
    expect(run.lines[1]!.line).toBe(
      'lbw: the Electron runtime is not available (its download made no progress for 2 s); starting browser mode instead (LBW_BROWSER=1 skips the check).',
    );
    expect(run.lines[1]!.at).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(20_000);
    expect(run.out()).toContain('Usage: lbw serve');
    // The hung download was killed, not left behind.
    const pid = Number(await readFile(join(pkg, 'pid.txt'), 'utf8'));
    expect(alive(pid)).toBe(false);
  }, 30_000);

  it('waits for a download that keeps making progress past the stall time', async () => {
    // Prints progress every 300 ms for 3 s (twice the stall time), then fails as a download can.
    const pkg = await fakeElectron('slow', "let n = 0; const t = setInterval(() => { process.stderr.write('.'); if (++n === 10) { clearInterval(t); process.exit(1); } }, 300);");
    const run = start(pkg);
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(run.lines[1]!.line).toBe('lbw: the Electron runtime is not available (its download failed); starting browser mode instead (LBW_BROWSER=1 skips the check).');
    expect(run.lines[1]!.at).toBeGreaterThanOrEqual(2900);
  }, 30_000);
});
