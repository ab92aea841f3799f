/**
 * The command contract between the core and every UI. Each command has a
 * `domain:verb` name, an input schema (validated by the core on every call,
 * whatever the bridge) and an output type. The renderer's API type is derived
 * from `Commands`, never written by hand.
 */
import { z } from 'zod';
import {
  AdminStateSchema,
  BackendSpecSchema,
  BackendUrlSchema,
  HealthCheckSchema,
  ListenSchema,
  PassiveHealthSchema,
  RetrySchema,
  ServiceSpecSchema,
  TimeoutsSchema,
  TlsSchema,
  LimitsSchema,
  type BackendSpec,
  type ServiceSpec,
  type WorkspaceSpec,
} from '../model/spec';
import type { CheckResult, HealthState } from '../model/backend';
import type { StatsSnapshot } from '../stats/types';
import type { StrategyParam } from '../strategies/types';
import { FaultListSchema, FaultSchema, type Fault } from '../faults/spec';
import { DemoAddSpecSchema, DemoBackendSpecSchema, type DemoBackendSpec } from '../demo/spec';
import type { DemoBackendStats } from '../demo/demo-backend';
import { ClosedLoopSchema, OpenLoopSchema, type LoadSpec } from '../demo/load/spec';
import type { LoadProgress, LoadSummary } from '../demo/load/types';
import type { WorkbenchEvent } from './events';
import { DrillSchema, type DrillSpec } from '../drills/spec';
import type { DrillReport, DrillStatus } from '../drills/report';
import type { BuiltinScenarioInfo, CompareStatus } from '../lab/compare/result';
import type { AccessRecord, Decision, KeyMove, KeySpaceView, LabBatch, PreviewView } from '../lab/types';
import { ENGINES, type Engine, type ExportResult, type ExportWarning } from '../export/types';

const ServiceRef = z.string().min(1, 'name a service');
/** A backend by id or by name. */
const BackendRef = z.string().min(1, 'name a backend');

/** A load spec whose target may be left out: it defaults to the service's address. */
export const LoadStartSpecSchema = z.discriminatedUnion('mode', [OpenLoopSchema.partial({ target: true }), ClosedLoopSchema.partial({ target: true })]);

export const commandInputs = {
  'workspace:get': z.object({}),
  /** The file the workspace came from (or was last saved to) and whether it has changed since: what Open asks about before discarding. */
  'workspace:status': z.object({}),
  /** The workspace as `workspace:save` would write it (demo backends by name), for a UI that downloads it instead of writing on the host. */
  'workspace:file': z.object({}),
  'workspace:replace': z.object({ workspace: z.unknown() }),
  'workspace:open': z.object({ path: z.string().min(1, 'give a file path') }),
  /**
   * Writes the workspace (to `path`, or to the file it came from) as a .json
   * file, atomically, never through a symlink. An existing file lbw did not
   * write is replaced only with `overwrite: true` (the user confirmed it);
   * CONFLICT otherwise.
   */
  'workspace:save': z.strictObject({ path: z.string().min(1).optional(), overwrite: z.boolean().optional() }),
  /** The workspace as a complete config for another engine (files and warnings); nothing is written: the UI saves the files. */
  'workspace:export': z.strictObject({ engine: z.enum(ENGINES) }),
  'services:list': z.object({}),
  'services:add': z.object({ service: z.unknown() }),
  'services:update': z.object({
    service: ServiceRef,
    patch: z
      .object({
        name: z.string(),
        listen: ListenSchema,
        healthCheck: HealthCheckSchema.nullable(),
        passiveHealth: PassiveHealthSchema.nullable(),
        retries: RetrySchema,
        timeouts: TimeoutsSchema,
        tls: TlsSchema.nullable(),
        limits: LimitsSchema,
        rewriteRedirects: z.boolean(),
        debugHeaders: z.boolean(),
      })
      .partial()
      .strict(),
  }),
  'services:remove': z.object({ service: ServiceRef }),
  /** A URL the service already balances is refused (CONFLICT: it would double that server's share) unless `allowDuplicate` (the user confirmed). */
  'backends:add': z.object({ service: ServiceRef, backend: z.unknown(), allowDuplicate: z.boolean().optional() }),
  'backends:update': z.object({
    service: ServiceRef,
    backend: BackendRef,
    patch: z
      .object({
        name: z.string(),
        url: BackendUrlSchema,
        weight: z.number(),
        state: AdminStateSchema,
        backup: z.boolean(),
        maxConnections: z.number().nullable(),
      })
      .partial()
      .strict(),
    /** As for backends:add: a URL another backend of the service has is refused unless allowed. */
    allowDuplicate: z.boolean().optional(),
  }),
  'backends:remove': z.object({ service: ServiceRef, backend: BackendRef }),
  'strategy:set': z.object({ service: ServiceRef, strategy: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
  'strategies:list': z.object({}),
  'stats:history': z.object({ sinceTick: z.number().int().optional() }),
  'events:history': z.object({}),
  /** Replaces a backend's injected faults (runtime only: not saved in the workspace). An empty list heals it. */
  'faults:set': z.object({ service: ServiceRef, backend: BackendRef, faults: FaultListSchema }),
  /** Heals every backend, a service's backends, or one backend. */
  'faults:clear': z
    .object({ service: ServiceRef.optional(), backend: BackendRef.optional() })
    .refine((x) => x.backend === undefined || x.service !== undefined, { message: 'name the service of the backend', path: ['service'] }),
  'faults:list': z.object({ service: ServiceRef.optional() }),
  /** Starts a demo backend (the next free name and colour unless given) and adds it to the service. */
  'demo:add': z.object({ service: ServiceRef, spec: DemoAddSpecSchema.optional() }),
  /** Stops a demo backend and removes it from every service that balances it. */
  'demo:remove': z.object({ name: z.string().min(1, 'name a demo backend') }),
  'demo:list': z.object({}),
  /** Starts the one load run (CONFLICT while one or a drill runs). Progress is pushed on the 'load' channel. */
  'load:start': z.object({ spec: LoadStartSpecSchema, service: ServiceRef.optional() }),
  /** Asks the run to stop; the summary follows as a 'load:done' event. */
  'load:stop': z.object({}),
  'load:status': z.object({}),
  'drills:list': z.object({}),
  /** Adds a drill to the workspace, or replaces the one of the same name. */
  'drills:save': z.object({ drill: DrillSchema }),
  'drills:remove': z.object({ name: z.string().min(1) }),
  /** Starts a drill and answers at once; 'drill:step' events follow, and 'drill:done' with the verdict. */
  'drills:run': z.object({ name: z.string().min(1) }),
  /** Ends the running drill early (its report says `stopped`). */
  'drills:stop': z.object({}),
  'drills:status': z.object({}),
  /** The last finished drill's report, or null. */
  'drills:report': z.object({}),
  /**
   * Writes the last report as JSON, or as one self-contained HTML page (inline
   * CSS and SVG), to a .json or .html file as the format says, under the same
   * rules as workspace:save: an existing file that is not a report lbw wrote
   * is replaced only with `overwrite: true`.
   */
  'drills:export': z.strictObject({ format: z.enum(['json', 'html']), path: z.string().min(1, 'give a file path'), overwrite: z.boolean().optional() }),
  /** Strategies side by side: a scenario (checked by the core) or a built-in one by name; simulated by default (see core/compare). */
  'compare:run': z.strictObject({
    scenario: z.unknown().optional(),
    builtin: z.string().min(1).optional(),
    simulate: z.boolean().default(true),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  }),
  'compare:status': z.object({}),
  'compare:builtins': z.object({}),
  /** The next `count` picks of a round robin or weighted round robin, made on a copy of its state (nothing is consumed). */
  'strategy:preview': z.strictObject({ service: ServiceRef, count: z.number().int().min(1).max(100).default(12) }),
  /** A hashing strategy's key space: each backend's share, owners along the ring or table, the last measured move. */
  'strategy:keyspace': z.strictObject({ service: ServiceRef }),
  /** The service's last 200 sampled decisions, oldest first (new ones arrive on the 'lab' push). */
  'strategy:decisions': z.strictObject({ service: ServiceRef }),
} as const;

// Re-exported so UIs can validate as the user types with the core's own rules.
export { BackendSpecSchema, ServiceSpecSchema, FaultSchema, DemoBackendSpecSchema, DrillSchema };
export { ENGINES };
export type { Engine, ExportResult, ExportWarning };
export type { AccessRecord, Decision, KeyMove, KeySpaceView, LabBatch, PreviewView };
export type { Fault, DemoBackendSpec, DemoBackendStats, LoadSpec, LoadProgress, LoadSummary, DrillSpec, DrillReport, DrillStatus };

export interface BackendView extends BackendSpec {
  id: string;
  name: string;
  health: HealthState;
  ejected: boolean;
  lastCheck: CheckResult | null;
  /** Injected faults, disabled ones included (runtime state, not part of the spec). */
  faults: Fault[];
}

/** One backend's injected faults. */
export interface BackendFaults {
  service: string;
  backend: string;
  backendId: string;
  faults: Fault[];
  /** Short labels of the faults that apply now (enabled): `latency +300 ms`, `error 503 @ 50%`. */
  labels: string[];
}

/** A demo backend the Workbench runs. */
export interface DemoView {
  name: string;
  colour: string;
  /** Where it listens (kept while a drill has it stopped). */
  url: string;
  /** False while stopped (a drill's kill). */
  running: boolean;
  spec: DemoBackendSpec;
  stats: DemoBackendStats;
  /** The service backends whose URL is this demo backend's. */
  usedBy: Array<{ service: string; backend: string; backendId: string }>;
}

/** The load generator's state: at most one run at a time (a drill's load included). */
export interface LoadStatus {
  state: 'idle' | 'running' | 'stopping';
  /** Who runs it: a user's `load:start`, or a drill (by name). */
  owner: { kind: 'user' } | { kind: 'drill'; drill: string } | null;
  service: string | null;
  target: string | null;
  spec: LoadSpec | null;
  startedAt: number | null;
  /** The latest progress of the current run. */
  progress: LoadProgress | null;
  /** The summary of the last finished run. */
  last: LoadSummary | null;
}

export interface ServiceView extends Omit<ServiceSpec, 'backends'> {
  /** The address actually bound (the port is real even when `listen` asked for 0), or null. */
  address: string | null;
  backends: BackendView[];
}

export interface StrategyInfo {
  name: string;
  label: string;
  description: string;
  whenToUse: string;
  layer4: boolean;
  /** Whether weights shape the split; when not, the UI expects an even one. */
  weighted: boolean;
  params: readonly StrategyParam[];
}

export interface CommandOutputs {
  'workspace:get': WorkspaceSpec;
  /** `path` null when the workspace never had a file; `dirty` when it differs (as a file holds it) from the last open, save or reload. */
  'workspace:status': { path: string | null; dirty: boolean };
  /** `name`: the file's base name, or workspace.json when it never had one. */
  'workspace:file': { name: string; text: string };
  'workspace:replace': WorkspaceSpec;
  'workspace:open': WorkspaceSpec;
  'workspace:save': { path: string };
  'workspace:export': ExportResult;
  'services:list': ServiceView[];
  'services:add': ServiceView;
  'services:update': ServiceView;
  'services:remove': { removed: string };
  'backends:add': BackendView;
  'backends:update': BackendView;
  /** The removed backend, so a UI can offer undo by adding it back. */
  'backends:remove': BackendView;
  'strategy:set': ServiceView;
  'strategies:list': StrategyInfo[];
  'stats:history': StatsSnapshot[];
  /** The last 500 events, oldest first. */
  'events:history': WorkbenchEvent[];
  'faults:set': BackendFaults;
  /** The backends that had faults and were healed. */
  'faults:clear': BackendFaults[];
  /** Every backend (of the service, or of all), with or without faults. */
  'faults:list': BackendFaults[];
  'demo:add': { demo: DemoView; backend: BackendView };
  /** The service backends removed with it. */
  'demo:remove': { removed: string; backends: BackendView[] };
  'demo:list': DemoView[];
  'load:start': LoadStatus;
  'load:stop': LoadStatus;
  'load:status': LoadStatus;
  'drills:list': DrillSpec[];
  'drills:save': DrillSpec;
  'drills:remove': { removed: string };
  'drills:run': DrillStatus;
  'drills:stop': DrillStatus;
  'drills:status': DrillStatus;
  'drills:report': DrillReport | null;
  'drills:export': { path: string; format: 'json' | 'html'; bytes: number };
  /** Simulated: the result is in `result` at once; real: `state` is running until it is. */
  'compare:run': CompareStatus;
  'compare:status': CompareStatus;
  'compare:builtins': BuiltinScenarioInfo[];
  'strategy:preview': PreviewView;
  'strategy:keyspace': KeySpaceView;
  'strategy:decisions': Decision[];
}

export type CommandName = keyof typeof commandInputs;
export type CommandInput<K extends CommandName> = z.input<(typeof commandInputs)[K]>;
export type CommandOutput<K extends CommandName> = CommandOutputs[K];
/** A command's input after validation (defaults filled in), as the core's handlers see it. */
export type CommandArgs<K extends CommandName> = z.output<(typeof commandInputs)[K]>;

export const commandNames = Object.keys(commandInputs) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandInputs, name);
}
