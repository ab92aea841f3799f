/**
 * The Electron main process: creates the workbench and the window and wires
 * features (IPC bridge, menu, dialogs, security guards). Each feature owns
 * its handlers; this file only connects them.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { join } from 'node:path';
import { loadWorkspaceFile } from '../core/config/workspace-file';
import { createDemo, type DemoFleet } from '../core/demo';
import type { WorkspaceInput } from '../core/model/spec';
import { Workbench } from '../core/workbench';
import { lastWorkspaceStore } from './features/last-workspace';
import { menuTemplate } from './features/menu';
import { registerExportSave } from './features/export-dialog';
import { workspaceDialogs } from './features/workspace-dialogs';
import { attachPushes, ownWindows, registerInvoke } from './ipc';
import { CSP, navigationAllowed, windowOptions } from './window';

// Injected by Electron Forge's Vite plugin.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;

const windows = new Set<BrowserWindow>();
let workbench: Workbench | undefined;
let fleet: DemoFleet | undefined;

async function initialWorkspace(lastPath: string | undefined): Promise<{ workspace: WorkspaceInput; path?: string }> {
  if (lastPath) {
    try {
      return { workspace: await loadWorkspaceFile(lastPath), path: lastPath };
    } catch {
      // The last file moved or broke: fall back to the demo rather than an empty window.
    }
  }
  const demo = await createDemo({ listen: '127.0.0.1:8080' });
  fleet = demo.fleet;
  return { workspace: demo.workspace };
}

function appUrl(): string {
  return MAIN_WINDOW_VITE_DEV_SERVER_URL ?? `file://${join(__dirname, `../renderer/${MAIN_WINDOW_VITE_NAME}/index.html`)}`;
}

function createWindow(wb: Workbench): BrowserWindow {
  const win = new BrowserWindow(windowOptions(join(__dirname, 'preload.cjs')));
  windows.add(win);
  const url = appUrl();
  attachPushes(wb, win.webContents);
  win.webContents.on('will-navigate', (event, target) => {
    if (!navigationAllowed(target, url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url: target }) => {
    // Links to docs open in the user's browser, never inside the app.
    if (/^https:\/\//.test(target)) void shell.openExternal(target);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => windows.delete(win));
  void win.loadURL(url);
  return win;
}

async function start(): Promise<void> {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  const last = lastWorkspaceStore(app.getPath('userData'));
  const { workspace, path } = await initialWorkspace(await last.read());
  // The Workbench owns the demo fleet (if the demo started): demo:* commands act on it.
  const wb = new Workbench({ workspace, path, demo: fleet });
  workbench = wb;
  await wb.start();

  const isOwnWindow = ownWindows(() => [...windows].map((w) => w.webContents.id));
  registerInvoke(ipcMain, wb, isOwnWindow);
  registerExportSave(ipcMain, { dialog, workbench: wb, isOwnWindow, window: () => BrowserWindow.getFocusedWindow() ?? [...windows][0] });
  const dialogs = workspaceDialogs(dialog, wb, last, () => BrowserWindow.getFocusedWindow() ?? [...windows][0]);
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(dialogs, process.platform)));

  createWindow(wb);
  app.on('activate', () => {
    if (windows.size === 0) createWindow(wb);
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !workbench) return;
  // Let in-flight requests finish (bounded) before the process ends.
  event.preventDefault();
  quitting = true;
  void Promise.all([workbench.stop(2000), fleet?.stopAll()]).finally(() => app.quit());
});

app.whenReady().then(start, (err: unknown) => {
  dialog.showErrorBox('LB Workbench could not start', (err as Error).message);
  app.quit();
});
