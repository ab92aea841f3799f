/**
 * The Electron wiring, tested with a fake ipcMain and fake webContents (the
 * Electron runtime cannot run here; its types do): commands reach the real
 * Workbench, foreign senders are refused, pushes reach live windows only.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import type { Push } from '../../core/contract';
import { Workbench } from '../../core/workbench';
import { attachPushes, INVOKE_CHANNEL, ownWindows, PUSH_CHANNEL, registerInvoke, type IpcMainLike } from '../../electron/ipc';
import { navigationAllowed, windowOptions } from '../../electron/window';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke would resolve with. */
  invoke(senderId: number, topFrame: boolean, ...args: unknown[]) {
    const event = { sender: { id: senderId }, senderFrame: { parent: topFrame ? null : {} } } as unknown as IpcMainInvokeEvent;
    return this.handlers.get(INVOKE_CHANNEL)!(event, ...args);
  }
}

class FakeContents {
  sent: Array<[string, unknown]> = [];
  destroyed = false;
  private onDestroyed: Array<() => void> = [];
  send(channel: string, payload: unknown) {
    if (this.destroyed) throw new Error('send after destroy');
    this.sent.push([channel, payload]);
  }
  isDestroyed() {
    return this.destroyed;
  }
  once(event: string, fn: () => void) {
    if (event === 'destroyed') this.onDestroyed.push(fn);
    return this;
  }
  destroy() {
    this.destroyed = true;
    for (const fn of this.onDestroyed) fn();
  }
}

function setup() {
  const workbench = new Workbench({
    dataPlane: false,
    workspace: { services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }] }] },
  });
  const ipc = new FakeIpcMain();
  const remove = registerInvoke(ipc, workbench, ownWindows(() => [7]));
  return { workbench, ipc, remove };
}

describe('Electron IPC bridge', () => {
  it('answers a command from its own window with the Workbench result', async () => {
    const { ipc } = setup();
    const res = (await ipc.invoke(7, true, 'backends:update', { service: 'api', backend: 'a', patch: { weight: 4 } })) as { ok: boolean; value: { weight: number } };
    expect(res.ok).toBe(true);
    expect(res.value.weight).toBe(4);
  });

  it('refuses other senders and subframes without touching the workspace', async () => {
    const { ipc, workbench } = setup();
    const before = workbench.getWorkspace();
    expect(await ipc.invoke(8, true, 'services:remove', { service: 'api' })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'not a workbench window' } });
    expect(await ipc.invoke(7, false, 'services:remove', { service: 'api' })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'not a workbench window' } });
    expect(workbench.getWorkspace()).toEqual(before);
  });

  it('validates the envelope and the payload', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke(7, true, 42, {})).toEqual({ ok: false, error: { code: 'INPUT_INVALID', message: 'a command name must be a string' } });
    expect(await ipc.invoke(7, true, 'shell:exec', { cmd: 'rm -rf /' })).toEqual({ ok: false, error: { code: 'UNKNOWN_COMMAND', message: 'unknown command "shell:exec"' } });
    const bad = (await ipc.invoke(7, true, 'backends:add', { service: 'api', backend: { url: 'javascript:alert(1)' } })) as { ok: boolean; error: { code: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('INPUT_INVALID');
  });

  it('removes its handler', () => {
    const { ipc, remove } = setup();
    remove();
    expect(ipc.handlers.has(INVOKE_CHANNEL)).toBe(false);
  });

  it('sends pushes to a window until it is destroyed', async () => {
    const { workbench } = setup();
    const contents = new FakeContents();
    attachPushes(workbench, contents as never);
    await workbench.invoke('backends:update', { service: 'api', backend: 'a', patch: { weight: 2 } });
    workbench.tick();
    expect(contents.sent.map(([ch, p]) => [ch, (p as Push).channel])).toEqual([
      [PUSH_CHANNEL, 'event'],
      [PUSH_CHANNEL, 'stats'],
    ]);
    contents.destroy();
    workbench.tick(); // would throw in FakeContents.send if still subscribed
    expect(contents.sent).toHaveLength(2);
  });
});

describe('Electron window security', () => {
  it('isolates the renderer', () => {
    const prefs = windowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/app/preload.cjs' });
  });

  it('allows navigation only within the app', () => {
    expect(navigationAllowed('file:///app/index.html', 'file:///app/index.html')).toBe(true);
    expect(navigationAllowed('file:///etc/passwd', 'file:///app/index.html')).toBe(false);
    expect(navigationAllowed('http://localhost:5173/#x', 'http://localhost:5173/')).toBe(true);
    expect(navigationAllowed('https://evil.example/', 'http://localhost:5173/')).toBe(false);
    expect(navigationAllowed('not a url', 'http://localhost:5173/')).toBe(false);
  });
});
