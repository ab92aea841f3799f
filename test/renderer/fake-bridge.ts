/**
 * A fake Bridge for component and store tests: it answers commands from an
 * in-memory list of services (not a mock of the network), records every
 * call, and lets a test push events and stats or drop the connection.
 */
import type {
  BackendFaults,
  BackendView,
  CommandInput,
  CommandName,
  CommandOutput,
  DemoView,
  DrillReport,
  DrillSpec,
  DrillStatus,
  ErrorData,
  LoadProgress,
  LoadStatus,
  LoadSummary,
  Push,
  Result,
  ServiceView,
  StatsSnapshot,
  StrategyInfo,
  WorkbenchEvent,
} from '../../core/contract';
import { commandInputs, DrillSchema } from '../../core/contract';
import { patchService } from '../../core/config/edit';
import { LoadSpecSchema } from '../../core/demo/load/spec';
import { faultLabel, FaultListSchema } from '../../core/faults/spec';
import { BackendSpecSchema, backendName, ServiceSpecSchema } from '../../core/model/spec';
import type { Bridge } from '../../renderer/bridge/types';

export const STRATEGIES: StrategyInfo[] = [
  { name: 'round-robin', label: 'Round robin', description: 'Each backend in turn.', whenToUse: 'Equal backends.', layer4: true, weighted: false, params: [] },
  {
    name: 'weighted-round-robin',
    label: 'Weighted round robin',
    description: 'In turn, in proportion to weight.',
    whenToUse: 'Backends of different sizes.',
    layer4: true,
    weighted: true,
    params: [],
  },
  {
    name: 'ring-hash',
    label: 'Ring hash',
    description: 'The same key goes to the same backend.',
    whenToUse: 'Caches and sticky sessions.',
    layer4: false,
    weighted: true,
    params: [
      { name: 'hashOn', label: 'Hash on', type: 'enum', choices: ['client-ip', 'header', 'cookie'], default: 'client-ip', description: 'What to hash.' },
      { name: 'key', label: 'Header or cookie name', type: 'string', description: 'Header or cookie to hash.' },
    ],
  },
];

let nextId = 100;

export function backendView(url: string, extra: Partial<BackendView> = {}): BackendView {
  // Only the spec's own fields: the schema is strict, and `extra` may carry view state (health, lastCheck).
  const { id: _id, health: _health, ejected: _ejected, lastCheck: _lastCheck, faults: _faults, ...specFields } = extra;
  const spec = BackendSpecSchema.parse({ url, ...specFields });
  return { id: `b${nextId++}`, health: 'unknown', ejected: false, lastCheck: null, ...spec, name: backendName(spec), ...extra, faults: extra.faults ?? [] };
}

export function serviceView(name: string, backends: BackendView[] = [], extra: Partial<ServiceView> = {}): ServiceView {
  return {
    name,
    protocol: 'http',
    listen: '127.0.0.1:8080',
    address: '127.0.0.1:8080',
    strategy: 'round-robin',
    strategyOptions: {},
    retries: { attempts: 3, retryNonIdempotent: false, onStatus: [], budgetPercent: 50, minRetryConcurrency: 10, replayBufferBytes: 65536 },
    timeouts: { connectMs: 2000, responseMs: 30000, idleMs: 60000, clientHeadersMs: 10000 },
    limits: { maxHeaderBytes: 16384 },
    rewriteRedirects: true,
    backends,
    ...extra,
  };
}

type Handler<K extends CommandName> = (input: CommandInput<K>) => Result<CommandOutput<K>>;

const err = (code: ErrorData['code'], message: string, issues?: string[]): Result<never> => ({
  ok: false,
  error: issues ? { code, message, issues } : { code, message },
});

const DEMO_NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
const DEMO_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];

export const IDLE_LOAD: LoadStatus = { state: 'idle', owner: null, service: null, target: null, spec: null, startedAt: null, progress: null, last: null };
export const IDLE_DRILL: DrillStatus = { state: 'idle', drill: null, startedAt: null, durationMs: null, stepsDone: 0 };

export function demoView(name: string, url: string, colour: string, usedBy: DemoView['usedBy'] = []): DemoView {
  return {
    name,
    colour,
    url,
    running: true,
    spec: { name, colour, latency: { distribution: 'uniform', ms: 10, jitterMs: 2 }, errorRate: 0, errorStatus: 500, capacity: 100, healthy: true, port: 0 } as DemoView['spec'],
    stats: { name, colour, url, healthy: true, served: 0, byStatus: {}, bodyBytes: 0, inFlight: 0, queued: 0 } as unknown as DemoView['stats'],
    usedBy,
  };
}

export function loadSummary(extra: Partial<LoadSummary> = {}): LoadSummary {
  return {
    reason: 'stopped',
    durationMs: 4000,
    sent: 400,
    ok: 390,
    failed: { status4xx: 0, status5xx: 10, refused: 0, reset: 0, timeout: 0, other: 0 },
    skipped: 0,
    cancelled: 0,
    rate: 100,
    throughput: 100,
    latency: { p50: 11, p90: 20, p99: 40, max: 80, count: 390 },
    backends: { alpha: 200, bravo: 190 },
    ...extra,
  };
}

/** A load run's progress at `elapsedMs`: 100 req/s asked, about that achieved, no failures. */
export function loadProgress(elapsedMs: number, extra: Partial<LoadProgress> = {}): LoadProgress {
  return {
    elapsedMs,
    sent: elapsedMs / 10,
    ok: elapsedMs / 10,
    failed: { status4xx: 0, status5xx: 0, refused: 0, reset: 0, timeout: 0, other: 0 },
    skipped: 0,
    inFlight: 2,
    rate: { interval: 98.5, overall: 99 },
    throughput: { interval: 98, overall: 99 },
    targetRate: 100,
    latency: { p50: 10, p99: 40, count: 49 },
    backends: { alpha: elapsedMs / 20, bravo: elapsedMs / 20 },
    ...extra,
  };
}

/** Commands after which the core pushes config:changed (they commit a new workspace). */
const WORKSPACE_CHANGES: ReadonlySet<CommandName> = new Set<CommandName>([
  'workspace:open',
  'workspace:replace',
  'services:add',
  'services:update',
  'services:remove',
  'backends:add',
  'backends:update',
  'backends:remove',
  'strategy:set',
  'demo:add',
  'demo:remove',
  'drills:save',
  'drills:remove',
]);

export class FakeBridge implements Bridge {
  services: ServiceView[];
  strategies = STRATEGIES;
  history: StatsSnapshot[] = [];
  demos: DemoView[] = [];
  drills: DrillSpec[] = [];
  drillReport: DrillReport | null = null;
  loadStatus: LoadStatus = IDLE_LOAD;
  drillStatus: DrillStatus = IDLE_DRILL;
  now = 1_700_000_000_000;
  /**
   * Files on the "host" that exist and lbw did not write: saving or exporting
   * over one answers CONFLICT unless `overwrite: true`, as the core's safe
   * write does; once written, the file is lbw's and is replaced freely.
   */
  readonly foreignFiles = new Set<string>();
  readonly calls: { name: CommandName; input: unknown }[] = [];
  /** Per-command replacement answers, for error cases. */
  readonly overrides: Partial<{ [K in CommandName]: Handler<K> }> = {};
  private pushListeners = new Set<(p: Push) => void>();
  private connectionListeners = new Set<(c: boolean) => void>();
  private connected: boolean;

  constructor(services: ServiceView[] = [], { connected = true } = {}) {
    this.services = services;
    this.connected = connected;
  }

  callsOf<K extends CommandName>(name: K): CommandInput<K>[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input as CommandInput<K>);
  }

  async invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>> {
    this.calls.push({ name, input });
    if (!this.connected) return err('INTERNAL', 'disconnected');
    const override = this.overrides[name] as Handler<K> | undefined;
    if (override) return override(input);
    const res = this.answer(name, input) as Result<CommandOutput<K>>;
    // As the core: a change is pushed as config:changed with every service view, before the reply.
    if (res.ok && WORKSPACE_CHANGES.has(name)) {
      this.push({ channel: 'event', event: { type: 'config:changed', at: this.now, cause: name, changes: [], services: structuredClone(this.services) } });
    }
    return res;
  }

  subscribe(listener: (p: Push) => void): () => void {
    this.pushListeners.add(listener);
    return () => void this.pushListeners.delete(listener);
  }

  onConnection(listener: (c: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connected);
    return () => void this.connectionListeners.delete(listener);
  }

  push(p: Push): void {
    for (const l of [...this.pushListeners]) l(p);
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    for (const l of [...this.connectionListeners]) l(connected);
  }

  private service(name: string): ServiceView | undefined {
    return this.services.find((s) => s.name === name);
  }

  private emit(event: WorkbenchEvent): void {
    this.push({ channel: 'event', event });
  }

  /** Replaces a backend's faults, as the core does, and announces it. */
  private setFaults(svc: ServiceView, b: BackendView, faults: BackendView['faults']): BackendFaults {
    const next = { ...b, faults };
    this.replaceService(svc.name, { ...this.service(svc.name)!, backends: this.service(svc.name)!.backends.map((x) => (x.id === b.id ? next : x)) });
    const labels = faults.filter((f) => f.enabled).map(faultLabel);
    this.emit({ type: 'faults:changed', at: this.now, service: svc.name, backend: b.name, backendId: b.id, faults, labels });
    return { service: svc.name, backend: b.name, backendId: b.id, faults, labels };
  }

  /** The lab's commands (demo, faults, load, drills), answered from in-memory state like the core. */
  private answerLab(name: CommandName, input: Record<string, unknown>): Result<unknown> | undefined {
    switch (name) {
      case 'demo:list':
        return { ok: true, value: this.demos };
      case 'demo:add': {
        const { service } = input as CommandInput<'demo:add'>;
        const svc = this.service(service);
        if (!svc) return err('NOT_FOUND', `no service "${service}"`);
        if (svc.protocol !== 'http') return err('INPUT_INVALID', `demo backends speak HTTP; "${service}" is a ${svc.protocol} service`);
        const taken = new Set([...this.demos.map((d) => d.name), ...svc.backends.map((b) => b.name)]);
        const i = DEMO_NAMES.findIndex((n) => !taken.has(n));
        const demoName = DEMO_NAMES[i] ?? `demo-${this.demos.length + 1}`;
        const url = `http://127.0.0.1:${41000 + this.demos.length}`;
        const backend = backendView(url, { name: demoName });
        this.replaceService(service, { ...svc, backends: [...svc.backends, backend] });
        const demo = demoView(demoName, url, DEMO_COLOURS[i] ?? '#888888', [{ service, backend: demoName, backendId: backend.id }]);
        this.demos = [...this.demos, demo];
        this.emit({ type: 'demo:changed', at: this.now, name: demoName, change: 'added' });
        return { ok: true, value: { demo, backend } };
      }
      case 'demo:remove': {
        const { name: demoName } = input as CommandInput<'demo:remove'>;
        const demo = this.demos.find((d) => d.name === demoName);
        if (!demo) return err('NOT_FOUND', `no demo backend named "${demoName}"`);
        const removed: BackendView[] = [];
        this.services = this.services.map((svc) => ({
          ...svc,
          backends: svc.backends.filter((b) => (b.url === demo.url ? (removed.push(b), false) : true)),
        }));
        this.demos = this.demos.filter((d) => d !== demo);
        this.emit({ type: 'demo:changed', at: this.now, name: demoName, change: 'removed' });
        return { ok: true, value: { removed: demoName, backends: removed } };
      }
      case 'faults:set': {
        const { service, backend, faults } = input as CommandInput<'faults:set'>;
        const svc = this.service(service);
        const b = svc?.backends.find((x) => x.id === backend || x.name === backend);
        if (!svc || !b) return err('NOT_FOUND', `no backend "${backend}"`);
        const parsed = FaultListSchema.safeParse(faults);
        if (!parsed.success) return err('INPUT_INVALID', 'invalid faults', parsed.error.issues.map((i) => `faults.${i.path.join('.')}: ${i.message}`));
        return { ok: true, value: this.setFaults(svc, b, parsed.data) };
      }
      case 'faults:clear': {
        const healed: BackendFaults[] = [];
        for (const svc of this.services) for (const b of svc.backends) if (b.faults.length > 0) healed.push(this.setFaults(svc, b, []));
        return { ok: true, value: healed };
      }
      case 'faults:list':
        return {
          ok: true,
          value: this.services.flatMap((svc) =>
            svc.backends.map((b) => ({ service: svc.name, backend: b.name, backendId: b.id, faults: b.faults, labels: b.faults.filter((f) => f.enabled).map(faultLabel) })),
          ),
        };
      case 'load:start': {
        const { spec, service } = input as CommandInput<'load:start'>;
        if (this.drillStatus.state !== 'idle') return err('CONFLICT', `a load run is already going (drill "${this.drillStatus.drill}"); stop it first`);
        if (this.loadStatus.state !== 'idle') return err('CONFLICT', 'a load run is already going (started by load:start); stop it first');
        const svc = service === undefined ? undefined : this.service(service);
        const target = spec.target ?? `http://${svc?.address ?? '127.0.0.1:8080'}`;
        const parsed = LoadSpecSchema.safeParse({ ...spec, target });
        if (!parsed.success) return err('INPUT_INVALID', 'invalid load spec', parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`));
        this.loadStatus = { ...IDLE_LOAD, state: 'running', owner: { kind: 'user' }, service: service ?? null, target, spec: parsed.data, startedAt: this.now };
        this.emit({ type: 'load:started', at: this.now, service: service ?? null, target, drill: null });
        return { ok: true, value: this.loadStatus };
      }
      case 'load:stop': {
        if (this.loadStatus.state === 'idle') return { ok: true, value: this.loadStatus };
        const stopping: LoadStatus = { ...this.loadStatus, state: 'stopping' };
        const summary = loadSummary();
        const service = this.loadStatus.service;
        this.loadStatus = { ...IDLE_LOAD, last: summary };
        this.emit({ type: 'load:done', at: this.now, service, drill: null, summary });
        return { ok: true, value: stopping };
      }
      case 'load:status':
        return { ok: true, value: this.loadStatus };
      case 'drills:list':
        return { ok: true, value: this.drills };
      case 'drills:save': {
        const parsed = DrillSchema.safeParse((input as CommandInput<'drills:save'>).drill);
        if (!parsed.success) return err('INPUT_INVALID', 'invalid drill', parsed.error.issues.map((i) => `drill.${i.path.join('.')}: ${i.message}`));
        const i = this.drills.findIndex((d) => d.name === parsed.data.name);
        this.drills = i < 0 ? [...this.drills, parsed.data] : this.drills.map((d, j) => (j === i ? parsed.data : d));
        return { ok: true, value: parsed.data };
      }
      case 'drills:remove': {
        const { name: drillName } = input as CommandInput<'drills:remove'>;
        if (!this.drills.some((d) => d.name === drillName)) return err('NOT_FOUND', `no drill named "${drillName}"`);
        this.drills = this.drills.filter((d) => d.name !== drillName);
        return { ok: true, value: { removed: drillName } };
      }
      case 'drills:run': {
        const { name: drillName } = input as CommandInput<'drills:run'>;
        const drill = this.drills.find((d) => d.name === drillName);
        if (!drill) return err('NOT_FOUND', `no drill named "${drillName}"`);
        if (this.drillStatus.state !== 'idle') return err('CONFLICT', `drill "${this.drillStatus.drill}" is running; stop it first`);
        if (this.loadStatus.state !== 'idle') return err('CONFLICT', 'a load run is already going (started by load:start); stop it first');
        this.drillStatus = { state: 'running', drill: drillName, startedAt: this.now, durationMs: drill.durationMs, stepsDone: 0 };
        this.emit({ type: 'drill:started', at: this.now, drill: drillName, service: drill.service, durationMs: drill.durationMs });
        return { ok: true, value: this.drillStatus };
      }
      case 'drills:stop':
        return { ok: true, value: this.drillStatus };
      case 'drills:status':
        return { ok: true, value: this.drillStatus };
      case 'drills:report':
        return { ok: true, value: this.drillReport };
      case 'drills:export': {
        const checked = commandInputs['drills:export'].safeParse(input);
        if (!checked.success) return err('INPUT_INVALID', checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const { format, path, overwrite } = checked.data;
        if (!this.drillReport) return err('NOT_FOUND', 'no drill has finished yet');
        return this.safeWrite(path, overwrite) ?? { ok: true, value: { path, format, bytes: 1234 } };
      }
      default:
        return undefined;
    }
  }

  /** Ends the running drill as the core does: 'drill:done' after the report is kept. */
  finishDrill(report: DrillReport): void {
    this.drillReport = report;
    this.drillStatus = IDLE_DRILL;
    this.emit({ type: 'drill:done', at: this.now, drill: report.drill, result: report.result, verdict: report.verdict, report });
  }

  /** The core's rule for writing a file: CONFLICT over a file lbw did not write, unless the user confirmed; undefined when the write goes ahead. */
  private safeWrite(path: string, overwrite: boolean | undefined): Result<never> | undefined {
    if (this.foreignFiles.has(path) && overwrite !== true) {
      return err('CONFLICT', `${path} already exists and lbw did not write it: confirm overwriting it (overwrite: true) or choose another name`);
    }
    this.foreignFiles.delete(path);
    return undefined;
  }

  private replaceService(name: string, next: ServiceView): ServiceView {
    this.services = this.services.map((s) => (s.name === name ? next : s));
    return next;
  }

  private answer(name: CommandName, raw: unknown): Result<unknown> {
    const input = raw as Record<string, unknown>;
    switch (name) {
      case 'services:list':
        return { ok: true, value: this.services };
      case 'strategies:list':
        return { ok: true, value: this.strategies };
      case 'stats:history':
        return { ok: true, value: this.history };
      case 'services:add': {
        const spec = input.service as { name: string; listen: string; protocol?: 'http' | 'tcp' };
        if (this.service(spec.name)) return err('CONFLICT', `a service called "${spec.name}" already exists`);
        const view = serviceView(spec.name, [], { listen: spec.listen, address: spec.listen, protocol: spec.protocol ?? 'http' });
        this.services = [...this.services, view];
        return { ok: true, value: view };
      }
      case 'services:update': {
        // As the core does: the patch is checked against the contract (defaults filled in) before it applies.
        const checked = commandInputs['services:update'].safeParse(input);
        if (!checked.success) return err('INPUT_INVALID', checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const { service, patch } = checked.data;
        const svc = this.service(service);
        if (!svc) return err('NOT_FOUND', `no service "${service}"`);
        // The core's own rule for the patch (a section replaces, null removes)...
        const next = patchService(svc, patch);
        // ...then the whole service is validated before anything applies, and the change announced.
        const { address: _address, backends, ...spec } = next;
        const whole = ServiceSpecSchema.safeParse({ ...spec, backends: backends.map((b) => ({ url: b.url, name: b.name, weight: b.weight, state: b.state, backup: b.backup })) });
        if (!whole.success) return err('CONFIG_INVALID', 'invalid service', whole.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        this.replaceService(service, next);
        this.emit({ type: 'config:changed', at: this.now, cause: `service ${service} updated` });
        return { ok: true, value: next };
      }
      case 'services:remove': {
        const { service } = input as CommandInput<'services:remove'>;
        this.services = this.services.filter((s) => s.name !== service);
        return { ok: true, value: { removed: service } };
      }
      case 'backends:add': {
        const { service, backend, allowDuplicate } = input as CommandInput<'backends:add'>;
        const svc = this.service(service);
        if (!svc) return err('NOT_FOUND', `no service "${service}"`);
        const parsed = BackendSpecSchema.safeParse(backend);
        if (!parsed.success) return err('INPUT_INVALID', 'invalid backend', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        // As the core (core/config/duplicates): a URL the service has is refused unless confirmed.
        const same = svc.backends.find((b) => b.url === parsed.data.url);
        if (same && !allowDuplicate) return err('CONFLICT', `${parsed.data.url} is already a backend of ${service} (${same.name}): adding it again doubles its share of the traffic. Add it anyway only if that is what you want.`);
        const view = backendView(parsed.data.url, parsed.data);
        this.replaceService(service, { ...svc, backends: [...svc.backends, view] });
        return { ok: true, value: view };
      }
      case 'backends:update': {
        const { service, backend, patch } = input as CommandInput<'backends:update'>;
        const svc = this.service(service);
        const b = svc?.backends.find((x) => x.id === backend || x.name === backend);
        if (!svc || !b) return err('NOT_FOUND', `no backend "${backend}"`);
        const next = { ...b, ...patch } as BackendView;
        this.replaceService(service, { ...svc, backends: svc.backends.map((x) => (x === b ? next : x)) });
        return { ok: true, value: next };
      }
      case 'backends:remove': {
        const { service, backend } = input as CommandInput<'backends:remove'>;
        const svc = this.service(service);
        const b = svc?.backends.find((x) => x.id === backend || x.name === backend);
        if (!svc || !b) return err('NOT_FOUND', `no backend "${backend}"`);
        this.replaceService(service, { ...svc, backends: svc.backends.filter((x) => x !== b) });
        return { ok: true, value: b };
      }
      case 'strategy:set': {
        const { service, strategy, options } = input as CommandInput<'strategy:set'>;
        const svc = this.service(service);
        if (!svc) return err('NOT_FOUND', `no service "${service}"`);
        if (!this.strategies.some((s) => s.name === strategy)) return err('INPUT_INVALID', `unknown strategy "${strategy}"`);
        // As the core's hashing strategies: a header or cookie needs its name.
        if (options && options.hashOn !== undefined && options.hashOn !== 'client-ip' && !options.key) {
          const issue = `options.key: required when hashOn is "${String(options.hashOn)}"`;
          return err('INPUT_INVALID', issue, [issue]);
        }
        return { ok: true, value: this.replaceService(service, { ...svc, strategy, strategyOptions: options ?? {} }) };
      }
      case 'workspace:save': {
        const checked = commandInputs['workspace:save'].safeParse(input);
        if (!checked.success) return err('INPUT_INVALID', checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const path = checked.data.path ?? 'workspace.json';
        return this.safeWrite(path, checked.data.overwrite) ?? { ok: true, value: { path } };
      }
      case 'workspace:open':
      case 'workspace:get':
      case 'workspace:replace':
        return { ok: true, value: { services: [] } };
      // The strategy lab: no decisions kept; a preview that rotates through the backends; no key space.
      case 'strategy:decisions':
        return { ok: true, value: [] };
      case 'strategy:preview': {
        const svc = this.services.find((x) => x.name === input.service);
        const names = svc?.backends.map((b) => b.name) ?? [];
        const count = Number(input.count ?? 12);
        return { ok: true, value: { service: String(input.service), strategy: svc?.strategy ?? '', applicable: true, picks: names.length ? Array.from({ length: count }, (_, i) => names[i % names.length]!) : [] } };
      }
      case 'strategy:keyspace':
        return { ok: true, value: { service: String(input.service), strategy: '', applicable: false, kind: null, size: 0, backends: [], cells: [], lastMove: null } };
      default:
        return this.answerLab(name, input) ?? err('UNKNOWN_COMMAND', `the fake bridge does not implement ${name}`);
    }
  }
}

/** A stats snapshot for one service whose backends each served `rps` requests per second. */
export function snapshot(tick: number, service: ServiceView, rps: Record<string, number> = {}, intervalMs = 500): StatsSnapshot {
  const zeroTraffic = {
    requests: 0,
    rps: 0,
    inFlight: 0,
    status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    errors: { refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 },
    retries: 0,
    bytesIn: 0,
    bytesOut: 0,
    latency: null,
  };
  const total = Object.values(rps).reduce((a, b) => a + b, 0);
  const backends = service.backends.map((b) => {
    const r = rps[b.name] ?? 0;
    const requests = (r * intervalMs) / 1000;
    return {
      ...zeroTraffic,
      id: b.id,
      name: b.name,
      url: b.url,
      weight: b.weight,
      state: b.state,
      backup: b.backup,
      health: b.health,
      lastCheck: b.lastCheck,
      ejected: b.ejected,
      ejections: 0,
      available: true,
      requests,
      rps: r,
      status: { ...zeroTraffic.status, '2xx': requests },
      latency: r > 0 ? { p50: 5, p90: 9, p99: 20, max: 30 } : null,
      share: total > 0 ? r / total : 0,
      expectedShare: 1 / service.backends.length,
      totalRequests: requests * tick,
      totalErrors: 0,
      totalBytesIn: 0,
      totalBytesOut: 0,
      downtimeMs: 0,
      faults: [],
      lastError: null,
    };
  });
  return {
    tick,
    at: 1_700_000_000_000 + tick * intervalMs,
    intervalMs,
    services: [
      {
        ...zeroTraffic,
        name: service.name,
        protocol: service.protocol,
        address: service.address,
        strategy: service.strategy,
        noBackend: 0,
        requests: (total * intervalMs) / 1000,
        rps: total,
        status: { ...zeroTraffic.status, '2xx': (total * intervalMs) / 1000 },
        backends,
      },
    ],
  };
}

/** A finished drill's report, as `drills:report` answers it. */
export function drillReport(drill: DrillSpec, extra: Partial<DrillReport> = {}): DrillReport {
  const outcomes = (sent: number, ok: number, refused: number) => ({
    sent,
    ok,
    failed: { status4xx: 0, status5xx: 0, refused, reset: 0, timeout: 0, other: 0 },
    failedTotal: refused,
    cancelled: 0,
    skipped: 0,
  });
  return {
    drill: drill.name,
    service: drill.service,
    result: 'completed',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_000 + drill.durationMs,
    durationMs: drill.durationMs,
    load: { rate: drill.load.rate, requests: drill.load.requests, achievedRate: 99.5, latency: { p50: 12, p99: 48, max: 120 } },
    requests: { total: outcomes(2500, 2497, 3), byMethod: { GET: outcomes(1875, 1875, 0), POST: outcomes(625, 622, 3) } },
    retries: 17,
    resent: { idempotent: 17, nonIdempotent: 0 },
    ejections: 1,
    healthTransitions: 2,
    steps: drill.steps.map((s, index) => ({
      index,
      atMs: s.atMs,
      action: s.action,
      service: drill.service,
      backend: 'backend' in s ? (s.backend ?? null) : null,
      label: `${s.action} ${'backend' in s ? s.backend : ''}`,
      appliedAtMs: s.atMs + 2,
      detectMs: index === 0 ? 412 : 950,
      detectedBy: index === 0 ? 'health check failed' : 'healthy again and taking traffic',
      recoverMs: index === 0 ? 380 : 1000,
      failuresAfter: index === 0 ? 3 : 0,
    })),
    events: [],
    samples: [],
    verdict: { clean: true, failedGets: 0, duplicatedPosts: 0, failedRequests: 3, lines: ['No GET failed.', 'No POST was sent twice.'] },
    ...extra,
  };
}

/**
 * A frame scheduler the test drives (for connectStore's `schedule`):
 * `run()` runs what waits for the next frame, as the browser would.
 */
export function manualFrames() {
  let waiting: Array<() => void> = [];
  return {
    schedule(run: () => void): () => void {
      waiting.push(run);
      return () => {
        waiting = waiting.filter((r) => r !== run);
      };
    },
    /** How many callbacks wait for the next frame. */
    get pending(): number {
      return waiting.length;
    },
    run(): void {
      const now = waiting;
      waiting = [];
      for (const r of now) r();
    },
  };
}
