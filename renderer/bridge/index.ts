/**
 * Picks the bridge for the host the renderer runs in: Electron when the
 * preload exposed `window.lbw`, the WebSocket bridge otherwise (which needs
 * the tab's token; see token.ts).
 */
import { createElectronBridge } from './electron';
import { createWebSocketBridge, type WebSocketBridgeOptions } from './websocket';
import type { Bridge } from './types';

export type { Bridge, PreloadApi } from './types';

/** `browser` is for the WebSocket bridge; without a token there, the host refuses it. */
export function createBridge(browser: WebSocketBridgeOptions = { token: '' }): Bridge {
  return window.lbw ? createElectronBridge(window.lbw) : createWebSocketBridge(browser);
}
