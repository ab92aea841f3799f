/**
 * The Electron bridge: a thin wrapper over `window.lbw`, which the preload
 * exposes through contextBridge. IPC does not drop, so the connection is
 * reported as up from the start; a rejected invoke (a bug in the host)
 * still comes back as a Result.
 */
import type { Bridge, PreloadApi } from './types';
import type { Result } from '../../core/contract';
import type { ExportSaveApi } from '../../core/contract/export-save';

declare global {
  interface Window {
    lbw?: PreloadApi & Partial<ExportSaveApi>;
  }
}

export function createElectronBridge(api: PreloadApi & Partial<ExportSaveApi>): Bridge {
  const saveExport = api.saveExport;
  return {
    async invoke(name, input) {
      try {
        return await api.invoke(name, input);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, error: { code: 'INTERNAL', message } } satisfies Result<never>;
      }
    },
    subscribe: (listener) => api.subscribe(listener),
    onConnection(listener) {
      listener(true);
      return () => {};
    },
    ...(saveExport && {
      async saveExport(engine) {
        try {
          return await saveExport(engine);
        } catch (err) {
          return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } } satisfies Result<never>;
        }
      },
    }),
  };
}
