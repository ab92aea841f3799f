/**
 * The Bridge: the renderer's only way to talk to the core, derived from the
 * contract so a new command is typed here without touching this file. Two
 * implementations (Electron IPC, WebSocket); nothing else in the renderer
 * knows which host it runs in.
 */
import type { CommandInput, CommandName, CommandOutput, Engine, ErrorData, Push, Result } from '../../core/contract';
import type { SavedExport } from '../../core/contract/export-save';

export interface Bridge {
  /** Sends a command; always resolves, with errors as data. */
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>>;
  /** Every push (events and stats ticks); returns an unsubscribe. */
  subscribe(listener: (push: Push) => void): () => void;
  /** Connection changes; the listener is called at once with the current state. Returns an unsubscribe. */
  onConnection(listener: (connected: boolean) => void): () => void;
  /** Electron only: export and save through the native save dialog. Browser mode downloads instead. */
  saveExport?(engine: Engine): Promise<Result<SavedExport>>;
}

export type { PreloadApi } from '../../core/contract/wire';

/** The answer a command gets when the host is not reachable. */
export const DISCONNECTED: ErrorData = { code: 'INTERNAL', message: 'disconnected' };
