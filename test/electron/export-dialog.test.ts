/**
 * Export through the native save dialog, with a fake ipcMain and a fake
 * dialog (Electron cannot run here): the sender and the engine are checked,
 * the real Workbench exports, files land where the dialog said (a second file
 * beside the first), a cancel writes nothing, and a foreign file next to the
 * chosen one is not replaced. Also: workspace:export through the ordinary
 * invoke channel, as the renderer's bridge sends it.
 */
import type { IpcMainInvokeEvent, SaveDialogOptions } from 'electron';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_SAVE_CHANNEL, type SavedExport } from '../../core/contract/export-save';
import type { Result } from '../../core/model/result';
import { Workbench } from '../../core/workbench';
import { registerExportSave } from '../../electron/features/export-dialog';
import { INVOKE_CHANNEL, ownWindows, registerInvoke, type IpcMainLike } from '../../electron/ipc';
import type { ExportResult } from '../../core/export/types';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  call(channel: string, senderId: number, ...args: unknown[]) {
    const event = { sender: { id: senderId }, senderFrame: { parent: null } } as unknown as IpcMainInvokeEvent;
    return this.handlers.get(channel)!(event, ...args);
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(answer: { canceled: boolean; filePath?: string }) {
  const workbench = new Workbench({
    dataPlane: false,
    path: '/home/user/demo.json',
    workspace: { services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001', name: 'a', weight: 2 }] }] },
  });
  const asked: SaveDialogOptions[] = [];
  const dialog = {
    showSaveDialog: async (...args: unknown[]) => {
      asked.push(args[args.length - 1] as SaveDialogOptions);
      return { canceled: answer.canceled, filePath: answer.filePath ?? '' };
    },
  };
  const ipc = new FakeIpcMain();
  const remove = registerExportSave(ipc, { dialog: dialog as never, workbench, isOwnWindow: ownWindows(() => [7]), window: () => undefined });
  registerInvoke(ipc, workbench, ownWindows(() => [7]));
  return { ipc, asked, remove, save: (engine: unknown, sender = 7) => ipc.call(EXPORT_SAVE_CHANNEL, sender, engine) as Promise<Result<SavedExport>> };
}

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lbw-export-'));
  dirs.push(d);
  return d;
}

describe('export save dialog (Electron)', () => {
  it('writes the nginx config where the dialog says, after asking with the file name', async () => {
    const dir = tmp();
    const { save, asked } = setup({ canceled: false, filePath: join(dir, 'prod.conf') });
    const res = await save('nginx');
    expect(res).toMatchObject({ ok: true, value: { canceled: false, paths: [join(dir, 'prod.conf')] } });
    expect(asked[0]).toMatchObject({ defaultPath: 'nginx.conf', properties: ['showOverwriteConfirmation', 'createDirectory'] });
    const text = readFileSync(join(dir, 'prod.conf'), 'utf8');
    expect(text.startsWith('# nginx configuration exported by LB Workbench (lbw 0.1.0)')).toBe(true);
    expect(text).toContain('workspace: /home/user/demo.json');
    expect(text).toContain('127.0.0.1:3001');
  });

  it("writes Traefik's dynamic.yml beside traefik.yml and reports the warnings", async () => {
    const dir = tmp();
    const { save } = setup({ canceled: false, filePath: join(dir, 'traefik.yml') });
    const res = await save('traefik');
    if (!res.ok || res.value.canceled) throw new Error(JSON.stringify(res));
    expect(res.value.paths).toEqual([join(dir, 'traefik.yml'), join(dir, 'dynamic.yml')]);
    expect(readFileSync(join(dir, 'dynamic.yml'), 'utf8')).toContain('url: http://127.0.0.1:3001');
    expect(res.value.warnings.map((w) => w.feature)).toContain('rewriteRedirects');
  });

  it('a cancelled dialog writes nothing', async () => {
    const dir = tmp();
    const { save } = setup({ canceled: true });
    expect(await save('envoy')).toEqual({ ok: true, value: { canceled: true } });
    expect(existsSync(join(dir, 'envoy.yaml'))).toBe(false);
  });

  it('replaces an earlier export beside the chosen file, but not a foreign file (CONFLICT, nothing written)', async () => {
    const dir = tmp();
    const { save } = setup({ canceled: false, filePath: join(dir, 'traefik.yml') });
    expect((await save('traefik')).ok).toBe(true);
    expect((await save('traefik')).ok).toBe(true); // ours: replaced without asking
    writeFileSync(join(dir, 'dynamic.yml'), 'hand-written\n');
    rmSync(join(dir, 'traefik.yml'));
    const res = await save('traefik');
    expect(res).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(readFileSync(join(dir, 'dynamic.yml'), 'utf8')).toBe('hand-written\n');
    expect(existsSync(join(dir, 'traefik.yml'))).toBe(false);
  });

  it('refuses other senders and engines that do not exist, before any dialog', async () => {
    const { save, asked } = setup({ canceled: false, filePath: join(tmp(), 'x.conf') });
    expect(await save('nginx', 99)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await save('apache')).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    expect(await save({ engine: 'nginx' })).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    expect(asked).toHaveLength(0);
  });

  it('workspace:export answers through the invoke channel (files and warnings, nothing written)', async () => {
    const { ipc } = setup({ canceled: true });
    const res = (await ipc.call(INVOKE_CHANNEL, 7, 'workspace:export', { engine: 'envoy' })) as Result<ExportResult>;
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.engine).toBe('envoy');
    expect(res.value.files[0]!.name).toBe('envoy.yaml');
    expect(res.value.files[0]!.text).toContain('port_value: 3001');
    expect(await ipc.call(INVOKE_CHANNEL, 7, 'workspace:export', { engine: 'apache' })).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
  });
});
