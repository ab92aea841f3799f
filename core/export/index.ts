/**
 * Export: a workspace to a complete config for one engine. The CLI
 * (`lbw export`) and the contract command go through this one dispatcher.
 */
import { LbError } from '../model/errors';
import type { WorkspaceSpec } from '../model/spec';
import { exportCaddy } from './caddy';
import { exportEnvoy } from './envoy';
import { exportHaproxy } from './haproxy';
import { exportNginx } from './nginx';
import { exportTraefik } from './traefik';
import { ENGINES, type Engine, type ExportMeta, type ExportResult, type Exporter } from './types';

export { ENGINES, type Engine, type ExportMeta, type ExportResult } from './types';

const exporters: Record<Engine, Exporter> = {
  nginx: exportNginx,
  haproxy: exportHaproxy,
  caddy: exportCaddy,
  envoy: exportEnvoy,
  traefik: exportTraefik,
};

export function isEngine(name: string): name is Engine {
  return (ENGINES as readonly string[]).includes(name);
}

/** The workspace as `engine` config; EXPORT_UNSUPPORTED when the engine cannot take it at all, INPUT_INVALID for an unknown engine. */
export function exportWorkspace(ws: WorkspaceSpec, engine: string, meta: ExportMeta): ExportResult {
  if (!isEngine(engine)) throw new LbError('INPUT_INVALID', `unknown engine "${engine}"; choose one of ${ENGINES.join(', ')}`);
  return exporters[engine](ws, meta);
}
