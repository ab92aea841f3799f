/**
 * Demo backends named in a workspace (`{ "demo": "alpha" }`): started when
 * the workspace is opened or edited, and their backends pointed at where they
 * listen. A saved file keeps the name and the spec (under `demos`), never the
 * one-off port, so a reopened demo workspace comes back alive.
 */
import { LbError } from '../model/errors';
import type { WorkspaceSpec } from '../model/spec';
import type { DemoLab } from './commands';

export interface ResolvedDemos {
  workspace: WorkspaceSpec;
  /** Demo backends this call started (to stop again if the change is refused). */
  started: string[];
}

/** Whether any backend of the workspace is a demo backend. */
export function hasDemoBackends(ws: WorkspaceSpec): boolean {
  return ws.services.some((s) => s.backends.some((b) => b.demo !== undefined));
}

/**
 * Starts each demo backend the workspace names that is not running yet (with
 * its spec from `demos`, or the built-in one of that name), sets each demo
 * backend's url to where it listens, and lists the specs of the demo backends
 * in use as `demos`. A running demo backend is kept as it is. If one cannot
 * start, those started here are stopped again and the error is thrown.
 */
export async function resolveDemos(input: WorkspaceSpec, lab: DemoLab): Promise<ResolvedDemos> {
  const ws = structuredClone(input);
  const started: string[] = [];
  const used: string[] = [];
  try {
    for (const svc of ws.services) {
      for (const b of svc.backends) {
        if (b.demo === undefined) continue;
        if (svc.protocol !== 'http') throw new LbError('CONFIG_INVALID', `services "${svc.name}": demo backend "${b.demo}" speaks HTTP; a tcp service cannot use it`);
        if (!used.includes(b.demo)) used.push(b.demo);
        if (!lab.fleet.get(b.demo)) {
          const listed = ws.demos?.find((d) => d.name === b.demo);
          const taken = new Set(lab.fleet.list().map((x) => x.name));
          await lab.add(listed ?? lab.complete({ name: b.demo }, taken));
          started.push(b.demo);
        }
        b.url = lab.urlOf(b.demo)!;
      }
    }
  } catch (err) {
    await lab.forget(started);
    throw err;
  }
  const demos = used.map((name) => lab.fleet.get(name)!.spec);
  if (demos.length > 0) ws.demos = demos;
  else delete ws.demos;
  return { workspace: ws, started };
}
