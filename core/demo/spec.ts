/**
 * The spec of a demo backend, apart from the server itself (./demo-backend)
 * so the command contract and the renderer can use it without node:http.
 */
import { z } from 'zod';
import { LatencySchema } from './latency';

const DemoNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'may use letters, digits, space, dot, dash and underscore');

const ColourSchema = z.string().regex(/^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, 'must be a CSS hex colour such as #4e79a7');

export const DemoBackendSpecSchema = z.strictObject({
  name: DemoNameSchema,
  colour: ColourSchema.default('#4e79a7'),
  latency: LatencySchema.prefault({}),
  errorRate: z.number().min(0).max(1).default(0).describe('Share of requests answered with errorStatus (0..1).'),
  errorStatus: z.number().int().min(400).max(599).default(500),
  capacity: z.number().int().min(1).max(10_000).default(100).describe('Requests served at once; more wait in a FIFO queue.'),
  healthy: z.boolean().default(true).describe('What GET /health reports.'),
  port: z.number().int().min(0).max(65_535).default(0).describe('0 picks a free port.'),
});
export type DemoBackendSpec = z.infer<typeof DemoBackendSpecSchema>;
export type DemoBackendInput = z.input<typeof DemoBackendSpecSchema>;

/** What `demo:add` takes: any field of a demo backend; without a name, colour or latency, the next free name and its colour and latency are picked. */
export const DemoAddSpecSchema = DemoBackendSpecSchema.extend({
  name: DemoNameSchema.optional(),
  colour: ColourSchema.optional(),
  latency: LatencySchema.optional(),
}).partial();
export type DemoAddSpec = z.infer<typeof DemoAddSpecSchema>;
