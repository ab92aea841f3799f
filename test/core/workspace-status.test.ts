/**
 * workspace:status and workspace:file (issue 16, bug 9): the file the
 * workbench uses and whether the workspace differs from the last open, save
 * or start (an edit undone is no change), and the workspace as saving would
 * write it, for a UI that downloads it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Workbench } from '../../core/workbench';

const WS = {
  services: [{ name: 'api', listen: '127.0.0.1:8080', strategy: 'round-robin', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }] }],
};

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function value<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const res = await p;
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return res.value;
}

describe('workspace:status', () => {
  it('is clean at start, dirty after an edit, clean again when the edit is undone or the workspace saved', async () => {
    const wb = new Workbench({ dataPlane: false, workspace: WS, path: '/nowhere/ws.json' });
    expect(await value(wb.invoke('workspace:status', {}))).toEqual({ path: '/nowhere/ws.json', dirty: false });
    await value(wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 3 } }));
    expect((await value(wb.invoke('workspace:status', {}))).dirty).toBe(true);
    await value(wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 1 } }));
    expect((await value(wb.invoke('workspace:status', {}))).dirty).toBe(false);

    dir = await mkdtemp(join(tmpdir(), 'lbw-status-'));
    const file = join(dir, 'saved.json');
    await value(wb.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 2 } }));
    await value(wb.invoke('workspace:save', { path: file }));
    expect(await value(wb.invoke('workspace:status', {}))).toEqual({ path: file, dirty: false });
  });

  it('has no path for a workspace that never had a file; workspace:file is what a save writes', async () => {
    const wb = new Workbench({ dataPlane: false, workspace: WS });
    expect(await value(wb.invoke('workspace:status', {}))).toEqual({ path: null, dirty: false });
    const f = await value(wb.invoke('workspace:file', {}));
    expect(f.name).toBe('workspace.json');
    dir = await mkdtemp(join(tmpdir(), 'lbw-status-'));
    const file = join(dir, 'mine.json');
    await value(wb.invoke('workspace:save', { path: file }));
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    delete written.$schema;
    expect(JSON.parse(f.text)).toEqual(written);
    expect((await value(wb.invoke('workspace:file', {}))).name).toBe('mine.json');
  });

  it('is dirty after workspace:replace and clean after workspace:open', async () => {
    const wb = new Workbench({ dataPlane: false, workspace: WS });
    await value(wb.invoke('workspace:replace', { workspace: { services: [] } }));
    expect((await value(wb.invoke('workspace:status', {}))).dirty).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'lbw-status-'));
    const file = join(dir, 'ws.json');
    await value(wb.invoke('workspace:save', { path: file }));
    await value(wb.invoke('workspace:replace', { workspace: WS }));
    await value(wb.invoke('workspace:open', { path: file }));
    expect(await value(wb.invoke('workspace:status', {}))).toEqual({ path: file, dirty: false });
  });
});
