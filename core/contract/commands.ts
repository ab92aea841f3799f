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
  type BackendSpec,
  type ServiceSpec,
  type WorkspaceSpec,
} from '../model/spec';
import type { CheckResult, HealthState } from '../model/backend';
import type { StatsSnapshot } from '../stats/types';
import type { StrategyParam } from '../strategies/types';

const ServiceRef = z.string().min(1, 'name a service');
/** A backend by id or by name. */
const BackendRef = z.string().min(1, 'name a backend');

export const commandInputs = {
  'workspace:get': z.object({}),
  'workspace:replace': z.object({ workspace: z.unknown() }),
  'workspace:open': z.object({ path: z.string().min(1, 'give a file path') }),
  'workspace:save': z.object({ path: z.string().min(1).optional() }),
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
      })
      .partial()
      .strict(),
  }),
  'services:remove': z.object({ service: ServiceRef }),
  'backends:add': z.object({ service: ServiceRef, backend: z.unknown() }),
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
  }),
  'backends:remove': z.object({ service: ServiceRef, backend: BackendRef }),
  'strategy:set': z.object({ service: ServiceRef, strategy: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }),
  'strategies:list': z.object({}),
  'stats:history': z.object({ sinceTick: z.number().int().optional() }),
} as const;

// Re-exported so UIs can validate as the user types with the core's own rules.
export { BackendSpecSchema, ServiceSpecSchema };

export interface BackendView extends BackendSpec {
  id: string;
  name: string;
  health: HealthState;
  ejected: boolean;
  lastCheck: CheckResult | null;
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
  'workspace:replace': WorkspaceSpec;
  'workspace:open': WorkspaceSpec;
  'workspace:save': { path: string };
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
