// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { Push } from '../../core/contract';
import { createBridge } from '../../renderer/bridge';
import type { PreloadApi } from '../../renderer/bridge/types';

function fakePreload(): PreloadApi & { listeners: Set<(p: Push) => void> } {
  const listeners = new Set<(p: Push) => void>();
  return {
    listeners,
    invoke: (async (name: string) => {
      if (name === 'services:list') return { ok: true, value: [] };
      throw new Error('ipc broke');
    }) as PreloadApi['invoke'],
    subscribe(cb) {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
  };
}

afterEach(() => {
  delete window.lbw;
});

describe('Electron bridge', () => {
  it('is picked when the preload exposed window.lbw, and forwards commands and pushes', async () => {
    const api = fakePreload();
    window.lbw = api;
    const bridge = createBridge();
    expect(await bridge.invoke('services:list', {})).toEqual({ ok: true, value: [] });

    const got: Push[] = [];
    const off = bridge.subscribe((p) => got.push(p));
    const push: Push = { channel: 'event', event: { type: 'config:changed', at: 1, cause: 'x' } };
    for (const l of api.listeners) l(push);
    expect(got).toEqual([push]);
    off();
    expect(api.listeners.size).toBe(0);
  });

  it('reports itself connected and turns a rejected invoke into an error Result', async () => {
    window.lbw = fakePreload();
    const bridge = createBridge();
    const states: boolean[] = [];
    bridge.onConnection((c) => states.push(c));
    expect(states).toEqual([true]);
    expect(await bridge.invoke('strategies:list', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'ipc broke' } });
  });
});
