/**
 * Export through the native save dialog. The renderer sends only the engine
 * name; main checks the sender and the name, runs `workspace:export` itself,
 * asks where to save (the dialog confirms replacing the file chosen), and
 * writes the files atomically under the safe-write rule. A second file
 * (Traefik's dynamic.yml) goes beside the first and replaces only a file an
 * lbw export wrote; anything else there is a CONFLICT, nothing overwritten.
 *
 * Only types come from 'electron', so this is tested with a fake ipcMain and
 * a fake dialog.
 */
import type { BrowserWindow, Dialog, IpcMainInvokeEvent } from 'electron';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { EXPORT_SAVE_CHANNEL, type SavedExport } from '../../core/contract/export-save';
import { safeWriteFile } from '../../core/config/safe-write';
import { ENGINES } from '../../core/export/types';
import { toErrorData } from '../../core/model/errors';
import type { Result } from '../../core/model/result';
import type { Workbench } from '../../core/workbench';
import type { IpcMainLike } from '../ipc';

/** The names exports use: nginx.conf, haproxy.cfg, Caddyfile, envoy.yaml, traefik.yml + dynamic.yml. */
const EXTENSIONS = ['', '.conf', '.cfg', '.caddyfile', '.yaml', '.yml', '.txt'];
/** Every export starts with a header comment naming its maker within its first lines. */
const MARK = 'exported by LB Workbench';

async function writtenByExport(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8').includes(MARK);
  } finally {
    await handle.close();
  }
}

export interface ExportSaveDeps {
  dialog: Pick<Dialog, 'showSaveDialog'>;
  workbench: Pick<Workbench, 'invoke'>;
  isOwnWindow: (event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>) => boolean;
  window: () => BrowserWindow | undefined;
}

const EngineSchema = z.enum(ENGINES);

/** Registers the save handler; returns a function that removes it. */
export function registerExportSave(ipcMain: IpcMainLike, deps: ExportSaveDeps): () => void {
  ipcMain.handle(EXPORT_SAVE_CHANNEL, async (event, engineArg: unknown): Promise<Result<SavedExport>> => {
    if (!deps.isOwnWindow(event)) return { ok: false, error: { code: 'FORBIDDEN', message: 'not a workbench window' } };
    const engine = EngineSchema.safeParse(engineArg);
    if (!engine.success) return { ok: false, error: { code: 'INPUT_INVALID', message: `engine must be one of ${ENGINES.join(', ')}` } };
    const res = await deps.workbench.invoke('workspace:export', { engine: engine.data });
    if (!res.ok) return res;
    const [first, ...rest] = res.value.files;
    if (!first) return { ok: false, error: { code: 'INTERNAL', message: 'the export has no file' } };
    const options = {
      title: `Export for ${engine.data}`,
      defaultPath: first.name,
      // Linux asks before replacing a file only when told to.
      properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const],
    };
    const win = deps.window();
    const choice = win ? await deps.dialog.showSaveDialog(win, options) : await deps.dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { ok: true, value: { canceled: true } };
    const dir = dirname(choice.filePath);
    const what = `a ${engine.data} config`;
    try {
      // The others first: a conflict there stops the export before the chosen file is touched.
      const others = rest.map((f) => ({ path: join(dir, basename(f.name)), text: f.text }));
      for (const f of others) await safeWriteFile(f.path, f.text, { what, extensions: EXTENSIONS, ours: writtenByExport });
      await safeWriteFile(choice.filePath, first.text, { what, extensions: EXTENSIONS, ours: writtenByExport, overwrite: true });
      return { ok: true, value: { canceled: false, paths: [choice.filePath, ...others.map((f) => f.path)], warnings: res.value.warnings } };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  });
  return () => ipcMain.removeHandler(EXPORT_SAVE_CHANNEL);
}
