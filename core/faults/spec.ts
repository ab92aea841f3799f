/**
 * The fault spec: what can go wrong on the proxy's path to one backend, as a
 * list of faults the user toggles live. Each fault applies to a share of
 * requests, or of connections for a TCP service (its `toxicity`, 0..1), and
 * to the same share of the backend's health probes, so the health checkers
 * see what the clients see. Some options and types belong to one protocol;
 * ./protocols says which, and faults:set holds a service to it.
 *
 * Faults are runtime state: they are not written to the workspace file (a
 * saved workspace never starts broken), but drills carry them in their steps.
 */
import { z } from 'zod';

const common = {
  enabled: z.boolean().default(true).describe('Off keeps the fault in the list without applying it.'),
  toxicity: z.number().min(0).max(1).default(1).describe('Share of requests or TCP connections (and health probes) it applies to, 0..1.'),
};

export const LatencyFaultSchema = z.strictObject({
  type: z.literal('latency'),
  ...common,
  ms: z.number().int().min(0).max(60_000).describe('Delay added before the request is forwarded (TCP: before the connect to the backend).'),
  jitterMs: z.number().int().min(0).max(60_000).default(0).describe('The delay varies uniformly by up to this much either way.'),
  // Optional without a default, so HTTP faults parse exactly as before.
  perChunk: z.boolean().optional().describe('TCP only: delay every forwarded chunk, both directions, instead of the connect (jitter drawn per chunk).'),
});

export const ErrorFaultSchema = z.strictObject({
  type: z.literal('error'),
  ...common,
  status: z.number().int().min(400).max(599).default(503).describe('The proxy answers this status on the backend’s behalf.'),
});

export const ResetFaultSchema = z.strictObject({
  type: z.literal('reset'),
  ...common,
  when: z
    .enum(['before-response', 'mid-body', 'connect', 'after-bytes'])
    .default('before-response')
    .describe(
      'HTTP: before-response drops the connection after the request was sent, mid-body after the headers and part of the body. ' +
        'TCP: connect resets the client instead of connecting, after-bytes once the client was sent afterBytes.',
    ),
  afterBytes: z
    .number()
    .int()
    .min(0)
    .max(1024 * 1024 * 1024)
    .default(1024)
    .describe('mid-body: body bytes let through (never the whole body); after-bytes: backend-to-client bytes let through.'),
});

export const HangFaultSchema = z.strictObject({
  type: z.literal('hang'),
  ...common,
});

export const BandwidthFaultSchema = z.strictObject({
  type: z.literal('bandwidth'),
  ...common,
  kibPerSec: z.number().positive().max(1024 * 1024).describe('Response bytes per second, in KiB (TCP: each direction).'),
});

export const DownFaultSchema = z.strictObject({
  type: z.literal('down'),
  ...common,
});

/** Layer 4's name for a hang: the client is accepted and then nothing is connected or forwarded. */
export const BlackholeFaultSchema = z.strictObject({
  type: z.literal('blackhole'),
  ...common,
});

export const SlowCloseFaultSchema = z.strictObject({
  type: z.literal('slow-close'),
  ...common,
  ms: z.number().int().min(0).max(60_000).describe('TCP only: a FIN from either side is passed on this much later.'),
});

export const FaultSchema = z.discriminatedUnion('type', [
  LatencyFaultSchema,
  ErrorFaultSchema,
  ResetFaultSchema,
  HangFaultSchema,
  BandwidthFaultSchema,
  DownFaultSchema,
  BlackholeFaultSchema,
  SlowCloseFaultSchema,
]);
export type Fault = z.infer<typeof FaultSchema>;
export type FaultInput = z.input<typeof FaultSchema>;
export type FaultType = Fault['type'];

/** A backend's faults; a handful is plenty, and the cap keeps a per-request loop short. */
export const FaultListSchema = z.array(FaultSchema).max(16, 'at most 16 faults per backend');

export const FAULT_TYPES: readonly FaultType[] = ['latency', 'error', 'reset', 'hang', 'bandwidth', 'down', 'blackhole', 'slow-close'];

function percent(p: number): string {
  return `${Math.round(p * 1000) / 10}%`;
}

function bytes(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

const RESET_LABELS: Record<'before-response' | 'connect', string> = { 'before-response': 'reset before response', connect: 'reset at connect' };

/** A short label for charts and rows: `latency +300 ms`, `error 503 @ 50%`, `down`, `slow close 500 ms`. */
export function faultLabel(f: Fault): string {
  let text: string;
  switch (f.type) {
    case 'latency':
      text = f.jitterMs > 0 ? `latency +${f.ms} ±${f.jitterMs} ms` : `latency +${f.ms} ms`;
      if (f.perChunk) text += ' per chunk';
      break;
    case 'error':
      text = `error ${f.status}`;
      break;
    case 'reset':
      if (f.when === 'mid-body') text = `reset mid-body after ${bytes(f.afterBytes)}`;
      else if (f.when === 'after-bytes') text = `reset after ${bytes(f.afterBytes)}`;
      else text = RESET_LABELS[f.when];
      break;
    case 'slow-close':
      text = `slow close ${f.ms} ms`;
      break;
    case 'bandwidth':
      text = `bandwidth ${f.kibPerSec} KiB/s`;
      break;
    default:
      text = f.type;
  }
  return f.toxicity < 1 ? `${text} @ ${percent(f.toxicity)}` : text;
}
