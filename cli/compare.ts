/** `lbw compare SCENARIO`: strategies side by side on the same traffic, simulated or on real sockets. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { builtinNames, builtinScenario } from '../core/lab/compare/builtin';
import type { CompareResult } from '../core/lab/compare/result';
import { parseScenarioText, type Scenario } from '../core/lab/compare/scenario';
import { simulate } from '../core/lab/compare/simulate';
import { LbError } from '../core/model/errors';
import type { Io } from './run';
import { HELP, UsageError } from './usage';

/** A built-in scenario's name, or a JSON file. */
async function loadScenario(ref: string): Promise<Scenario> {
  if (builtinNames().includes(ref)) return builtinScenario(ref);
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (err) {
    throw new LbError('IO_ERROR', `cannot read ${ref}: ${(err as Error).message} (built-in scenarios: ${builtinNames().join(', ')})`);
  }
  try {
    return parseScenarioText(text);
  } catch (err) {
    if (err instanceof LbError) throw new LbError(err.code, `${ref}: ${err.message}`, err.issues);
    throw err;
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padL = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const ms = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toString());

/** The rows as a table: one line per strategy, shares as percentages per backend. */
export function compareTable(result: CompareResult): string {
  const backends = Object.keys(result.rows[0]?.share ?? {});
  const keys = result.rows.some((r) => r.keysMoved !== undefined);
  const w = Math.max(8, ...result.rows.map((r) => r.strategy.length)) + 2;
  const head =
    pad('strategy', w) +
    ['requests', 'failed', 'retries', 'p50', 'p90', 'p99', 'max'].map((h) => padL(h, 9)).join('') +
    padL('imbal', 7) +
    (keys ? padL('moved', 7) : '') +
    '  share ' +
    backends.join(' / ');
  const lines = result.rows.map(
    (r) =>
      pad(r.strategy, w) +
      [r.requests, r.failed, r.retries].map((n) => padL(String(n), 9)).join('') +
      [r.p50, r.p90, r.p99, r.max].map((v) => padL(ms(v), 9)).join('') +
      padL(r.imbalance.toFixed(2), 7) +
      (keys ? padL(r.keysMoved == null ? '-' : `${Math.round(r.keysMoved * 100)}%`, 7) : '') +
      '  ' +
      backends.map((b) => `${Math.round((r.share[b] ?? 0) * 100)}%`).join(' / '),
  );
  return [`${result.scenario} (${result.mode}, seed ${result.seed}); latency in ms`, head, ...lines].join('\n');
}

export async function compare(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      simulate: { type: 'boolean' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(`${HELP.compare}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one scenario: a JSON file or a built-in name (${builtinNames().join(', ')})`);
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new UsageError(`--seed must be a whole number, got "${values.seed}"`);
  const scenario = await loadScenario(positionals[0]!);
  const seed = values.seed === undefined ? scenario.seed : Number(values.seed);
  let result: CompareResult;
  if (values.simulate) {
    result = simulate(scenario, seed);
  } else {
    const { runReal } = await import('../core/lab/compare/real');
    const total = scenario.strategies.length;
    result = await runReal(scenario, {
      seed,
      onStrategy: (label, i) => {
        if (!values.json) io.out.write(`running ${label} (${i + 1}/${total}, ${(scenario.load.durationMs / 1000).toFixed(0)} s)...\n`);
      },
    });
  }
  io.out.write(values.json ? `${JSON.stringify(result.rows, null, 2)}\n` : `${compareTable(result)}\n`);
  return 0;
}
