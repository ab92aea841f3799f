/**
 * `lbw fault set|clear|list`: a running instance's injected faults, through
 * its admin API (faults:set, faults:clear, faults:list). One fault from
 * flags, or a whole list as JSON (core/faults/spec.ts has the shapes); the
 * admin API validates either with the contract's schema.
 */
import { parseArgs } from 'node:util';
import type { Io } from '../run';
import { HELP, UsageError } from '../usage';
import { adminClient, reportError, resolveService } from './admin-client';

const OPTIONS = {
  admin: { type: 'string' },
  service: { type: 'string' },
  backend: { type: 'string' },
  type: { type: 'string' },
  status: { type: 'string' },
  probability: { type: 'string' },
  ms: { type: 'string' },
  jitter: { type: 'string' },
  when: { type: 'string' },
  'after-bytes': { type: 'string' },
  'kib-per-sec': { type: 'string' },
  'per-chunk': { type: 'boolean' },
  disabled: { type: 'boolean' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} takes a number, got "${value}"`);
  return n;
}

/** The fault the flags describe; only the flags given become fields, so the schema's defaults apply to the rest. */
export function faultFromFlags(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  if (typeof v.type !== 'string') throw new UsageError('give --type (latency, error, reset, hang, bandwidth, down, blackhole, slow-close) or --json');
  const fault: Record<string, unknown> = { type: v.type };
  const put = (key: string, value: unknown) => {
    if (value !== undefined) fault[key] = value;
  };
  put('status', number('status', v.status as string | undefined));
  put('toxicity', number('probability', v.probability as string | undefined));
  put('ms', number('ms', v.ms as string | undefined));
  put('jitterMs', number('jitter', v.jitter as string | undefined));
  put('when', v.when);
  put('afterBytes', number('after-bytes', v['after-bytes'] as string | undefined));
  put('kibPerSec', number('kib-per-sec', v['kib-per-sec'] as string | undefined));
  if (v['per-chunk']) fault.perChunk = true;
  if (v.disabled) fault.enabled = false;
  return fault;
}

/** `--json`: a fault list, or one fault. */
function faultsFromJson(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--json is not JSON: ${(err as Error).message}`);
  }
  return Array.isArray(parsed) ? parsed : [parsed];
}

export async function fault(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const verb = positionals[0];
  if (values.help || verb === undefined) {
    io.out.write(`${HELP.fault}\n`);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const client = adminClient(values.admin);

  if (verb === 'set') {
    if (values.backend === undefined) throw new UsageError('give --backend NAME');
    const faults = values.json !== undefined ? faultsFromJson(values.json) : [faultFromFlags(values)];
    const service = await resolveService(client, values.service);
    const result = await client.call('faults:set', { service, backend: values.backend, faults: faults as never });
    if (!result.ok) return reportError(io, 'fault set', result);
    io.out.write(`${result.value.service}/${result.value.backend}: ${result.value.labels.join(', ') || 'no faults'}\n`);
    return 0;
  }
  if (verb === 'clear') {
    if (values.backend !== undefined && values.service === undefined) values.service = await resolveService(client, undefined);
    const result = await client.call('faults:clear', { service: values.service, backend: values.backend });
    if (!result.ok) return reportError(io, 'fault clear', result);
    io.out.write(result.value.length === 0 ? 'no faults to clear\n' : result.value.map((b) => `healed ${b.service}/${b.backend}\n`).join(''));
    return 0;
  }
  if (verb === 'list') {
    const result = await client.call('faults:list', { service: values.service });
    if (!result.ok) return reportError(io, 'fault list', result);
    for (const b of result.value) {
      const off = b.faults.length - b.labels.length;
      const labels = b.labels.join(', ') || '-';
      io.out.write(`${b.service}/${b.backend}: ${labels}${off > 0 ? ` (${off} disabled)` : ''}\n`);
    }
    return 0;
  }
  throw new UsageError(`unknown verb "${verb}": use set, clear or list`);
}
