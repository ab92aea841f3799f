/**
 * The preload: exposes the contract to the sandboxed renderer as `window.lbw`
 * and nothing else (no ipcRenderer, no Node).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Push } from '../core/contract';
import type { PreloadApi } from '../core/contract/wire';

// Literal channel names: the sandboxed preload cannot import main's modules at run time.
const INVOKE_CHANNEL = 'lbw:invoke';
const PUSH_CHANNEL = 'lbw:push';

const api: PreloadApi = {
  invoke: (name, input) => ipcRenderer.invoke(INVOKE_CHANNEL, name, input),
  subscribe: (listener) => {
    const handler = (_event: IpcRendererEvent, push: Push) => listener(push);
    ipcRenderer.on(PUSH_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(PUSH_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('lbw', api);
