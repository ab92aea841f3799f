/**
 * Saving a workspace: the `$schema` it carries resolves, from the saved
 * file's folder and with no network, to this installation's schema; and the
 * safe-write rule as `workspace:save` applies it (lbw's own files are
 * replaced, anything else needs overwrite: true).
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedSchemaFile, schemaReference } from '../../../core/config/schema-ref';
import { loadWorkspaceFile, parseWorkspace, saveWorkspaceFile } from '../../../core/config/workspace-file';
import { Workbench } from '../../../core/workbench';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SCHEMA = join(REPO, 'schema', 'workspace.schema.json');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-save-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ws = parseWorkspace({ services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001' }] }] });

describe('$schema on save', () => {
  it('is this installation’s schema file', () => {
    expect(installedSchemaFile()).toBe(SCHEMA);
  });

  it.each([
    ['a temporary folder', () => join(dir, 'ws.json')],
    ['a nested folder', () => join(dir, 'a', 'b', 'ws.json')],
    ['the project itself', () => join(REPO, 'test-tmp-ws-save.json')],
  ])('from %s, resolves to the schema file relative to the saved file', async (_where, pathOf) => {
    const path = pathOf();
    await mkdir(dirname(path), { recursive: true });
    try {
      await saveWorkspaceFile(path, ws);
      const text = await readFile(path, 'utf8');
      const ref = JSON.parse(text).$schema as string;
      expect(text.startsWith(`{\n  "$schema": ${JSON.stringify(ref)},`)).toBe(true);
      expect(ref).not.toMatch(/^[a-z]+:/); // relative: no scheme, no network
      expect(ref).toMatch(/^\.\.?\//);
      // What an editor does: resolve against the file's folder, read the schema.
      const resolved = resolve(dirname(path), ref);
      expect(resolved).toBe(SCHEMA);
      expect(JSON.parse(await readFile(resolved, 'utf8')).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      // And the file loads back, whatever $schema says.
      expect((await loadWorkspaceFile(path)).services[0]!.name).toBe('api');
    } finally {
      if (path.startsWith(REPO)) await rm(path, { force: true });
    }
  });

  it('is written with forward slashes, ./ when below the folder, ../ when above', () => {
    expect(schemaReference(join(REPO, 'ws.json'))).toBe('./schema/workspace.schema.json');
    expect(schemaReference('/srv/ws.json', '/srv/schema.json')).toBe('./schema.json');
    expect(schemaReference('/srv/a/ws.json', '/opt/lbw/schema/workspace.schema.json')).toBe('../../opt/lbw/schema/workspace.schema.json');
  });
});

describe('saving over a file', () => {
  it('replaces a workspace file without asking, and refuses a file that is not one with CONFLICT', async () => {
    const mine = join(dir, 'mine.json');
    await writeFile(mine, JSON.stringify({ name: 'old', services: [] }));
    await saveWorkspaceFile(mine, ws);
    expect((await loadWorkspaceFile(mine)).services).toHaveLength(1);

    const pkg = join(dir, 'package.json');
    await writeFile(pkg, '{"name":"x","version":"1.0.0"}\n');
    await expect(saveWorkspaceFile(pkg, ws)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(pkg, 'utf8')).toBe('{"name":"x","version":"1.0.0"}\n');
    await saveWorkspaceFile(pkg, ws, { overwrite: true });
    expect((await loadWorkspaceFile(pkg)).services).toHaveLength(1);
  });

  it('replaces the file the workbench has open even when it no longer validates', async () => {
    const current = join(dir, 'current.json');
    await writeFile(current, '{"services": [{"nmae": "typo"}]}');
    await expect(saveWorkspaceFile(current, ws)).rejects.toMatchObject({ code: 'CONFLICT' });
    await saveWorkspaceFile(current, ws, { current });
    expect((await loadWorkspaceFile(current)).services[0]!.name).toBe('api');
  });
});

describe('workspace:save', () => {
  it('answers the rule’s errors as data, and takes overwrite: true', async () => {
    const wb = new Workbench({ dataPlane: false, workspace: ws });
    const foreign = join(dir, 'tsconfig.json');
    await writeFile(foreign, '{"compilerOptions":{}}\n');

    const conflict = await wb.invoke('workspace:save', { path: foreign });
    expect(!conflict.ok && conflict.error).toEqual({
      code: 'CONFLICT',
      message: `${foreign} already exists and lbw did not write it: confirm overwriting it (overwrite: true) or choose another name`,
    });
    expect(await readFile(foreign, 'utf8')).toBe('{"compilerOptions":{}}\n');
    expect(await wb.invoke('workspace:save', { path: foreign, overwrite: true })).toEqual({ ok: true, value: { path: foreign } });
    // Now it is the workbench's file: saved again without asking.
    expect((await wb.invoke('workspace:save', {})).ok).toBe(true);

    const txt = await wb.invoke('workspace:save', { path: join(dir, 'ws.txt') });
    expect(!txt.ok && txt.error).toEqual({ code: 'INPUT_INVALID', message: `cannot write ${join(dir, 'ws.txt')}: a workspace is written to a .json file` });

    const link = join(dir, 'link.json');
    await symlink(foreign, link);
    const viaLink = await wb.invoke('workspace:save', { path: link, overwrite: true });
    expect(!viaLink.ok && viaLink.error.code).toBe('INPUT_INVALID');

    const typo = await wb.invoke('workspace:save', { path: join(dir, 'x.json'), overwrit: true });
    expect(!typo.ok && typo.error).toMatchObject({ code: 'INPUT_INVALID', issues: ['overwrit: unknown key (did you mean overwrite?)'] });
  });
});
