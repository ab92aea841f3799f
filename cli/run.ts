/** `lbw run`: the balancer headless, with a live table on a terminal and log lines elsewhere. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exposureWarnings } from '../core/config/exposure';
import { duplicateUrlWarnings } from '../core/config/duplicates';
import { loadWorkspaceFile, parseWorkspace } from '../core/config/workspace-file';
import { LbError } from '../core/model/errors';
import type { WorkspaceSpec } from '../core/model/spec';
import { Workbench } from '../core/workbench';
import { openAccessLog } from '../core/lab/access-log';
import { startAdmin } from './admin/start';
import { workspaceFromFlags, parseIntFlag } from './flags';
import { followWorkspace } from './follow';
import { describeEvent, renderTable } from './table';
import { HELP, UsageError } from './usage';

export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      listen: { type: 'string' },
      strategy: { type: 'string' },
      name: { type: 'string' },
      'health-path': { type: 'string' },
      interval: { type: 'string' },
      'retry-on': { type: 'string' },
      tick: { type: 'string' },
      grace: { type: 'string' },
      plain: { type: 'boolean' },
      admin: { type: 'string' },
      'no-watch': { type: 'boolean' },
      'access-log': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(`${HELP.run}\n`);
    return 0;
  }
  const tickMs = values.tick === undefined ? 500 : parseIntFlag('--tick', values.tick);
  const graceMs = values.grace === undefined ? 5000 : parseIntFlag('--grace', values.grace);

  let workspace: WorkspaceSpec;
  let path: string | undefined;
  const first = positionals[0];
  if (first !== undefined && !/^[a-z]+:\/\//i.test(first)) {
    if (positionals.length > 1) throw new UsageError('give either a workspace file or backend URLs, not both');
    if (!existsSync(first)) throw new UsageError(`no such workspace file: ${first}`);
    path = first;
    workspace = await loadWorkspaceFile(first);
  } else {
    workspace = parseWorkspace(workspaceFromFlags(values, positionals));
  }

  for (const w of exposureWarnings(workspace)) io.err.write(`lbw run: warning: ${w.message}\n`);
  for (const w of duplicateUrlWarnings(workspace)) io.err.write(`lbw run: warning: ${w}\n`);

  // The access log (core/lab/access-log): JSON lines to a file, or to stdout, which then carries nothing else.
  const accessLog = values['access-log'] === undefined ? undefined : openAccessLog(values['access-log'], io.out, (err) => io.err.write(`lbw run: access log: ${err.message}\n`));
  const toStdout = values['access-log'] === '-';
  const workbench = new Workbench({ workspace, path, tickMs, graceMs, accessLog: accessLog && ((r) => accessLog.write(r)) });
  const live = Boolean(io.out.isTTY) && !values.plain && !toStdout;
  const lines = toStdout ? io.err : io.out;
  const recent: string[] = [];
  // The live table redraws the whole screen: it keeps the admin API's line on top.
  let adminLine = '';
  workbench.subscribe((push) => {
    if (push.channel === 'event') {
      const line = describeEvent(push.event);
      if (live) {
        recent.push(line);
        if (recent.length > 8) recent.shift();
      } else {
        lines.write(`${line}\n`);
      }
    } else if (push.channel === 'stats' && live) {
      io.out.write(`\x1b[H\x1b[J${adminLine}${renderTable(push.snapshot, recent)}\n`);
    }
  });

  await workbench.start({ failFast: true });
  // The admin API (./admin): the contract over HTTP, events as SSE, Prometheus metrics.
  const admin =
    values.admin === undefined
      ? undefined
      : await startAdmin('run', values.admin, workbench, io).catch(async (err: unknown) => {
          await workbench.stop(0);
          throw err;
        });
  if (admin) adminLine = `admin API: ${admin.url}${admin.generated ? ` (token: ${admin.token})` : ''}\n`;
  // Hot reload: edits to the workspace file are applied live (./follow).
  const following = path !== undefined && !values['no-watch'] ? followWorkspace(workbench, path, io, 'lbw run') : undefined;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        io.err.write('lbw: stopping now\n');
        resolve(130);
        return;
      }
      stopping = true;
      following?.stop();
      io.err.write(`\nlbw: ${signal}: finishing in-flight requests (up to ${graceMs} ms)...\n`);
      Promise.all([admin?.close(), workbench.stop(graceMs)])
        .then(() => accessLog?.close())
        .then(
        () => resolve(0),
        (err: unknown) => {
          io.err.write(`lbw: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

export { LbError };
