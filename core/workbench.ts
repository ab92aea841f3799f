/**
 * The facade every host talks to (Electron main, `lbw serve`, `lbw run`).
 * It holds the workspace, validates and applies commands, and publishes
 * events and one stats snapshot per tick on a single channel.
 *
 * Every command validates its input, builds the whole new workspace, checks
 * it, and only then touches the running services: a rejected change leaves
 * the running config exactly as it was.
 *
 * Features with state of their own (faults, demo backends and load, drills)
 * own their handlers in their directories; they get a CommandContext.
 */
import { basename, resolve as resolvePath } from 'node:path';
import { commandInputs, isCommandName, type CommandInput, type CommandName, type CommandOutput } from './contract/commands';
import type { Push, WorkbenchEvent } from './contract/events';
import { loadWorkspaceFile, parseWorkspace, saveWorkspaceFile, toFileShape } from './config/workspace-file';
import { LbError, toErrorData } from './model/errors';
import { fail, ok, type Result } from './model/result';
import { BackendSpecSchema, parseListen, ServiceSpecSchema, type ServiceSpec, type WorkspaceInput, type WorkspaceSpec } from './model/spec';
import { parseOrThrow } from './model/validate';
import { ServiceRuntime, type RuntimeDeps } from './service-runtime';
import { StatsCollector, startTicker, type TickObserver } from './stats/collector';
import { strategyInfo } from './strategies/registry';
import { editWorkspace } from './config/edit';
import { describeChanges, sameWorkspace, workspaceChanges, type WorkspaceChanges } from './config/changes';
import type { CommandContext, Handler, Handlers } from './command-context';
import { DemoLab, demoCommands } from './demo/commands';
import { DemoFleet } from './demo/fleet';
import { hasDemoBackends, resolveDemos } from './demo/resolve';
import { diffWorkspaces } from './config/diff';
import { refuseDuplicate } from './config/duplicates';
import { LoadRunner, loadCommands } from './demo/load-runner';
import { DrillRunner, drillCommands } from './drills/commands';
import { faultCommands } from './faults/commands';
import { CompareRunner, compareCommands } from './lab/compare/commands';
import { RingBuffer } from './stats/ring';
import { labBatch, labCommands, type LabCommand } from './lab/commands';
import type { AccessRecord } from './lab/types';
import { exportWorkspace } from './export/index';
import { LBW_VERSION } from './export/version';

/** How many past events the workbench keeps for `events:history`. */
const EVENT_HISTORY = 500;

export interface WorkbenchOptions {
  workspace?: WorkspaceInput;
  /** The file the workspace came from; `workspace:save` without a path writes here. */
  path?: string;
  now?: () => number;
  random?: () => number;
  /** Stats tick, ms (default 500). */
  tickMs?: number;
  /** Open listeners and run health checks (false in unit tests of the model). */
  dataPlane?: boolean;
  /** How long `stop()` lets in-flight requests finish. */
  graceMs?: number;
  /** Demo backends already running (createDemo's) for the Workbench to own; a new, empty fleet otherwise. */
  demo?: DemoFleet;
  /** Receives every request's access-log record (`lbw run --access-log`); the log is off without it. */
  accessLog?: (record: AccessRecord) => void;
}

/** Commands whose handlers live in a feature's directory. */
type FeatureCommand = Extract<CommandName, `${'faults' | 'demo' | 'load' | 'drills' | 'compare'}:${string}`> | LabCommand;
type CoreCommand = Exclude<CommandName, FeatureCommand>;

export class Workbench {
  private workspace: WorkspaceSpec;
  private path: string | undefined;
  /** The workspace as last opened, saved or reloaded (or as it started): what `workspace:status` measures unsaved changes against. */
  private saved: WorkspaceSpec;
  private readonly services = new Map<string, ServiceRuntime>();
  private readonly listeners = new Set<(push: Push) => void>();
  private readonly stats: StatsCollector;
  private readonly deps: RuntimeDeps;
  private readonly tickMs: number;
  private readonly dataPlane: boolean;
  private readonly graceMs: number;
  private stopTicker: (() => void) | undefined;
  private started = false;
  /** Commands run one at a time so two edits never interleave around an await. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ctx: CommandContext;
  private readonly demo: DemoLab;
  private readonly load: LoadRunner;
  private readonly drills: DrillRunner;
  private readonly handlers: Handlers<CommandName>;
  /** The last events, so a UI that connects late still shows what happened. */
  private readonly recentEvents = new RingBuffer<WorkbenchEvent>(EVENT_HISTORY);

  constructor(options: WorkbenchOptions = {}) {
    this.workspace = parseWorkspace(options.workspace ?? { services: [] });
    this.path = options.path;
    this.saved = this.workspace;
    this.tickMs = options.tickMs ?? 500;
    this.dataPlane = options.dataPlane ?? true;
    this.graceMs = options.graceMs ?? 5_000;
    this.stats = new StatsCollector({ tickMs: this.tickMs, now: options.now ?? Date.now });
    this.deps = {
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      stats: this.stats,
      emit: (event) => this.emit(event),
      dataPlane: this.dataPlane,
      graceMs: this.graceMs,
      accessLog: options.accessLog,
    };
    for (const spec of this.workspace.services) this.services.set(spec.name, new ServiceRuntime(spec, this.deps));
    this.ctx = this.commandContext();
    this.demo = new DemoLab(options.demo ?? new DemoFleet({ random: this.deps.random }), this.ctx);
    this.load = new LoadRunner(this.ctx);
    this.drills = new DrillRunner(this.ctx, this.demo, this.load);
    this.handlers = {
      ...this.coreHandlers,
      ...faultCommands(this.ctx),
      ...demoCommands(this.ctx, this.demo),
      ...loadCommands(this.ctx, this.load),
      ...drillCommands(this.ctx, this.drills),
      ...compareCommands(new CompareRunner(this.ctx)),
      ...labCommands(this.ctx),
    };
  }

  /**
   * Opens every service's listener and starts health checks and the stats tick.
   * A service that cannot listen is reported as an event, or with failFast (the
   * CLI) stops everything and rejects.
   */
  async start(options: { failFast?: boolean } = {}): Promise<void> {
    if (this.started) return;
    try {
      await this.startDemos();
    } catch (err) {
      if (options.failFast) {
        await this.stop(0);
        throw err;
      }
      this.emit({ type: 'config:rejected', at: this.deps.now(), cause: 'demo backends could not start', error: toErrorData(err) });
    }
    this.started = true;
    for (const svc of this.services.values()) {
      try {
        await svc.start();
      } catch (err) {
        if (options.failFast) {
          await this.stop(0);
          throw err;
        }
        this.emit({ type: 'service:error', at: this.deps.now(), service: svc.name, error: toErrorData(err) });
      }
    }
    this.stopTicker = startTicker(this.tickMs, () => this.tick());
  }

  /**
   * Ends a drill and the load run, stops accepting, lets in-flight requests
   * finish (bounded), closes everything, and stops the demo backends.
   */
  async stop(graceMs = this.graceMs): Promise<void> {
    await this.drills.stop();
    await this.load.stop();
    this.stopTicker?.();
    this.stopTicker = undefined;
    this.started = false;
    await Promise.all([...this.services.values()].map((s) => s.stop(graceMs)));
    await this.demo.stopAll();
  }

  subscribe(listener: (push: Push) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs one command. Never throws: errors come back as data. */
  invoke<K extends CommandName>(name: K, input: unknown): Promise<Result<CommandOutput<K>>>;
  invoke(name: string, input: unknown): Promise<Result<unknown>>;
  invoke(name: string, input: unknown): Promise<Result<unknown>> {
    const run = async (): Promise<Result<unknown>> => {
      if (!isCommandName(name)) return fail({ code: 'UNKNOWN_COMMAND', message: `unknown command "${String(name)}"` });
      try {
        const parsed = parseOrThrow(commandInputs[name], input ?? {}, 'INPUT_INVALID');
        const handler = this.handlers[name] as Handler<typeof name>;
        return ok(await handler(parsed as never));
      } catch (err) {
        return fail(toErrorData(err));
      }
    };
    return this.enqueue(run);
  }

  /**
   * Hot reload of the file this workbench follows (`source`, see
   * core/config/watch): `read` is its workspace read again, or why it could
   * not be read. A workspace is applied the way `workspace:replace` applies
   * one (commit: queued with the commands, bind before release, a refusal
   * announced as `config:rejected`); one the same as the running workspace
   * (the workbench's own save, an edit undone) changes and announces nothing;
   * an unreadable file is refused the same way, so every UI shows why.
   * Ignored when the workbench has since moved to another file.
   */
  reload(source: string, read: { workspace: WorkspaceSpec } | { error: unknown }): Promise<Result<ReloadOutcome>> {
    return this.enqueue<ReloadOutcome>(async () => {
      try {
        if (this.path === undefined || resolvePath(this.path) !== resolvePath(source)) return ok({ ignored: `the workbench now uses ${this.path ?? 'no file'}` });
        if ('error' in read) {
          this.emit({ type: 'config:rejected', at: this.deps.now(), cause: `reload of ${source}`, error: toErrorData(read.error) });
          throw read.error;
        }
        const changes = workspaceChanges(this.workspace, read.workspace);
        if (sameWorkspace(this.workspace, read.workspace)) {
          this.saved = this.workspace;
          return ok({ applied: false, changes });
        }
        await this.commit(read.workspace, `reloaded ${source}: ${describeChanges(changes)}`);
        this.saved = this.workspace;
        return ok({ applied: true, changes });
      } catch (err) {
        return fail(toErrorData(err));
      }
    });
  }

  /** Runs `run` after every command before it, so two changes never interleave around an await. */
  private enqueue<T>(run: () => Promise<Result<T>>): Promise<Result<T>> {
    const result = this.queue.then(run, run);
    this.queue = result;
    return result;
  }

  /** Starts the demo backends the opening workspace names (a saved demo workspace) and points their backends at them. */
  private async startDemos(): Promise<void> {
    if (!hasDemoBackends(this.workspace)) return;
    const { workspace, started } = await resolveDemos(this.workspace, this.demo);
    await this.apply(workspace);
    this.workspace = workspace;
    this.saved = workspace;
    for (const name of started) this.emit({ type: 'demo:changed', at: this.deps.now(), name, change: 'added' });
  }

  /** What feature handlers may use; `call` runs a handler directly, for use inside another one. */
  private commandContext(): CommandContext {
    return {
      now: () => this.deps.now(),
      random: () => this.deps.random(),
      emit: (event) => this.emit(event),
      publish: (push) => this.publish(push),
      subscribe: (listener) => this.subscribe(listener),
      runtime: (name) => this.runtime(name),
      runtimes: () => [...this.services.values()],
      workspace: () => this.getWorkspace(),
      commit: (next, cause) => this.commit(next, cause),
      call: async <K extends CommandName>(name: K, input: CommandInput<K>) => {
        const parsed = parseOrThrow(commandInputs[name], input, 'INPUT_INVALID');
        return (await (this.handlers[name] as Handler<K>)(parsed as never)) as CommandOutput<K>;
      },
      invoke: (name, input) => this.invoke(name, input),
    };
  }

  /** The current workspace (a copy). */
  getWorkspace(): WorkspaceSpec {
    return structuredClone(this.workspace);
  }

  service(name: string): ServiceRuntime | undefined {
    return this.services.get(name);
  }

  /** Reads each tick's raw counters before they are cleared (the admin API's Prometheus totals); returns a remover. */
  observeTicks(observer: TickObserver): () => void {
    return this.stats.observe(observer);
  }

  /** Builds and publishes one stats snapshot (the ticker calls this). */
  tick(): void {
    const now = this.deps.now();
    for (const svc of this.services.values()) svc.sweep(now);
    const snapshot = this.stats.snapshot(now, [...this.services.values()].map((s) => s.statsView()));
    this.publish({ channel: 'stats', snapshot });
    const batch = labBatch(now, this.services.values());
    if (batch) this.publish({ channel: 'lab', batch });
  }

  private emit(event: WorkbenchEvent): void {
    // The history keeps what happened, not the service views or the report an event carries (a UI reads those when it connects).
    if (event.type === 'config:changed' && event.services) {
      const { services: _views, ...kept } = event;
      this.recentEvents.push(kept);
    } else if (event.type === 'drill:done' && event.report) {
      const { report: _report, ...kept } = event;
      this.recentEvents.push(kept);
    } else {
      this.recentEvents.push(event);
    }
    this.publish({ channel: 'event', event });
  }

  private publish(push: Push): void {
    for (const listener of this.listeners) {
      try {
        listener(push);
      } catch {
        // A misbehaving subscriber must not stop the others or the core.
      }
    }
  }

  private runtime(name: string): ServiceRuntime {
    const svc = this.services.get(name);
    if (!svc) throw new LbError('NOT_FOUND', `no service named "${name}"`);
    return svc;
  }

  private rekey(from: string, to: string, svc: ServiceRuntime): void {
    if (from === to) return;
    this.stats.renameService(from, to);
    const entries = [...this.services].map(([k, v]) => (k === from ? ([to, svc] as const) : ([k, v] as const)));
    this.services.clear();
    for (const [k, v] of entries) this.services.set(k, v);
  }

  /**
   * Validates the edited workspace, applies it to the runtime, then commits
   * it. A change refused on the way (a port in use, a CA file missing) leaves
   * everything running as it was and is announced as `config:rejected`.
   */
  private async commit(next: WorkspaceSpec, cause: string): Promise<void> {
    const before = this.workspace;
    try {
      // Demo backends the workspace names are started (and stopped again if the change is refused).
      const { workspace: valid, started } = await resolveDemos(parseWorkspace(next), this.demo);
      try {
        for (const spec of valid.services) ServiceRuntime.check(spec);
        await this.apply(valid);
      } catch (err) {
        await this.demo.forget(started);
        throw err;
      }
      this.workspace = valid;
      for (const name of started) this.emit({ type: 'demo:changed', at: this.deps.now(), name, change: 'added' });
    } catch (err) {
      this.emit({ type: 'config:rejected', at: this.deps.now(), cause, error: toErrorData(err) });
      throw err;
    }
    const { service, changes } = diffWorkspaces(before, this.workspace);
    const services = [...this.services.values()].map((s) => s.view());
    this.emit({ type: 'config:changed', at: this.deps.now(), cause, ...(service === undefined ? {} : { service }), changes, services });
  }

  /**
   * Brings the running services in line with `next`, bind before release: a
   * service that moves gets its new listener bound while the old one still
   * serves, and only once every new listener is bound do the old ones go, so
   * a refused change stops nothing. Only a move onto the service's own port
   * (a new protocol or host on the same port) must release first; should its
   * new bind fail, the old listener is bound again.
   */
  private async apply(next: WorkspaceSpec): Promise<void> {
    const created: ServiceRuntime[] = [];
    const rebound = new Map<string, ServiceRuntime>();
    /** Old services released early to free their own port; restarted if the change is refused. */
    const released: ServiceRuntime[] = [];
    try {
      for (const spec of next.services) {
        const current = this.services.get(spec.name);
        if (current && current.canUpdateInPlace(spec)) continue;
        const fresh = new ServiceRuntime(spec, this.deps);
        if (this.started) {
          try {
            await fresh.start();
          } catch (err) {
            if (!current || !takesOwnPort(err, current, spec)) throw err;
            await current.stop(this.graceMs);
            released.push(current);
            await fresh.start();
          }
        }
        created.push(fresh);
        rebound.set(spec.name, fresh);
      }
    } catch (err) {
      await Promise.all(created.map((s) => s.stop(0)));
      for (const old of released) await old.start().catch((e: unknown) => this.emit({ type: 'service:error', at: this.deps.now(), service: old.name, error: toErrorData(e) }));
      throw err;
    }
    // Every new listener is bound: the old ones of moved services go now, letting their requests finish.
    await Promise.all([...rebound.keys()].map((name) => this.services.get(name)).filter((s) => s !== undefined && !released.includes(s)).map((s) => s!.stop(this.graceMs)));
    const keep = new Set(next.services.map((s) => s.name));
    for (const [name, svc] of this.services) {
      if (!keep.has(name)) {
        await svc.stop(this.graceMs);
        this.services.delete(name);
        this.stats.forgetService(name);
      }
    }
    for (const spec of next.services) {
      const fresh = rebound.get(spec.name);
      if (fresh) {
        const old = this.services.get(spec.name);
        if (old) carryFaults(old, fresh);
        old?.dispose();
        this.services.set(spec.name, fresh);
      } else {
        this.services.get(spec.name)!.update(spec);
      }
    }
    // Keep the workspace's service order.
    const ordered = next.services.map((s) => [s.name, this.services.get(s.name)!] as const);
    this.services.clear();
    for (const [name, svc] of ordered) this.services.set(name, svc);
  }

  /** The workspace's own commands; the features' are added in the constructor. */
  private readonly coreHandlers: Handlers<CoreCommand> = {
    'workspace:get': () => this.getWorkspace(),
    'workspace:status': () => ({ path: this.path ?? null, dirty: !sameWorkspace(this.workspace, this.saved) }),
    'workspace:file': () => {
      // No schema reference: a path relative to this host means nothing where the file is downloaded.
      const { $schema: _ref, ...shaped } = toFileShape(this.draft(), '');
      return { name: this.path === undefined ? 'workspace.json' : basename(this.path), text: `${JSON.stringify(shaped, null, 2)}\n` };
    },
    'workspace:replace': async ({ workspace }) => {
      await this.commit(workspace as WorkspaceSpec, 'workspace replaced');
      return this.getWorkspace();
    },
    'workspace:open': async ({ path }) => {
      const spec = await loadWorkspaceFile(path);
      await this.commit(spec, `opened ${path}`);
      this.path = path;
      this.saved = this.workspace;
      return this.getWorkspace();
    },
    'workspace:save': async ({ path, overwrite }) => {
      const target = path ?? this.path;
      if (!target) throw new LbError('INPUT_INVALID', 'give a path: this workspace was never saved');
      const saving = this.workspace;
      await saveWorkspaceFile(target, this.draft(), { overwrite, current: this.path });
      this.path = target;
      this.saved = saving;
      return { path: target };
    },
    'workspace:export': ({ engine }) => exportWorkspace(this.draft(), engine, { lbwVersion: LBW_VERSION, workspace: this.path ?? '(unsaved workspace)' }),
    'services:list': () => [...this.services.values()].map((s) => s.view()),
    'services:add': async ({ service }) => {
      const spec = parseOrThrow(ServiceSpecSchema, service, 'INPUT_INVALID', ['service']);
      if (this.services.has(spec.name)) throw new LbError('CONFLICT', `a service named "${spec.name}" already exists`);
      await this.commit(editWorkspace.addService(this.draft(), spec), `service ${spec.name} added`);
      return this.runtime(spec.name).view();
    },
    'services:update': async ({ service, patch }) => {
      const svc = this.runtime(service);
      const next = editWorkspace.updateService(this.draft(), service, patch);
      const name = patch.name ?? service;
      if (name !== service && this.services.has(name)) throw new LbError('CONFLICT', `a service named "${name}" already exists`);
      // A rename keeps the running service: re-key it so apply() updates it in place.
      this.rekey(service, name, svc);
      try {
        await this.commit(next, `service ${service} updated`);
      } catch (err) {
        this.rekey(name, service, svc);
        throw err;
      }
      return this.runtime(name).view();
    },
    'services:remove': async ({ service }) => {
      this.runtime(service);
      await this.commit(editWorkspace.removeService(this.draft(), service), `service ${service} removed`);
      return { removed: service };
    },
    'backends:add': async ({ service, backend, allowDuplicate }) => {
      const svc = this.runtime(service);
      const spec = parseOrThrow(BackendSpecSchema, backend, 'INPUT_INVALID', ['backend']);
      refuseDuplicate(svc.spec, spec.url, 'add', allowDuplicate);
      await this.commit(editWorkspace.addBackend(this.draft(), service, spec), `backend added to ${service}`);
      return svc.backendView(svc.backends.at(-1)!.id);
    },
    'backends:update': async ({ service, backend, patch, allowDuplicate }) => {
      const svc = this.runtime(service);
      const target = svc.findBackend(backend);
      const index = svc.backends.indexOf(target);
      if (patch.url !== undefined) refuseDuplicate(svc.spec, patch.url, 'point', allowDuplicate, index);
      await this.commit(editWorkspace.updateBackend(this.draft(), service, index, patch), `backend ${target.name} updated`);
      return svc.backendView(target.id);
    },
    'backends:remove': async ({ service, backend }) => {
      const svc = this.runtime(service);
      const target = svc.findBackend(backend);
      const view = svc.backendView(target.id);
      const index = svc.backends.indexOf(target);
      await this.commit(editWorkspace.removeBackend(this.draft(), service, index), `backend ${target.name} removed from ${service}`);
      return view;
    },
    'strategy:set': async ({ service, strategy, options }) => {
      this.runtime(service);
      const next = editWorkspace.setStrategy(this.draft(), service, strategy, options ?? {});
      await this.commit(next, `strategy of ${service} set to ${strategy}`);
      return this.runtime(service).view();
    },
    'strategies:list': () => strategyInfo(),
    'stats:history': ({ sinceTick }) => this.stats.history(sinceTick),
    'events:history': () => this.recentEvents.toArray(),
  };

  /** A copy of the workspace for a command to edit. */
  private draft(): WorkspaceSpec {
    return structuredClone(this.workspace);
  }
}

/** What a hot reload did: applied what changed, found nothing to change, or ignored a file the workbench no longer uses. */
export type ReloadOutcome = { applied: boolean; changes: WorkspaceChanges } | { ignored: string };

/** The new listener failed only because the service's own old listener holds that port. */
function takesOwnPort(err: unknown, current: ServiceRuntime, spec: ServiceSpec): boolean {
  if (!(err instanceof LbError) || err.code !== 'PORT_IN_USE' || current.address === null) return false;
  const port = parseListen(spec.listen).port;
  return port !== 0 && port === Number(current.address.slice(current.address.lastIndexOf(':') + 1));
}

/** A rebound service keeps its backends' injected faults (matched by name). */
function carryFaults(from: ServiceRuntime, to: ServiceRuntime): void {
  for (const b of to.backends) {
    const old = from.backends.find((x) => x.name === b.name);
    if (old && old.faults.size > 0) b.faults.set(old.faults.list());
  }
}
