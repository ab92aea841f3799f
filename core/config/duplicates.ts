/**
 * The same backend URL twice in one service: the strategies see two
 * backends, so that server gets both their shares. Sometimes that is meant
 * (a crude weight), usually it is a slip, so commands ask first (CONFLICT
 * unless `allowDuplicate`) and a workspace file gets a warning, not an error.
 * URLs are compared as the proxy would dial them: case, a default port and a
 * trailing slash do not make two.
 */
import { backendName, type BackendSpec, type ServiceSpec, type WorkspaceSpec } from '../model/spec';
import { LbError } from '../model/errors';

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** The backends of `svc` (but the one at `except`) with this URL. Demo backends are left out: lbw gives each its own port. */
export function backendsWithUrl(svc: Pick<ServiceSpec, 'backends'>, url: string, except?: number): BackendSpec[] {
  return svc.backends.filter((b, i) => i !== except && b.demo === undefined && sameUrl(b.url, url));
}

/** Throws CONFLICT, in words a person can act on, when `url` is already a backend of the service and the user did not confirm. */
export function refuseDuplicate(svc: ServiceSpec, url: string, what: 'add' | 'point', allow: boolean | undefined, except?: number): void {
  if (allow) return;
  const same = backendsWithUrl(svc, url, except);
  if (same.length === 0) return;
  const names = same.map((b) => backendName(b)).join(', ');
  const doing = what === 'add' ? 'adding it again' : 'pointing another backend at it';
  throw new LbError('CONFLICT', `${url} is already a backend of ${svc.name} (${names}): ${doing} doubles its share of the traffic. Add it anyway only if that is what you want.`);
}

/** One line per pair of backends in a service that share a URL. */
export function duplicateUrlWarnings(ws: WorkspaceSpec): string[] {
  const out: string[] = [];
  for (const svc of ws.services) {
    svc.backends.forEach((b, i) => {
      if (b.demo !== undefined) return;
      const first = svc.backends.findIndex((x, j) => j < i && x.demo === undefined && sameUrl(x.url, b.url));
      if (first >= 0) out.push(`service "${svc.name}": backends ${backendName(svc.backends[first]!)} and ${backendName(b)} have the same URL ${b.url}, so it gets both their shares of the traffic`);
    });
  }
  return out;
}
