/**
 * A backend URL twice in one service (issue 16, bug 6): it doubles that
 * backend's share, so backends:add and backends:update refuse it with
 * CONFLICT and a message that says so, unless the user confirmed
 * (`allowDuplicate: true`); a workspace file with one is accepted (it may be
 * deliberate) with a warning line from `lbw validate` and `lbw run`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { duplicateUrlWarnings } from '../../../core/config/duplicates';
import { parseWorkspace } from '../../../core/config/workspace-file';
import { Workbench } from '../../../core/workbench';
import { useLbw } from '../../helpers/lbw-process';
import { waitFor } from '../../helpers/wait';

let dir: string;
const workbenches: Workbench[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-dup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(workbenches.splice(0).map((wb) => wb.stop(0)));
});

const WORKSPACE = {
  services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }, { url: 'http://127.0.0.1:3002', name: 'b' }] }],
};

function workbench(): Workbench {
  const wb = new Workbench({ dataPlane: false, workspace: WORKSPACE });
  workbenches.push(wb);
  return wb;
}

async function backendNames(wb: Workbench): Promise<string[]> {
  const res = await wb.invoke('services:list', {});
  return res.ok ? res.value[0]!.backends.map((b) => b.name) : [];
}

describe('a duplicate backend URL', () => {
  it('backends:add answers CONFLICT saying why, and adds it when allowed', async () => {
    const wb = workbench();
    const res = await wb.invoke('backends:add', { service: 'web', backend: { url: 'http://127.0.0.1:3001', name: 'a2' } });
    expect(res).toEqual({
      ok: false,
      error: {
        code: 'CONFLICT',
        message: 'http://127.0.0.1:3001 is already a backend of web (a): adding it again doubles its share of the traffic. Add it anyway only if that is what you want.',
      },
    });
    expect(await backendNames(wb)).toEqual(['a', 'b']);
    const allowed = await wb.invoke('backends:add', { service: 'web', backend: { url: 'http://127.0.0.1:3001', name: 'a2' }, allowDuplicate: true });
    expect(allowed.ok).toBe(true);
    expect(await backendNames(wb)).toEqual(['a', 'b', 'a2']);
  });

  it('is the same URL written differently (a trailing slash, a default port, upper case)', async () => {
    const wb = workbench();
    for (const url of ['http://127.0.0.1:3001/', 'HTTP://127.0.0.1:3001']) {
      const res = await wb.invoke('backends:add', { service: 'web', backend: { url, name: 'x' } });
      expect(res.ok ? 'ok' : res.error.code, url).toBe('CONFLICT');
    }
  });

  it('backends:update onto another backend URL answers CONFLICT unless allowed', async () => {
    const wb = workbench();
    const res = await wb.invoke('backends:update', { service: 'web', backend: 'b', patch: { url: 'http://127.0.0.1:3001' } });
    expect(res.ok ? 'ok' : res.error.code).toBe('CONFLICT');
    const allowed = await wb.invoke('backends:update', { service: 'web', backend: 'b', patch: { url: 'http://127.0.0.1:3001' }, allowDuplicate: true });
    expect(allowed.ok).toBe(true);
  });

  it('in a workspace is accepted, with one warning per duplicate', async () => {
    const ws = parseWorkspace({ services: [{ ...WORKSPACE.services[0]!, backends: [...WORKSPACE.services[0]!.backends, { url: 'http://127.0.0.1:3001', name: 'a-again', weight: 2 }] }] });
    expect(duplicateUrlWarnings(ws)).toEqual(['service "web": backends a and a-again have the same URL http://127.0.0.1:3001, so it gets both their shares of the traffic']);
    const wb = workbench();
    expect((await wb.invoke('workspace:replace', { workspace: ws })).ok).toBe(true);
  });

  it('lbw validate, lbw run and lbw serve print the warning, and go on', async () => {
    const file = join(dir, 'dup.json');
    const ws = { services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: 'http://127.0.0.1:1', name: 'a' }, { url: 'http://127.0.0.1:1', name: 'b' }] }] };
    await writeFile(file, JSON.stringify(ws));
    const line = 'warning: service "web": backends a and b have the same URL http://127.0.0.1:1, so it gets both their shares of the traffic\n';
    const validate = spawnLbw(['validate', file]);
    expect(await validate.exit).toBe(0);
    expect(validate.out()).toBe(`ok: ${file}: 1 service(s), 2 backend(s)\n`);
    expect(validate.err()).toBe(`lbw validate: ${line}`);

    const run = spawnLbw(['run', file, '--plain', '--no-watch']);
    await waitFor(() => /web listening on/.test(run.out()), { timeoutMs: 20_000, message: 'lbw run listening' });
    expect(run.err()).toBe(`lbw run: ${line}`);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);

    const serve = spawnLbw(['serve', file, '--port', '0', '--no-watch']);
    await waitFor(() => /#token=/.test(serve.out() + serve.err()), { timeoutMs: 30_000, message: 'lbw serve started' });
    expect(serve.err()).toContain(`lbw serve: ${line}`);
    serve.child.kill('SIGINT');
    await serve.exit;
  }, 70_000);
});

const spawnLbw = useLbw();
