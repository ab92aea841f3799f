/**
 * Pure edits of a workspace draft, one per command. Each returns the edited
 * draft; the Workbench validates the whole result before applying it.
 */
import { LbError } from '../model/errors';
import type { BackendSpec, ServiceSpec, WorkspaceSpec } from '../model/spec';
import type { CommandArgs } from '../contract/commands';

type ServicePatch = CommandArgs<'services:update'>['patch'];
type BackendPatch = CommandArgs<'backends:update'>['patch'];

function serviceIndex(ws: WorkspaceSpec, name: string): number {
  const i = ws.services.findIndex((s) => s.name === name);
  if (i < 0) throw new LbError('NOT_FOUND', `no service named "${name}"`);
  return i;
}

function withService(ws: WorkspaceSpec, name: string, edit: (svc: ServiceSpec) => ServiceSpec): WorkspaceSpec {
  const i = serviceIndex(ws, name);
  const services = ws.services.slice();
  services[i] = edit(services[i]!);
  return { ...ws, services };
}

/**
 * A service with `services:update`'s patch applied: a section given replaces
 * the service's, null removes it (turns the checks off). Generic so a UI's
 * view of a service (which carries more) is patched by the same rule.
 */
export function patchService<T extends Omit<ServiceSpec, 'backends'>>(svc: T, patch: ServicePatch): T {
  const next: T = { ...svc };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.listen !== undefined) next.listen = patch.listen;
  if (patch.retries !== undefined) next.retries = patch.retries;
  if (patch.timeouts !== undefined) next.timeouts = patch.timeouts;
  if (patch.limits !== undefined) next.limits = patch.limits;
  if (patch.rewriteRedirects !== undefined) next.rewriteRedirects = patch.rewriteRedirects;
  if (patch.debugHeaders === false) delete next.debugHeaders;
  else if (patch.debugHeaders !== undefined) next.debugHeaders = patch.debugHeaders;
  if (patch.tls === null) delete next.tls;
  else if (patch.tls !== undefined) next.tls = patch.tls;
  if (patch.healthCheck === null) delete next.healthCheck;
  else if (patch.healthCheck !== undefined) next.healthCheck = patch.healthCheck;
  if (patch.passiveHealth === null) delete next.passiveHealth;
  else if (patch.passiveHealth !== undefined) next.passiveHealth = patch.passiveHealth;
  return next;
}

export const editWorkspace = {
  addService(ws: WorkspaceSpec, spec: ServiceSpec): WorkspaceSpec {
    return { ...ws, services: [...ws.services, spec] };
  },

  updateService(ws: WorkspaceSpec, name: string, patch: ServicePatch): WorkspaceSpec {
    return withService(ws, name, (svc) => patchService(svc, patch));
  },

  removeService(ws: WorkspaceSpec, name: string): WorkspaceSpec {
    serviceIndex(ws, name);
    return { ...ws, services: ws.services.filter((s) => s.name !== name) };
  },

  addBackend(ws: WorkspaceSpec, service: string, backend: BackendSpec): WorkspaceSpec {
    return withService(ws, service, (svc) => ({ ...svc, backends: [...svc.backends, backend] }));
  },

  updateBackend(ws: WorkspaceSpec, service: string, index: number, patch: BackendPatch): WorkspaceSpec {
    return withService(ws, service, (svc) => {
      const backends = svc.backends.slice();
      const current = backends[index];
      if (!current) throw new LbError('NOT_FOUND', `no backend #${index} in service "${service}"`);
      const next: BackendSpec = { ...current };
      if (patch.name !== undefined) next.name = patch.name;
      if (patch.url !== undefined) next.url = patch.url;
      if (patch.weight !== undefined) next.weight = patch.weight;
      if (patch.state !== undefined) next.state = patch.state;
      if (patch.backup !== undefined) next.backup = patch.backup;
      if (patch.maxConnections === null) delete next.maxConnections;
      else if (patch.maxConnections !== undefined) next.maxConnections = patch.maxConnections;
      backends[index] = next;
      return { ...svc, backends };
    });
  },

  removeBackend(ws: WorkspaceSpec, service: string, index: number): WorkspaceSpec {
    return withService(ws, service, (svc) => ({ ...svc, backends: svc.backends.filter((_, i) => i !== index) }));
  },

  setStrategy(ws: WorkspaceSpec, service: string, strategy: string, options: Record<string, unknown>): WorkspaceSpec {
    return withService(ws, service, (svc) => ({ ...svc, strategy, strategyOptions: options }));
  },
};
