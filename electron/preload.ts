/**
 * The preload: exposes the contract to the sandboxed renderer as `window.lbw`
 * and nothing else (no ipcRenderer, no Node).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Push } from '../core/contract';
import type { PreloadApi } from '../core/contract/wire';
import type { ExportSaveApi } from '../core/contract/export-save';

// Literal channel names: the sandboxed preload cannot import main's modules at run time.
const INVOKE_CHANNEL = 'lbw:invoke';
const PUSH_CHANNEL = 'lbw:push';
const EXPORT_SAVE_CHANNEL = 'lbw:export-save';

const api: PreloadApi & ExportSaveApi = {
  invoke: (name, input) => ipcRenderer.invoke(INVOKE_CHANNEL, name, input),
  // Only the engine crosses: main exports and writes where its save dialog says.
  saveExport: (engine) => ipcRenderer.invoke(EXPORT_SAVE_CHANNEL, engine),
  subscribe: (listener) => {
    const handler = (_event: IpcRendererEvent, push: Push) => listener(push);
    ipcRenderer.on(PUSH_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(PUSH_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('lbw', api);
