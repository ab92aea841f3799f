/**
 * Export: a workspace turned into a complete config for an engine users
 * graduate to. Each engine has one exporter; they share these types so the
 * CLI, the contract command and the UI treat every engine alike.
 */
import type { WorkspaceSpec } from '../model/spec';

export const ENGINES = ['nginx', 'haproxy', 'caddy', 'envoy', 'traefik'] as const;
export type Engine = (typeof ENGINES)[number];

/** Something the engine cannot express exactly: a comment at its spot in the output and one stderr line. */
export interface ExportWarning {
  service: string;
  /** The workspace feature, in the words of README's feature × engine table (e.g. "peak-EWMA", "retries.onStatus"). */
  feature: string;
  /** How close the output gets: `nearest` maps to something similar, `none` drops it. */
  fidelity: 'nearest' | 'none';
  message: string;
}

/** One file of the export. Most engines need one; Traefik needs a static and a dynamic file. */
export interface ExportFile {
  /** Relative name, e.g. `nginx.conf`, `traefik.yml`, `dynamic.yml`. */
  name: string;
  text: string;
}

export interface ExportResult {
  engine: Engine;
  /** The engine version the output targets, as written in the header comment. */
  targets: string;
  files: ExportFile[];
  warnings: ExportWarning[];
}

/** What the header comment names: which lbw and which workspace made the file. */
export interface ExportMeta {
  lbwVersion: string;
  /** The workspace file's path, or a label such as "(unsaved workspace)". */
  workspace: string;
}

/** An exporter throws LbError('EXPORT_UNSUPPORTED') for what cannot be exported at all (e.g. TCP on Caddy). */
export type Exporter = (workspace: WorkspaceSpec, meta: ExportMeta) => ExportResult;
