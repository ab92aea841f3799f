/**
 * The drill spec: a short failover exercise saved in the workspace. A drill
 * puts open-loop load on one service for `durationMs` and, at set times,
 * breaks and mends its backends (kill, revive, fault, heal, weight, state);
 * its report says what the clients saw and how fast the balancer reacted.
 *
 * References to services and backends are checked when the drill runs, not
 * when the workspace is validated, so removing a backend never fails because
 * a drill names it.
 */
import { z } from 'zod';
import { LoadKeySchema, LOAD_MAX_DURATION_MS, RequestMixEntrySchema } from '../demo/load/spec';
import { FaultListSchema } from '../faults/spec';

/** The load a drill puts on its service: an open loop (the offered rate does not drop when answers fail). */
export const DrillLoadSchema = z.strictObject({
  rate: z.number().positive().max(20_000).default(200).describe('Requests per second.'),
  requests: z
    .array(RequestMixEntrySchema)
    .min(1)
    .max(20)
    .default([{ method: 'GET', path: '/', weight: 1 }])
    .describe('Weighted mix of method and path; the report counts outcomes per method.'),
  bodyBytes: z.number().int().min(0).max(1024 * 1024).default(0).describe('Request body size for POST, PUT and PATCH.'),
  key: LoadKeySchema.optional(),
  timeoutMs: z.number().int().min(1).max(120_000).default(10_000),
  maxInFlight: z.number().int().min(1).max(10_000).default(256),
});
export type DrillLoad = z.infer<typeof DrillLoadSchema>;

const at = z.number().int().min(0).max(LOAD_MAX_DURATION_MS).describe('When, in ms from the start of the load.');
const service = z.string().min(1).optional().describe("The backend's service; defaults to the drill's.");
const backend = z.string().min(1).describe('A backend by name or id.');

export const DrillStepSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('kill'), atMs: at, service, backend }).describe('Stops a demo backend; any other backend gets a 100% down fault.'),
  z.strictObject({ action: z.literal('revive'), atMs: at, service, backend }).describe('Undoes a kill.'),
  z.strictObject({ action: z.literal('fault'), atMs: at, service, backend, faults: FaultListSchema.min(1) }).describe("Sets the backend's faults."),
  z.strictObject({ action: z.literal('heal'), atMs: at, service, backend: backend.optional() }).describe('Clears faults: of one backend, or of the whole service.'),
  z.strictObject({ action: z.literal('weight'), atMs: at, service, backend, weight: z.number().int().min(1).max(1000) }),
  // The values of AdminStateSchema (model/spec imports this file, so it cannot be imported here).
  z.strictObject({ action: z.literal('state'), atMs: at, service, backend, state: z.enum(['active', 'drain', 'disabled']) }),
]);
export type DrillStep = z.infer<typeof DrillStepSchema>;
export type DrillAction = DrillStep['action'];

export const DrillSchema = z
  .strictObject({
    name: z
      .string()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'may use letters, digits, space, dot, dash and underscore'),
    description: z.string().max(500).optional(),
    service: z.string().min(1).describe('The service the load goes to.'),
    durationMs: z.number().int().min(500).max(LOAD_MAX_DURATION_MS).describe('How long the load runs; steps happen within it.'),
    load: DrillLoadSchema.prefault({}),
    steps: z.array(DrillStepSchema).max(100).default([]),
    restore: z.boolean().default(true).describe('At the end, undo what the steps did: revive, heal, put weights and states back.'),
  })
  .superRefine((d, ctx) => {
    d.steps.forEach((s, i) => {
      if (s.atMs > d.durationMs) ctx.addIssue({ code: 'custom', path: ['steps', i, 'atMs'], message: `must be within the drill (${d.durationMs} ms)` });
    });
  });
export type DrillSpec = z.infer<typeof DrillSchema>;
export type DrillInput = z.input<typeof DrillSchema>;

/** A short description of a step, for events, reports and charts: `kill bravo`, `weight alpha → 3`. */
export function stepLabel(step: DrillStep): string {
  switch (step.action) {
    case 'fault':
      return `fault ${step.backend}: ${step.faults.map((f) => f.type).join(', ')}`;
    case 'heal':
      return step.backend ? `heal ${step.backend}` : `heal ${step.service ?? 'all'}`;
    case 'weight':
      return `weight ${step.backend} → ${step.weight}`;
    case 'state':
      return `state ${step.backend} → ${step.state}`;
    default:
      return `${step.action} ${step.backend}`;
  }
}
