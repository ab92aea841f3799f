/**
 * Open and save through native dialogs: the chosen path goes through the same
 * commands the renderer uses, and errors are shown in a message box.
 */
import type { Dialog, BrowserWindow } from 'electron';
import type { Workbench } from '../../core/workbench';
import type { LastWorkspaceStore } from './last-workspace';

const FILTERS = [{ name: 'Workspace', extensions: ['json'] }];

export function workspaceDialogs(dialog: Dialog, workbench: Workbench, last: LastWorkspaceStore, window: () => BrowserWindow | undefined) {
  const report = async (message: string, detail: string) => {
    const win = window();
    const options = { type: 'error' as const, message, detail };
    if (win) await dialog.showMessageBox(win, options);
    else await dialog.showMessageBox(options);
  };

  // The save dialog has asked before replacing an existing file, so the save is confirmed.
  const saveTo = async (path: string) => {
    const res = await workbench.invoke('workspace:save', { path, overwrite: true });
    if (res.ok) await last.write(res.value.path);
    else await report('Could not save the workspace', res.error.message);
  };

  return {
    async openWorkspace() {
      const win = window();
      const options = { properties: ['openFile' as const], filters: FILTERS };
      const choice = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      const path = choice.filePaths[0];
      if (choice.canceled || !path) return;
      const res = await workbench.invoke('workspace:open', { path });
      if (res.ok) await last.write(path);
      else await report('This workspace file cannot be opened', (res.error.issues ?? [res.error.message]).join('\n'));
    },
    async saveWorkspace() {
      const res = await workbench.invoke('workspace:save', {});
      if (res.ok) await last.write(res.value.path);
      else await this.saveWorkspaceAs();
    },
    async saveWorkspaceAs() {
      const win = window();
      // Linux asks before replacing a file only when told to (macOS and Windows always ask).
      const options = { filters: FILTERS, defaultPath: 'workspace.json', properties: ['showOverwriteConfirmation' as const] };
      const choice = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (!choice.canceled && choice.filePath) await saveTo(choice.filePath);
    },
  };
}
