/**
 * Differential conformance of lbw's HTTP data plane against nginx (issue 11):
 * each case of the table is sent once through nginx and once through lbw, in
 * front of the same scripted backends, and the two are compared: status,
 * interim answers, body, end-to-end headers and trailers the client got, and
 * what the backends received. Where lbw differs on purpose the case says why
 * and asserts lbw's intended behaviour instead (see case.ts).
 *
 * Needs Debian's nginx (/usr/sbin/nginx; `.ci/run` installs it). Set
 * LBW_CONFORMANCE_REPORT=<file> for a readable summary of the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedBackends, type Script, type ScriptedBackends } from './backends';
import type { Case } from './case';
import { messageCases } from './cases-messages';
import { edgeCases } from './cases-edge';
import { headerCases } from './cases-headers';
import { diffPaths, view, type Observation } from './compare';
import { startLbw, type Lbw } from './lbw';
import { NGINX, nginxInstalled, startNginx, type Nginx } from './nginx';
import { writeReport, type CaseResult } from './report';

const cases: Case[] = [...messageCases, ...headerCases, ...edgeCases];
/** What an answer of the proxy's own leaves out of the comparison: its page and headers. */
const OWN_ANSWER = ['interim', 'headers', 'body', 'trailers'];
/** How long a case waits for the backends to finish reading what the proxy sent (bounded; usually at once). */
const SETTLE_MS = 2000;

/** An assertion's message on one line, with the values it compared in full (vitest's message abbreviates them). */
function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { actual?: unknown; expected?: unknown };
  const first = e.message.split('\n')[0]!;
  if (!('actual' in e)) return first;
  const label = first.includes(': expected') ? first.slice(0, first.indexOf(': expected')) : 'expected';
  return `${label}: got ${JSON.stringify(e.actual, bytesAsText)}, want ${JSON.stringify(e.expected, bytesAsText)}`.slice(0, 600);
}

/** JSON for a Buffer (already turned into `{ type, data }`) as its text. */
function bytesAsText(_key: string, v: unknown): unknown {
  const b = v as { type?: string; data?: number[] } | null;
  return b && b.type === 'Buffer' && Array.isArray(b.data) ? Buffer.from(b.data).toString('latin1') : v;
}

const hasNginx = nginxInstalled();
const title = hasNginx ? 'HTTP conformance: lbw vs nginx' : `HTTP conformance: lbw vs nginx (skipped: ${NGINX} is not installed; .ci/run installs it with apt-get)`;

describe.skipIf(!hasNginx)(title, () => {
  let backends: ScriptedBackends;
  let nginx: Nginx;
  let lbw: Lbw;
  const results: CaseResult[] = [];

  beforeAll(async () => {
    const scripts: Record<string, Script> = {};
    for (const c of cases) {
      for (const [path, script] of Object.entries(c.scripts ?? {})) {
        if (scripts[path]) throw new Error(`two cases script ${path}`);
        scripts[path] = script;
      }
    }
    backends = await startScriptedBackends(2, scripts, { respond: (_req, reply) => reply.send(200, [['Content-Type', 'text/plain']], 'ok') });
    nginx = await startNginx(backends.ports);
    lbw = await startLbw(backends.ports);
  });

  afterAll(async () => {
    await lbw?.stop();
    await nginx?.stop();
    await backends?.close();
    if (process.env.LBW_CONFORMANCE_REPORT) await writeReport(process.env.LBW_CONFORMANCE_REPORT, results);
  });

  /** Runs a case against one engine and collects what the backends got meanwhile. */
  async function observe(c: Case, port: number): Promise<Observation> {
    backends.take();
    const { responses, notes = {} } = await c.run(port);
    await backends.settled(SETTLE_MS);
    return { responses, received: backends.take(), notes };
  }

  it('every case that differs from nginx says why, and asserts what lbw does instead', () => {
    for (const c of cases) {
      expect(Boolean(c.differsOnPurpose), `${c.name}: differs and differsOnPurpose go together`).toBe(Boolean(c.differs?.length));
      if (c.differsOnPurpose) expect(c.lbw, `${c.name}: an lbw check`).toBeTypeOf('function');
    }
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const ref = await observe(c, nginx.port);
    const got = await observe(c, lbw.port);
    const skip = [...(c.differs ?? []), ...(c.timingDependent?.paths ?? []), ...(c.ownAnswer ? OWN_ANSWER : [])];

    const problems = diffPaths(view(ref, skip), view(got, skip)).map((d) => `differs from nginx: ${d}`);
    const check = (label: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        problems.push(`${label}: ${describeFailure(err)}`);
      }
    };
    if (c.both) {
      check('nginx (the case premise)', () => c.both!(ref));
      check('lbw', () => c.both!(got));
    }
    if (c.lbw) check('lbw (intended difference)', () => c.lbw!(got, ref));

    const statusLine = (o: Observation) => o.responses.map((r) => r.status).join(', ');
    results.push({ name: c.name, differsOnPurpose: c.differsOnPurpose, problems, statuses: { nginx: statusLine(ref), lbw: statusLine(got) } });
    expect(problems, c.name).toEqual([]);
  });
});
