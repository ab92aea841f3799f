/**
 * `lbw init [FILE]` and demo workspaces under `lbw run` (issue 16, bug 1):
 * init writes the demo workspace for a newcomer to edit (never over an
 * existing file without --force), and `lbw run` on that file, or on a demo
 * workspace the Workbench saved and stopped, starts the demo backends and
 * serves. Child processes on loopback, each bounded.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo } from '../../core/demo';
import { Workbench } from '../../core/workbench';
import { send } from '../helpers/http-client';
import { useLbw, type Running } from '../helpers/lbw-process';
import { waitFor } from '../helpers/wait';

let dir: string;
const spawnLbw = useLbw();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-init-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lbw(args: string[], cwd = dir): Running {
  return spawnLbw(args, { cwd });
}

/** Runs `lbw run FILE --plain --no-watch`, waits until it listens and every demo backend is healthy, and sends requests through it. */
async function expectServes(file: string): Promise<void> {
  const run = lbw(['run', file, '--plain']);
  const port = Number(
    (await waitFor(() => /demo listening on 127\.0\.0\.1:(\d+)/.exec(run.out())?.[1], { timeoutMs: 30_000, message: `lbw run listening (${run.err()})` })),
  );
  for (const name of ['alpha', 'bravo', 'charlie']) {
    await waitFor(() => new RegExp(`demo/${name} \\S+ -> healthy`).test(run.out()), { timeoutMs: 20_000, message: `${name} healthy` });
  }
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await send(port)).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  expect(run.out()).not.toMatch(/ECONNREFUSED|unhealthy/);
  run.child.kill('SIGINT');
  expect(await run.exit).toBe(0);
}

describe('lbw init', () => {
  it('writes the demo workspace, with demo backends by name, and lbw run serves it', async () => {
    const file = join(dir, 'first.json');
    const init = lbw(['init', file, '--listen', '127.0.0.1:0']);
    expect(await init.exit).toBe(0);
    expect(init.out()).toContain(`wrote ${file}`);
    const ws = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> & { services: Array<{ listen: string; backends: unknown[] }> };
    expect(ws.$schema).toBeDefined();
    expect(ws.services[0]!.listen).toBe('127.0.0.1:0');
    expect(ws.services[0]!.backends).toEqual([
      { demo: 'alpha', weight: 1, state: 'active', backup: false },
      { demo: 'bravo', weight: 1, state: 'active', backup: false },
      { demo: 'charlie', weight: 1, state: 'active', backup: false },
    ]);
    expect((ws.demos as Array<{ name: string }>).map((d) => d.name)).toEqual(['alpha', 'bravo', 'charlie']);
    const check = lbw(['validate', file]);
    expect(await check.exit).toBe(0);
    await expectServes(file);
  }, 60_000);

  it('writes lbw.json in the current folder by default, and never over an existing file without --force', async () => {
    const sub = await mkdtemp(join(dir, 'cwd-'));
    const first = lbw(['init'], sub);
    expect(await first.exit).toBe(0);
    const text = await readFile(join(sub, 'lbw.json'), 'utf8');
    expect(JSON.parse(text).services[0].listen).toBe('127.0.0.1:8080');

    await writeFile(join(sub, 'lbw.json'), '{"mine": true}\n');
    const again = lbw(['init'], sub);
    expect(await again.exit).toBe(2);
    expect(again.err()).toBe('lbw init: lbw.json already exists: give another file name, or --force to replace it\n');
    expect(await readFile(join(sub, 'lbw.json'), 'utf8')).toBe('{"mine": true}\n');

    const forced = lbw(['init', '--force'], sub);
    expect(await forced.exit).toBe(0);
    expect(await readFile(join(sub, 'lbw.json'), 'utf8')).toBe(text);
  });

  it('refuses a file that is not .json', async () => {
    const init = lbw(['init', join(dir, 'demo.yaml')]);
    expect(await init.exit).toBe(2);
    expect(init.err()).toMatch(/^lbw init: cannot write .*demo\.yaml: a workspace is written to a \.json file\n$/);
  });
});

describe('lbw run on a demo workspace the workbench saved', () => {
  it('starts the demo backends again after everything stopped, and serves', async () => {
    const demo = await createDemo({ listen: '127.0.0.1:0' });
    const wb = new Workbench({ workspace: demo.workspace, demo: demo.fleet, tickMs: 100 });
    await wb.start({ failFast: true });
    const file = join(dir, 'saved.json');
    expect((await wb.invoke('workspace:save', { path: file })).ok).toBe(true);
    await wb.stop(0);
    await expectServes(file);
  }, 60_000);
});
