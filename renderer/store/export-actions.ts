/**
 * Export actions: the workspace as another engine's config. Browser mode
 * asks the core for the files (`workspace:export`) and the page downloads
 * them; Electron's bridge can also save through the native dialog, where
 * main exports and writes the files itself.
 */
import type { Engine, ExportResult, Result } from '../../core/contract';
import type { SavedExport } from '../../core/contract/export-save';
import type { Bridge } from '../bridge/types';

export interface ExportActions {
  /** The files and warnings of an export; nothing is written. */
  exportConfig(engine: Engine): Promise<Result<ExportResult>>;
  /** Electron only: export and save through the native save dialog; undefined where the page downloads instead. */
  saveExportNatively: ((engine: Engine) => Promise<Result<SavedExport>>) | undefined;
}

export function createExportActions(bridge: Bridge): ExportActions {
  const save = bridge.saveExport?.bind(bridge);
  return {
    exportConfig: (engine) => bridge.invoke('workspace:export', { engine }),
    saveExportNatively: save && ((engine) => save(engine)),
  };
}
