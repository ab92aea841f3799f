/**
 * The workspace file as the UI sees it: which file the core uses and
 * whether the workspace changed since it was opened or saved
 * (`workspace:status`, asked on connect and before Open discards anything),
 * and in browser mode the file through the browser: downloaded as the core
 * would save it (`workspace:file`) and opened from a picked file's text
 * (`workspace:replace`).
 */
import type { Result } from '../../core/contract';
import type { WorkspaceSpec } from '../../core/model/spec';
import type { Bridge } from '../bridge/types';
import type { AppStore } from './store';

export interface WorkspaceFileActions {
  /** Asks the core; a known file becomes the store's workspacePath. */
  workspaceStatus(): Promise<Result<{ path: string | null; dirty: boolean }>>;
  /** The workspace as its file would hold it, with a name to download it as. */
  workspaceFile(): Promise<Result<{ name: string; text: string }>>;
  /** Replaces the workspace with a picked file's text; text that is not JSON is refused here, the rest by the core. */
  openWorkspaceText(name: string, text: string): Promise<Result<WorkspaceSpec>>;
}

export function createWorkspaceFileActions(store: AppStore, bridge: Bridge): WorkspaceFileActions {
  const state = () => store.getState();
  return {
    async workspaceStatus() {
      const res = await bridge.invoke('workspace:status', {});
      if (res.ok && res.value.path !== null) state().setWorkspacePath(res.value.path);
      return res;
    },

    workspaceFile: () => bridge.invoke('workspace:file', {}),

    async openWorkspaceText(name, text) {
      let workspace: unknown;
      try {
        workspace = JSON.parse(text);
      } catch (err) {
        const error = { code: 'CONFIG_INVALID' as const, message: `${name} is not JSON: ${err instanceof Error ? err.message : String(err)}` };
        state().setWorkspaceError(error);
        return { ok: false, error };
      }
      const res = await bridge.invoke('workspace:replace', { workspace });
      if (res.ok) {
        state().setWorkspaceError(null);
        state().setPendingUndo(null);
        // The services arrive with the core's config:changed push, as for every change; the reply only says it worked.
        // Not the core's file: the picked file's changes are unsaved until Save.
        state().setDirty(true);
      } else {
        state().setWorkspaceError({ ...res.error, message: `${name}: ${res.error.message}` });
      }
      return res;
    },
  };
}
