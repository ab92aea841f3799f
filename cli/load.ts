/** `lbw load`: the workbench's load generator from the terminal, against a loopback URL. */
import { parseArgs } from 'node:util';
import { LoadGenerator, type LoadProgress, type LoadSpecInput, type LoadSummary } from '../core/demo';
import { parseIntFlag } from './flags';
import type { Io } from './run';
import { HELP, UsageError } from './usage';

/** `GET /,POST /orders:1` → a weighted method/path mix. */
function parseMix(value: string): NonNullable<LoadSpecInput['requests']> {
  return value.split(',').map((item) => {
    const m = /^\s*([A-Za-z]+)\s+(\/\S*?)(?::(\d+(?:\.\d+)?))?\s*$/.exec(item);
    if (!m) throw new UsageError(`--mix: "${item.trim()}" is not METHOD /path[:weight]`);
    return { method: m[1]!.toUpperCase() as 'GET', path: m[2]!, weight: m[3] ? Number(m[3]) : 1 };
  });
}

export function loadSpecFromFlags(target: string, values: Record<string, string | boolean | undefined>): LoadSpecInput {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const durationMs = parseIntFlag('--duration', str('duration') ?? '10') * 1000;
  const common = {
    target,
    durationMs,
    ...(str('mix') ? { requests: parseMix(str('mix')!) } : {}),
    ...(str('body') ? { bodyBytes: parseIntFlag('--body', str('body')!) } : {}),
    ...(str('key-header') || str('key-cookie')
      ? { key: { header: str('key-header'), cookie: str('key-cookie'), count: parseIntFlag('--keys', str('keys') ?? '100') } }
      : {}),
  };
  if (str('concurrency') !== undefined) {
    if (str('rate') !== undefined) throw new UsageError('give --rate (open loop) or --concurrency (closed loop), not both');
    return { mode: 'closed', concurrency: parseIntFlag('--concurrency', str('concurrency')!), ...common };
  }
  const rate = parseIntFlag('--rate', str('rate') ?? '100');
  const ramp = str('ramp');
  return { mode: 'open', rate, ...(ramp ? { rampFromRate: 0, rampMs: parseIntFlag('--ramp', ramp) * 1000 } : {}), ...common };
}

const fmt = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

function progressLine(p: LoadProgress): string {
  const failed = Object.values(p.failed).reduce((a, b) => a + b, 0);
  const target = p.targetRate !== undefined ? ` (target ${fmt(p.targetRate)})` : '';
  return `${(p.elapsedMs / 1000).toFixed(1)}s  sent ${p.sent}  ok ${p.ok}  failed ${failed}  ${fmt(p.rate.interval)} req/s${target}  p50 ${fmt(p.latency.p50)} ms  p99 ${fmt(p.latency.p99)} ms`;
}

function summaryText(s: LoadSummary): string {
  const failed = Object.entries(s.failed)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const backends = Object.entries(s.backends)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `done (${s.reason}) after ${(s.durationMs / 1000).toFixed(1)} s: sent ${s.sent}, ok ${s.ok}, failed ${failed || 0}, skipped ${s.skipped}, cancelled ${s.cancelled}`,
    `rate ${fmt(s.rate)} req/s; latency p50 ${fmt(s.latency.p50)} ms, p90 ${fmt(s.latency.p90)} ms, p99 ${fmt(s.latency.p99)} ms, max ${fmt(s.latency.max)} ms`,
    ...(backends ? [`by backend: ${backends}`] : []),
    ...(s.error ? [`error: ${s.error.message}`] : []),
  ].join('\n');
}

export async function load(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rate: { type: 'string' },
      ramp: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      mix: { type: 'string' },
      body: { type: 'string' },
      'key-header': { type: 'string' },
      'key-cookie': { type: 'string' },
      keys: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(`${HELP.load}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one target URL, e.g. http://127.0.0.1:8080');
  const generator = new LoadGenerator(loadSpecFromFlags(positionals[0]!, values));
  generator.on('progress', (p) => io.out.write(`${progressLine(p)}\n`));
  const onSignal = () => void generator.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  generator.start();
  const summary = await generator.whenDone();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  io.out.write(`${summaryText(summary)}\n`);
  return summary.reason === 'error' ? 1 : 0;
}
