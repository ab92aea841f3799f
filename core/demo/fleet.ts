/**
 * A fleet of demo backends kept by name, and `createDemo()`, which starts
 * the three-backend demo and the workspace that balances it: what a first
 * run of the workbench shows before the user points it at their own services.
 */
import { LbError } from '../model/errors';
import type { WorkspaceInput } from '../model/spec';
import { parseOrThrow } from '../model/validate';
import { DemoBackend, DemoBackendSpecSchema, type DemoBackendDeps, type DemoBackendInput } from './demo-backend';

export class DemoFleet {
  private readonly backends = new Map<string, DemoBackend>();

  constructor(private readonly deps: DemoBackendDeps = {}) {}

  /** Creates and starts a backend; a name already in the fleet is a CONFLICT. */
  async add(spec: DemoBackendInput): Promise<DemoBackend> {
    const parsed = parseOrThrow(DemoBackendSpecSchema, spec);
    if (this.backends.has(parsed.name)) throw new LbError('CONFLICT', `a demo backend named "${parsed.name}" already exists`);
    const backend = new DemoBackend(parsed, this.deps);
    this.backends.set(parsed.name, backend); // held before the await, so a second add of the name conflicts
    try {
      await backend.start();
    } catch (err) {
      this.backends.delete(parsed.name);
      throw err;
    }
    return backend;
  }

  get(name: string): DemoBackend | undefined {
    return this.backends.get(name);
  }

  /** Stops a backend and forgets it; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    const backend = this.backends.get(name);
    if (!backend) return false;
    this.backends.delete(name);
    await backend.stop();
    return true;
  }

  list(): DemoBackend[] {
    return [...this.backends.values()];
  }

  /** Stops every backend and empties the fleet. */
  async stopAll(): Promise<void> {
    const all = this.list();
    this.backends.clear();
    await Promise.all(all.map((b) => b.stop()));
  }
}

/** The demo's three backends: two quick ones and a slower one with a long tail. */
export const DEMO_BACKENDS: readonly DemoBackendInput[] = [
  { name: 'alpha', colour: '#4e79a7', latency: { distribution: 'uniform', ms: 11.5, jitterMs: 3.5 } },
  { name: 'bravo', colour: '#f28e2b', latency: { distribution: 'long-tail', ms: 60, tail: 5 } },
  { name: 'charlie', colour: '#59a14f', latency: { distribution: 'uniform', ms: 11.5, jitterMs: 3.5 } },
];

export interface CreateDemoOptions {
  /** Where the demo service listens (default 127.0.0.1:8080). */
  listen?: string;
  /** The service's name (default `demo`). */
  serviceName?: string;
  random?: () => number;
}

/**
 * The demo workspace as a file holds it (what `lbw init` writes): the three
 * demo backends by name and spec, one round-robin service in front of them
 * with active checks on /health and passive health on. No ports: lbw starts
 * the demo backends wherever it can when the workspace opens.
 */
export function demoWorkspace(opts: Pick<CreateDemoOptions, 'listen' | 'serviceName'> = {}): WorkspaceInput {
  return {
    name: 'Demo',
    demos: DEMO_BACKENDS.map((d) => ({ ...d })),
    services: [
      {
        name: opts.serviceName ?? 'demo',
        protocol: 'http',
        listen: opts.listen ?? '127.0.0.1:8080',
        strategy: 'round-robin',
        healthCheck: { type: 'http', path: '/health', intervalMs: 1000, rise: 2, fall: 2 },
        passiveHealth: { enabled: true },
        // The url is a stand-in until lbw starts the demo backend; a file leaves it out.
        backends: DEMO_BACKENDS.map((d) => ({ demo: d.name, url: "http://127.0.0.1:0" })),
      },
    ],
  };
}

export interface Demo {
  fleet: DemoFleet;
  workspace: WorkspaceInput;
}

/**
 * The demo workspace with its backends already running: starts alpha (8-15 ms), bravo (60 ms median, long tail) and charlie
 * (8-15 ms) on free ports, and describes one round-robin service in front of
 * them with active checks on /health and passive health on. If a backend
 * fails to start, the ones already started are stopped.
 */
export async function createDemo(opts: CreateDemoOptions = {}): Promise<Demo> {
  const fleet = new DemoFleet(opts.random ? { random: opts.random } : {});
  const backends: { url: string; name: string; demo: string }[] = [];
  try {
    for (const spec of DEMO_BACKENDS) {
      const backend = await fleet.add(spec);
      backends.push({ url: backend.url!, name: backend.name, demo: backend.name });
    }
  } catch (err) {
    await fleet.stopAll();
    throw err;
  }
  const workspace = demoWorkspace(opts);
  workspace.services![0]!.backends = backends;
  return { fleet, workspace };
}
