/**
 * The Electron bridge of the contract: one invoke channel for commands, one
 * push channel for events and stats. Main answers only its own windows,
 * checks the envelope here and leaves input validation to the Workbench,
 * which checks every command against the contract's schemas.
 *
 * Only types come from 'electron', so this file is tested with a fake ipcMain.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { Push, Result } from '../core/contract';
import type { Workbench } from '../core/workbench';

export const INVOKE_CHANNEL = 'lbw:invoke';
export const PUSH_CHANNEL = 'lbw:push';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

type SenderCheck = (event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>) => boolean;

/** Registers the invoke handler; returns a function that removes it. */
export function registerInvoke(ipcMain: IpcMainLike, workbench: Pick<Workbench, 'invoke'>, isOwnWindow: SenderCheck): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, name: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isOwnWindow(event)) return { ok: false, error: { code: 'FORBIDDEN', message: 'not a workbench window' } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'INPUT_INVALID', message: 'a command name must be a string' } };
    return workbench.invoke(name, input);
  });
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

/** Streams every push to one window until it is destroyed. */
export function attachPushes(workbench: Pick<Workbench, 'subscribe'>, contents: Pick<WebContents, 'send' | 'isDestroyed' | 'once'>): () => void {
  const unsubscribe = workbench.subscribe((push: Push) => {
    if (!contents.isDestroyed()) contents.send(PUSH_CHANNEL, push);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}

/** A sender check that accepts the given windows' top frames only. */
export function ownWindows(ids: () => Iterable<number>): SenderCheck {
  return (event) => {
    const known = new Set(ids());
    if (!known.has(event.sender.id)) return false;
    // Subframes (an embedded page) are not the app.
    return !event.senderFrame || event.senderFrame.parent === null;
  };
}
