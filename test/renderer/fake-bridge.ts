/**
 * A fake Bridge for component and store tests: it answers commands from an
 * in-memory list of services (not a mock of the network), records every
 * call, and lets a test push events and stats or drop the connection.
 */
import type {
  BackendView,
  CommandInput,
  CommandName,
  CommandOutput,
  ErrorData,
  Push,
  Result,
  ServiceView,
  StatsSnapshot,
  StrategyInfo,
} from '../../core/contract';
import { BackendSpecSchema, backendName } from '../../core/model/spec';
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
  const spec = BackendSpecSchema.parse({ url, ...extra });
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
    retries: { attempts: 3, retryNonIdempotent: false, budgetPercent: 50, minRetryConcurrency: 10, replayBufferBytes: 65536 },
    timeouts: { connectMs: 2000, responseMs: 30000, idleMs: 60000 },
    backends,
    ...extra,
  };
}

type Handler<K extends CommandName> = (input: CommandInput<K>) => Result<CommandOutput<K>>;

const err = (code: ErrorData['code'], message: string, issues?: string[]): Result<never> => ({
  ok: false,
  error: issues ? { code, message, issues } : { code, message },
});

export class FakeBridge implements Bridge {
  services: ServiceView[];
  strategies = STRATEGIES;
  history: StatsSnapshot[] = [];
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
    return this.answer(name, input) as Result<CommandOutput<K>>;
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
        const { service, patch } = input as CommandInput<'services:update'>;
        const svc = this.service(service);
        if (!svc) return err('NOT_FOUND', `no service "${service}"`);
        return { ok: true, value: this.replaceService(service, { ...svc, ...(patch as Partial<ServiceView>) }) };
      }
      case 'services:remove': {
        const { service } = input as CommandInput<'services:remove'>;
        this.services = this.services.filter((s) => s.name !== service);
        return { ok: true, value: { removed: service } };
      }
      case 'backends:add': {
        const { service, backend } = input as CommandInput<'backends:add'>;
        const svc = this.service(service);
        if (!svc) return err('NOT_FOUND', `no service "${service}"`);
        const parsed = BackendSpecSchema.safeParse(backend);
        if (!parsed.success) return err('INPUT_INVALID', 'invalid backend', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
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
      case 'workspace:open':
      case 'workspace:save':
      case 'workspace:get':
      case 'workspace:replace':
        return { ok: true, value: name === 'workspace:save' ? { path: (input.path as string) ?? 'workspace.json' } : { services: [] } };
      default:
        return err('UNKNOWN_COMMAND', `the fake bridge does not implement ${name}`);
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
    errors: { refused: 0, reset: 0, timeout: 0, other: 0 },
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
      faults: [],
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
