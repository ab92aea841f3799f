/**
 * `lbw init [FILE]`: writes the demo workspace (three demo backends behind
 * one round-robin service) to FILE, lbw.json by default, for a newcomer to
 * run and then edit. Never over an existing file unless --force; written
 * under the safe-write rule (atomic, .json only, never through a symlink).
 */
import { lstat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { safeWriteFile } from '../core/config/safe-write';
import { parseWorkspace, toFileShape } from '../core/config/workspace-file';
import { demoWorkspace } from '../core/demo/fleet';
import type { Io } from './run';
import { HELP, UsageError } from './usage';

export async function init(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: 'boolean' },
      listen: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(`${HELP.init}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('give at most one file name');
  const file = positionals[0] ?? 'lbw.json';
  if (!values.force && (await exists(file))) throw new UsageError(`${file} already exists: give another file name, or --force to replace it`);
  const spec = parseWorkspace(demoWorkspace(values.listen === undefined ? {} : { listen: values.listen }));
  const text = `${JSON.stringify(toFileShape(spec, file), null, 2)}\n`;
  // Created between the check and the write: still refused (ours is never true) unless --force.
  await safeWriteFile(file, text, { what: 'a workspace', extensions: ['.json'], overwrite: values.force, ours: async () => false });
  const listen = spec.services[0]!.listen;
  io.out.write(
    `wrote ${file}: the demo workspace (demo backends alpha, bravo and charlie behind the service "demo" on ${listen})\n` +
      `Run it with "lbw run ${file}" or "lbw serve ${file}", then edit it: point "backends" at your own services ({ "url": "http://127.0.0.1:3001" }).\n`,
  );
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
