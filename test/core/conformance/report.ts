/**
 * An optional summary of a conformance run for people: with
 * LBW_CONFORMANCE_REPORT=<file> the test writes, per case, whether lbw
 * conforms and, where not, each difference and failed check. The test's own
 * verdict never depends on it.
 */
import { writeFile } from 'node:fs/promises';

export interface CaseResult {
  name: string;
  differsOnPurpose?: string;
  problems: string[];
  /** One line per engine: the statuses it answered. */
  statuses: { nginx: string; lbw: string };
}

export async function writeReport(file: string, results: CaseResult[]): Promise<void> {
  const failing = results.filter((r) => r.problems.length > 0);
  const lines = [
    '# HTTP conformance: lbw vs nginx 1.22',
    '',
    `Written by test/core/conformance/http-conformance.test.ts on ${new Date().toISOString()}: ${results.length} cases, ${failing.length} failing.`,
    '',
    '## Failing',
    '',
    ...(failing.length === 0 ? ['None.'] : []),
    ...failing.flatMap((r) => [
      `### ${r.name}`,
      ...(r.differsOnPurpose ? [`(differs on purpose: ${r.differsOnPurpose})`, ''] : []),
      `statuses: nginx ${r.statuses.nginx}; lbw ${r.statuses.lbw}`,
      '',
      ...r.problems.map((p) => `- ${p.replace(/\n/g, ' ')}`),
      '',
    ]),
    '## Passing',
    '',
    ...results.filter((r) => r.problems.length === 0).map((r) => `- ${r.name}${r.differsOnPurpose ? ' (differs on purpose)' : ''}: nginx ${r.statuses.nginx}; lbw ${r.statuses.lbw}`),
    '',
  ];
  await writeFile(file, lines.join('\n'));
}
