/**
 * A comparison scenario: the backends (demo backend specs plus a weight), the
 * load (a load spec without a target), the strategies to run it under, timed
 * events, the balancer's retry and health settings, and a seed. The same
 * scenario runs simulated (./simulate) or on real sockets (./real). The schema
 * is strict, and problems come back one per line with their path
 * (`events[0].backend: no backend named "delta"`).
 */
import { z } from 'zod';
import { LatencySchema } from '../../demo/latency';
import { ClosedLoopSchema, OpenLoopSchema } from '../../demo/load/spec';
import { DemoBackendSpecSchema } from '../../demo/spec';
import { LbError } from '../../model/errors';
import { PassiveHealthSchema, RetrySchema } from '../../model/spec';
import { parseOrThrow } from '../../model/validate';
import { findStrategy, listStrategies, parseStrategyOptions } from '../../strategies/registry';

/** A scenario never simulates or runs longer than this. */
export const SCENARIO_MAX_DURATION_MS = 600_000;

const BackendSchema = DemoBackendSpecSchema.omit({ port: true, healthy: true }).extend({
  latency: LatencySchema.prefault({}),
  weight: z.number().int().min(1).max(1000).default(1).describe("The balancer's weight for this backend."),
});

const durationMs = z.number().int().min(100).max(SCENARIO_MAX_DURATION_MS).describe('How long the load runs, ms.');
const loadOmit = { target: true, progressIntervalMs: true, durationMs: true } as const;
const LoadSchema = z.discriminatedUnion('mode', [OpenLoopSchema.omit(loadOmit).extend({ durationMs }), ClosedLoopSchema.omit(loadOmit).extend({ durationMs })]);

const StrategyEntrySchema = z.union([
  z.string().transform((name) => ({ name, options: {} as Record<string, unknown>, label: name })),
  z
    .strictObject({
      name: z.string(),
      options: z.record(z.string(), z.unknown()).default({}),
      label: z.string().min(1).max(64).optional(),
    })
    .transform((s) => ({ name: s.name, options: s.options, label: s.label ?? s.name })),
]);

/** What an event does to its backend at `at` ms after the load starts. */
export const EVENT_ACTIONS = ['slow', 'kill', 'revive', 'weight', 'add'] as const;

const EventSchema = z.strictObject({
  at: z.number().int().min(0).max(SCENARIO_MAX_DURATION_MS).describe('ms after the load starts.'),
  action: z.enum(EVENT_ACTIONS).describe('slow: latency.ms becomes value; kill: stop listening; revive: listen again; weight: weight becomes value; add: the backend joins the pool.'),
  backend: z.string(),
  value: z.number().min(0).max(60_000).optional(),
});

const HealthSchema = z.strictObject({
  intervalMs: z.number().int().min(100).max(60_000).default(1000),
  rise: z.number().int().min(1).max(100).default(2),
  fall: z.number().int().min(1).max(100).default(2),
});

const ServiceSchema = z.strictObject({
  retries: RetrySchema.prefault({}),
  passiveHealth: PassiveHealthSchema.prefault({}),
  /** Active checks of GET /health; null turns them off. */
  healthCheck: HealthSchema.nullable().prefault({}),
  connectMs: z.number().int().min(1).max(60_000).default(2_000).describe('What a failed connect weighs in the latency estimate (the service connect timeout).'),
});

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1).max(80).default('scenario'),
    description: z.string().max(2000).optional(),
    /** What to look for in the results, shown in the UI. */
    lookFor: z.string().max(2000).optional(),
    backends: z.array(BackendSchema).min(1).max(32),
    load: LoadSchema,
    strategies: z.array(StrategyEntrySchema).min(1).max(12),
    events: z.array(EventSchema).max(200).default([]),
    service: ServiceSchema.prefault({}),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.backends.forEach((b, i) => {
      if (names.has(b.name)) ctx.addIssue({ code: 'custom', path: ['backends', i, 'name'], message: `"${b.name}" is named twice` });
      names.add(b.name);
    });
    const labels = new Set<string>();
    s.strategies.forEach((st, i) => {
      const def = findStrategy(st.name);
      if (!def) {
        ctx.addIssue({ code: 'custom', path: ['strategies', i], message: `unknown strategy "${st.name}"; known: ${listStrategies().map((d) => d.name).join(', ')}` });
      } else {
        try {
          parseStrategyOptions(def, st.options);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['strategies', i, 'options'], message: (err as Error).message });
        }
      }
      if (labels.has(st.label)) ctx.addIssue({ code: 'custom', path: ['strategies', i], message: `"${st.label}" is listed twice; give one a label` });
      labels.add(st.label);
    });
    const added = new Set(s.events.filter((e) => e.action === 'add').map((e) => e.backend));
    if (added.size === s.backends.length) ctx.addIssue({ code: 'custom', path: ['events'], message: 'at least one backend must be in the pool from the start (not named by an add event)' });
    s.events.forEach((e, i) => {
      if (!names.has(e.backend)) ctx.addIssue({ code: 'custom', path: ['events', i, 'backend'], message: `no backend named "${e.backend}"` });
      if ((e.action === 'slow' || e.action === 'weight') && e.value === undefined) ctx.addIssue({ code: 'custom', path: ['events', i, 'value'], message: `required for ${e.action}` });
      if (e.action === 'weight' && e.value !== undefined && (!Number.isInteger(e.value) || e.value < 1 || e.value > 1000)) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'value'], message: 'a weight is a whole number from 1 to 1000' });
      }
      if (e.at > s.load.durationMs) ctx.addIssue({ code: 'custom', path: ['events', i, 'at'], message: `is after the load ends (${s.load.durationMs} ms)` });
    });
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ScenarioBackend = Scenario['backends'][number];
export type ScenarioEvent = Scenario['events'][number];
export type ScenarioStrategy = Scenario['strategies'][number];

/** Validates a scenario; INPUT_INVALID listing every problem, one per line, with its path. */
export function parseScenario(input: unknown): Scenario {
  return parseOrThrow(ScenarioSchema, input, 'INPUT_INVALID');
}

/** Parses scenario JSON text; a syntax error is INPUT_INVALID too. */
export function parseScenarioText(text: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LbError('INPUT_INVALID', `the scenario is not valid JSON: ${(err as Error).message}`);
  }
  return parseScenario(value);
}

/** The backends named by an `add` event: outside the pool until then. */
export function lateBackends(s: Scenario): Set<string> {
  return new Set(s.events.filter((e) => e.action === 'add').map((e) => e.backend));
}
