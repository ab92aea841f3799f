/**
 * The failover matrix's results table: one row per cell with the numbers the
 * closing note of issue 11 quotes. Each test file prints its table to stdout
 * and, where there is somewhere to put it, writes it as one section of a
 * markdown file: `LBW_MATRIX_RESULTS` names the file, and it defaults to
 * /work/notes/matrix-results.md when /work/notes exists (nothing is written
 * otherwise, e.g. in CI). The files run in parallel, so each writes its own
 * section file (atomically) and then rebuilds the whole file from every
 * section present.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ANSWER_BOUND_MS, ATTEMPTS, MARGIN_MS, POST_EVERY, TIMEOUTS, type CellSpec, type CellNumbers } from './cell';

export interface Row {
  spec: CellSpec;
  n: CellNumbers;
  seconds: number;
  /** The longest event-loop stall during the cell's load (see CellResult). */
  maxLagMs: number;
  /** The checks that failed, by name (empty: the cell passed). */
  violations: string[];
}

const HEAD = ['kind', 'backends', 'clients', 'strategy', 'GET fail', 'POST fail', 'POST dup', 'late', 'max ms', 'GETs served per backend', 'broken tries', 'lag ms', 's', 'result'];

export function formatTable(rows: Row[]): string {
  const lines = rows.map((r) => [
    r.spec.allBroken ? `all ${r.spec.kind}` : r.spec.kind,
    String(r.spec.backends),
    String(r.spec.clients),
    r.spec.strategy,
    String(r.n.failedGets),
    String(r.n.failedPosts),
    String(r.n.duplicatedPosts),
    String(r.n.late),
    String(r.n.maxMs),
    r.n.getsServed.map(([name, count]) => `${name}=${count}`).join(' '),
    String(r.n.brokenTries),
    String(r.maxLagMs),
    r.seconds.toFixed(1),
    r.violations.length ? `FAIL: ${r.violations.join('; ')}` : 'ok',
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(HEAD), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

/** Prints the section and, when a results file is configured, writes it there. */
export function publish(section: string, rows: Row[]): void {
  const failing = rows.filter((r) => r.violations.length).length;
  const text = `## ${section}\n\n${rows.length} cells, ${failing} failing; run ${new Date().toISOString()}\n\n${formatTable(rows)}\n`;
  console.log(`\n${text}`);
  const target = resultsFile();
  if (!target) return;
  const dir = path.join(path.dirname(target), '.matrix-results');
  fs.mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, `${section.replace(/[^A-Za-z0-9-]+/g, '_')}.md`), text);
  const sections = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  writeAtomically(target, `${PREAMBLE}\n${sections.join('\n')}`);
}

const PREAMBLE = `# Failover matrix results

Written by test/core/failover/*.test.ts (one section per test file, each from its latest run).
Every cell: an in-process Workbench, one HTTP service on 127.0.0.1:0, default retries (attempts ${ATTEMPTS}, budget 50 %, min 10),
no active or passive health checks, timeouts connect ${TIMEOUTS.connectMs} ms / response ${TIMEOUTS.responseMs} ms; keep-alive clients,
every ${POST_EVERY}th request a POST. "late" = no answer, or one slower than ${ANSWER_BOUND_MS} ms (all-broken reset and killed cells: ${MARGIN_MS} ms).
"broken tries" = connections (reset) or requests (hang, killed) that reached the broken backend(s).
"lag ms" = the longest event-loop stall in the test process during the cell (clients, balancer and backends share it).
`;

function resultsFile(): string | undefined {
  const configured = process.env.LBW_MATRIX_RESULTS;
  if (configured) return configured;
  return fs.existsSync('/work/notes') ? '/work/notes/matrix-results.md' : undefined;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
