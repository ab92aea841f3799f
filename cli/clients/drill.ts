/**
 * `lbw drill run NAME`: runs a saved drill on a running instance through its
 * admin API, prints its steps as they happen and then the verdict, and exits
 * so a CI job can gate on it: 0 when the drill completed clean (no GET
 * failed, no POST may have run twice), 1 otherwise (a failed GET, a POST
 * sent twice, or a drill that was stopped or broke). `lbw drill list` names
 * the saved drills.
 *
 * The end is seen on the event stream (drill:done); drills:status is polled
 * as well, so a broken stream only makes it slower.
 */
import { parseArgs } from 'node:util';
import type { DrillReport, WorkbenchEvent } from '../../core/contract';
import type { Io } from '../run';
import { HELP, UsageError } from '../usage';
import { adminClient, reportError, type AdminClient } from './admin-client';

const POLL_MS = 1000;

export async function drill(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { admin: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [verb, name, ...rest] = positionals;
  if (values.help || verb === undefined) {
    io.out.write(`${HELP.drill}\n`);
    return values.help ? 0 : 2;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (verb === 'list') {
    const client = adminClient(values.admin);
    const result = await client.call('drills:list', {});
    if (!result.ok) return reportError(io, 'drill list', result);
    for (const d of result.value) io.out.write(`${d.name}  (${d.service}, ${d.durationMs / 1000} s, ${d.steps.length} step(s))${d.description ? `  ${d.description}` : ''}\n`);
    return 0;
  }
  if (verb !== 'run') throw new UsageError(`unknown verb "${verb}": use run or list`);
  if (name === undefined) throw new UsageError('name the drill: lbw drill run NAME');
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`--timeout takes seconds, got "${values.timeout}"`);
  return runDrill(adminClient(values.admin), name, io, timeoutMs);
}

async function runDrill(client: AdminClient, name: string, io: Io, timeoutMs: number | undefined): Promise<number> {
  const abort = new AbortController();
  let done: WorkbenchEvent | undefined;
  let wake: () => void = () => {};
  const onEvent = (e: WorkbenchEvent) => {
    if (e.type === 'drill:step' && e.drill === name) io.out.write(`  +${e.atMs} ms  ${e.label}${e.error ? `  (failed: ${e.error.message})` : ''}\n`);
    if (e.type === 'drill:done' && e.drill === name) {
      done = e;
      wake();
    }
  };
  // Subscribed before the drill starts, so its drill:done cannot be missed.
  await client.events(onEvent, abort.signal).catch(() => undefined);
  const onSigint = () => void client.call('drills:stop', {});
  process.once('SIGINT', onSigint);
  try {
    const started = await client.call('drills:run', { name });
    if (!started.ok) return reportError(io, 'drill run', started);
    const planned = started.value.durationMs ?? 0;
    io.out.write(`drill "${name}" started${planned ? ` (${planned / 1000} s)` : ''}\n`);
    const limitMs = timeoutMs ?? planned + 120_000;
    const deadline = Date.now() + limitMs;
    while (done === undefined) {
      if (Date.now() > deadline) {
        io.err.write(`lbw drill run: no verdict within ${Math.round(limitMs / 1000)} s; stopping the drill\n`);
        await client.call('drills:stop', {});
        return 1;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, POLL_MS);
      });
      if (done !== undefined) break;
      const status = await client.call('drills:status', {});
      if (status.ok && status.value.state === 'idle') break;
    }
    const report = await client.call('drills:report', {});
    if (!report.ok) return reportError(io, 'drill run', report);
    if (report.value === null || report.value.drill !== name) {
      io.err.write(`lbw drill run: the drill ended but its report is not there\n`);
      return 1;
    }
    printReport(io, report.value);
    return report.value.result === 'completed' && report.value.verdict.clean ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    abort.abort();
  }
}

function printReport(io: Io, r: DrillReport): void {
  const t = r.requests.total;
  io.out.write(
    `drill "${r.drill}" ${r.result}${r.error ? `: ${r.error.message}` : ''}: ${t.sent} requests, ${t.ok} ok, ${t.failedTotal} failed, ` +
      `${r.retries} retries, ${r.ejections} ejection(s), ${r.healthTransitions} health transition(s)\n`,
  );
  for (const line of r.verdict.lines) io.out.write(`  ${line}\n`);
  const v = r.verdict;
  io.out.write(`verdict: ${v.clean ? 'clean' : 'NOT clean'} (failed GETs ${v.failedGets}, POSTs that may have run twice ${v.duplicatedPosts})\n`);
}
