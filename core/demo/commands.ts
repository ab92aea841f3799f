/**
 * The demo commands: the Workbench's own demo backends (a DemoFleet it
 * owns and stops with itself), added to and removed from services like any
 * backend. `DemoLab` also lets a drill stop and restart one on its port.
 */
import type { BackendView, DemoView } from '../contract/commands';
import type { CommandContext, Handlers } from '../command-context';
import { LbError } from '../model/errors';
import type { DemoBackend } from './demo-backend';
import { DEMO_BACKENDS, type DemoFleet } from './fleet';
import type { DemoAddSpec, DemoBackendInput } from './spec';

/** Names handed out in order; past the alphabet, `demo-N`. */
const NAMES = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'mike',
  'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu',
];
/** Tableau 10, the charts' palette. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export class DemoLab {
  /** Where each demo backend listens, kept while one is stopped so its service's URL stays known. */
  private readonly urls = new Map<string, string>();

  constructor(
    readonly fleet: DemoFleet,
    private readonly ctx: CommandContext,
  ) {
    for (const b of fleet.list()) if (b.url) this.urls.set(b.name, b.url);
  }

  get(name: string): DemoBackend {
    const b = this.fleet.get(name);
    if (!b) throw new LbError('NOT_FOUND', `no demo backend named "${name}"`);
    return b;
  }

  /** The demo backend listening at a backend URL, if any. */
  byUrl(url: string): DemoBackend | undefined {
    for (const [name, u] of this.urls) if (u === url) return this.fleet.get(name);
    return undefined;
  }

  async add(spec: DemoBackendInput): Promise<DemoBackend> {
    const b = await this.fleet.add(spec);
    this.urls.set(b.name, b.url!);
    return b;
  }

  /** Where a demo backend listens, or listened before a drill stopped it. */
  urlOf(name: string): string | undefined {
    return this.urls.get(name);
  }

  /** Stops and forgets demo backends started for a change that was then refused (no event: they never took part). */
  async forget(names: readonly string[]): Promise<void> {
    for (const name of names) {
      await this.fleet.remove(name);
      this.urls.delete(name);
    }
  }

  async remove(name: string): Promise<void> {
    await this.fleet.remove(name);
    this.urls.delete(name);
    this.ctx.emit({ type: 'demo:changed', at: this.ctx.now(), name, change: 'removed' });
  }

  /** Stops a demo backend in place (its port closes: connections are refused). */
  async kill(name: string): Promise<void> {
    await this.get(name).stop();
    this.ctx.emit({ type: 'demo:changed', at: this.ctx.now(), name, change: 'stopped' });
  }

  /** Starts a stopped demo backend again on its port. */
  async revive(name: string): Promise<void> {
    await this.get(name).start();
    this.ctx.emit({ type: 'demo:changed', at: this.ctx.now(), name, change: 'started' });
  }

  view(b: DemoBackend): DemoView {
    const url = b.url ?? this.urls.get(b.name) ?? '';
    const usedBy: DemoView['usedBy'] = [];
    for (const svc of this.ctx.runtimes()) {
      for (const backend of svc.backends) if (backend.urlString() === url) usedBy.push({ service: svc.name, backend: backend.name, backendId: backend.id });
    }
    const spec = b.spec;
    return { name: b.name, colour: spec.colour, url, running: b.url !== undefined, spec, stats: b.stats(), usedBy };
  }

  /** The spec with the next free name, and that name's colour and latency, where the caller left them out. */
  complete(spec: DemoAddSpec, taken: ReadonlySet<string>): DemoBackendInput {
    const name = spec.name ?? nextName(taken);
    const known = DEMO_BACKENDS.find((d) => d.name === name);
    const index = NAMES.indexOf(name);
    const colour = spec.colour ?? known?.colour ?? PALETTE[(index >= 0 ? index : this.fleet.list().length) % PALETTE.length]!;
    const latency = spec.latency ?? known?.latency ?? { distribution: 'uniform', ms: 11.5, jitterMs: 3.5 };
    return { ...spec, name, colour, latency };
  }

  async stopAll(): Promise<void> {
    await this.fleet.stopAll();
    this.urls.clear();
  }
}

function nextName(taken: ReadonlySet<string>): string {
  const free = NAMES.find((n) => !taken.has(n));
  if (free) return free;
  for (let i = NAMES.length + 1; ; i++) if (!taken.has(`demo-${i}`)) return `demo-${i}`;
}

export function demoCommands(ctx: CommandContext, lab: DemoLab): Handlers<'demo:add' | 'demo:remove' | 'demo:list'> {
  return {
    'demo:add': async ({ service, spec }) => {
      const svc = ctx.runtime(service);
      if (svc.spec.protocol !== 'http') throw new LbError('INPUT_INVALID', `demo backends speak HTTP; "${service}" is a ${svc.spec.protocol} service`);
      const taken = new Set([...lab.fleet.list().map((b) => b.name), ...svc.backends.map((b) => b.name)]);
      const demo = await lab.add(lab.complete(spec ?? {}, taken));
      let backend: BackendView;
      try {
        backend = await ctx.call('backends:add', { service, backend: { url: demo.url!, name: demo.name, demo: demo.name } });
      } catch (err) {
        await lab.fleet.remove(demo.name);
        throw err;
      }
      ctx.emit({ type: 'demo:changed', at: ctx.now(), name: demo.name, change: 'added' });
      return { demo: lab.view(demo), backend };
    },
    'demo:remove': async ({ name }) => {
      const view = lab.view(lab.get(name));
      const backends: BackendView[] = [];
      for (const use of view.usedBy) backends.push(await ctx.call('backends:remove', { service: use.service, backend: use.backendId }));
      await lab.remove(name);
      return { removed: name, backends };
    },
    'demo:list': () => lab.fleet.list().map((b) => lab.view(b)),
  };
}
