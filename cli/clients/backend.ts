/**
 * `lbw backend drain|enable|disable|weight`: a running instance's backend
 * admin state and weight, through its admin API (backends:update). Live
 * changes under the same rules as the UI's; the workspace file is not
 * written (workspace:save does that).
 */
import { parseArgs } from 'node:util';
import type { Io } from '../run';
import { HELP, UsageError } from '../usage';
import { adminClient, reportError, resolveService } from './admin-client';

const STATES = { drain: 'drain', enable: 'active', disable: 'disabled' } as const;

export async function backend(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      admin: { type: 'string' },
      service: { type: 'string' },
      backend: { type: 'string' },
      weight: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined) {
    io.out.write(`${HELP.backend}\n`);
    return values.help ? 0 : 2;
  }
  // The backend by --backend or as the first argument; weight's value by --weight or next.
  const name = values.backend ?? rest.shift();
  if (name === undefined) throw new UsageError('give the backend: --backend NAME');
  let patch: { state: 'active' | 'drain' | 'disabled' } | { weight: number };
  if (verb === 'weight') {
    const text = values.weight ?? rest.shift();
    if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`give the weight as a whole number: --weight N${text === undefined ? '' : ` (got "${text}")`}`);
    patch = { weight: Number(text) };
  } else if (verb in STATES) {
    patch = { state: STATES[verb as keyof typeof STATES] };
  } else {
    throw new UsageError(`unknown verb "${verb}": use drain, enable, disable or weight`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const client = adminClient(values.admin);
  const service = await resolveService(client, values.service);
  const result = await client.call('backends:update', { service, backend: name, patch });
  if (!result.ok) return reportError(io, `backend ${verb}`, result);
  const b = result.value;
  io.out.write(`${service}/${b.name}: state ${b.state}, weight ${b.weight}\n`);
  return 0;
}
