/**
 * Picks the bridge for the host the renderer runs in: Electron when the
 * preload exposed `window.lbw`, the WebSocket bridge otherwise.
 */
import { createElectronBridge } from './electron';
import { createWebSocketBridge } from './websocket';
import type { Bridge } from './types';

export type { Bridge, PreloadApi } from './types';

export function createBridge(): Bridge {
  return window.lbw ? createElectronBridge(window.lbw) : createWebSocketBridge();
}
