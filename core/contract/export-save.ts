/**
 * Electron's one addition to the contract: saving an export through the
 * native save dialog. The renderer names only the engine; main runs
 * `workspace:export` itself and writes the files where the user chose, so a
 * page can never have main write text of its choosing. Browser mode has no
 * such call: the page downloads the files instead.
 */
import type { ExportWarning } from '../export/types';
import type { Engine } from '../export/types';
import type { Result } from './index';

export const EXPORT_SAVE_CHANNEL = 'lbw:export-save';

/** What the save came to: cancelled in the dialog, or the files written and the engine's warnings. */
export type SavedExport = { canceled: true } | { canceled: false; paths: string[]; warnings: ExportWarning[] };

export interface ExportSaveApi {
  saveExport(engine: Engine): Promise<Result<SavedExport>>;
}
