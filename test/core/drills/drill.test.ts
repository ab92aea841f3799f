/**
 * A failover drill end to end: three demo backends behind a service with
 * health checks, load with GETs and POSTs, one backend killed and revived.
 * The clients must see no failed GET and no POST sent twice, and the report
 * must say so; it exports as JSON and as a self-contained HTML page.
 */
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../../core/contract';
import type { WorkbenchEvent } from '../../../core/contract/events';
import type { DrillInput } from '../../../core/drills/spec';
import { Workbench } from '../../../core/workbench';
import { waitFor } from '../../helpers/wait';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The demo behind a service with checks every `checkMs` (default retries: a killed backend's burst must not fail GETs). */
async function demoWorkbench(checkMs = 200) {
  const wb = new Workbench({
    tickMs: 100,
    graceMs: 1000,
    workspace: {
      services: [
        {
          name: 'demo',
          listen: '127.0.0.1:0',
          healthCheck: { path: '/health', intervalMs: checkMs, timeoutMs: 300, rise: 2, fall: 2 },
          passiveHealth: { enabled: true },
        },
      ],
    },
  });
  cleanups.push(() => wb.stop(0));
  const events: WorkbenchEvent[] = [];
  wb.subscribe((p) => p.channel === 'event' && events.push(p.event));
  await wb.start({ failFast: true });
  for (let i = 0; i < 3; i++) expect((await wb.invoke('demo:add', { service: 'demo' })).ok).toBe(true);
  await waitFor(() => wb.service('demo')!.backends.every((b) => b.health === 'healthy'), { message: 'three healthy backends' });
  return { wb, events };
}

const KILL_DRILL: DrillInput = {
  name: 'kill-bravo',
  description: 'bravo dies under load and comes back',
  service: 'demo',
  durationMs: 4000,
  load: {
    rate: 150,
    requests: [
      { method: 'GET', path: '/', weight: 3 },
      { method: 'POST', path: '/orders', weight: 1 },
    ],
    bodyBytes: 64,
  },
  steps: [
    { atMs: 1000, action: 'kill', backend: 'bravo' },
    { atMs: 2800, action: 'revive', backend: 'bravo' },
  ],
};

async function runDrill(wb: Workbench, events: WorkbenchEvent[], name: string): Promise<DrillReport> {
  const run = await wb.invoke('drills:run', { name });
  expect(run.ok, JSON.stringify(run)).toBe(true);
  await waitFor(() => events.some((e) => e.type === 'drill:done' && e.drill === name), { timeoutMs: 40_000, message: `drill ${name} done` });
  const report = await wb.invoke('drills:report', {});
  if (!report.ok || !report.value) throw new Error(`no report: ${JSON.stringify(report)}`);
  return report.value;
}

describe('drills', () => {
  it('kills one of three backends under load: no failed GET, no POST sent twice, and the report says so', async () => {
    const { wb, events } = await demoWorkbench();
    const saved = await wb.invoke('drills:save', { drill: KILL_DRILL });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    expect(wb.getWorkspace().drills?.map((d) => d.name)).toEqual(['kill-bravo']);

    const report = await runDrill(wb, events, 'kill-bravo');
    console.log(report.verdict.lines.join('\n'));

    expect(report.result).toBe('completed');
    expect(report.verdict).toMatchObject({ clean: true, failedGets: 0, duplicatedPosts: 0 });
    expect(report.verdict.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^No GET failed \(\d+ sent\)\.$/), 'No POST was sent twice.']));
    const gets = report.requests.byMethod.GET!;
    const posts = report.requests.byMethod.POST!;
    expect(gets.failedTotal).toBe(0);
    expect(gets.sent).toBeGreaterThan(300);
    expect(posts.sent).toBeGreaterThan(100);
    expect(report.resent.nonIdempotent).toBe(0);
    expect(report.load.achievedRate).toBeGreaterThan(120);

    const [kill, revive] = report.steps;
    expect(kill).toMatchObject({ action: 'kill', backend: 'bravo', label: 'kill bravo' });
    expect(kill!.appliedAtMs).toBeGreaterThanOrEqual(990); // timers may fire a millisecond early by the wall clock
    // Detected by passive health or the checker (interval 200 ms × fall 2, plus a margin).
    expect(kill!.detectMs).not.toBeNull();
    expect(kill!.detectMs!).toBeLessThan(1500);
    expect(kill!.detectedBy).toMatch(/^(health check failed|ejected)$/);
    expect(kill!.recoverMs).not.toBeNull();
    expect(revive).toMatchObject({ action: 'revive', backend: 'bravo' });
    expect(revive!.detectMs).not.toBeNull(); // healthy again (rise 2 × 200 ms)
    expect(revive!.recoverMs).not.toBeNull(); // and taking traffic

    expect(report.samples.length).toBeGreaterThan(20);
    expect(report.samples.some((s) => s.backends.some((b) => b.name === 'bravo' && !b.available))).toBe(true);
    expect(report.events.some((e) => e.type === 'demo:changed' && e.backend === 'bravo' && e.detail === 'stopped')).toBe(true);
    expect(report.retries).toBeGreaterThan(0);

    // The drill put bravo back (revived by its own step) and left the config as it was.
    expect(wb.service('demo')!.backends.map((b) => [b.name, b.weight, b.state, b.faults.size])).toEqual([
      ['alpha', 1, 'active', 0],
      ['bravo', 1, 'active', 0],
      ['charlie', 1, 'active', 0],
    ]);
    const list = await wb.invoke('demo:list', {});
    expect(list.ok && list.value.every((d) => d.running)).toBe(true);
    const status = await wb.invoke('drills:status', {});
    expect(status.ok && status.value.state).toBe('idle');

    const dir = await mkdtemp(join(tmpdir(), 'lbw-drill-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const json = await wb.invoke('drills:export', { format: 'json', path: join(dir, 'report.json') });
    expect(json.ok).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual({ generator: 'LB Workbench drill report', ...report });
    const html = await wb.invoke('drills:export', { format: 'html', path: join(dir, 'report.html') });
    expect(html.ok && html.value.bytes).toBeGreaterThan(1000);
    const page = await readFile(join(dir, 'report.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<style>');
    expect((page.match(/<svg /g) ?? []).length).toBe(3);
    expect(page).toContain('Clean: no GET failed and no POST was sent twice.');
    expect(page).toContain('kill bravo');
    // Self-contained: nothing to fetch.
    expect(page).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    expect(page).toContain('<meta name="generator" content="LB Workbench drill report">');

    // The write rules: lbw's own reports are replaced, anything else needs overwrite: true.
    expect((await wb.invoke('drills:export', { format: 'json', path: join(dir, 'report.json') })).ok).toBe(true);
    expect((await wb.invoke('drills:export', { format: 'html', path: join(dir, 'report.html') })).ok).toBe(true);
    const wrongExt = await wb.invoke('drills:export', { format: 'json', path: join(dir, 'report.html') });
    expect(!wrongExt.ok && wrongExt.error).toEqual({ code: 'INPUT_INVALID', message: `cannot write ${join(dir, 'report.html')}: a JSON report is written to a .json file` });
    const notes = join(dir, 'notes.html');
    await writeFile(notes, '<p>my notes</p>\n');
    const conflict = await wb.invoke('drills:export', { format: 'html', path: notes });
    expect(!conflict.ok && conflict.error.code).toBe('CONFLICT');
    expect(await readFile(notes, 'utf8')).toBe('<p>my notes</p>\n');
    expect((await wb.invoke('drills:export', { format: 'html', path: notes, overwrite: true })).ok).toBe(true);
    expect(await readFile(notes, 'utf8')).toBe(page);
    const workspaceFile = join(dir, 'ws.json');
    await writeFile(workspaceFile, JSON.stringify({ services: [] }));
    const notAReport = await wb.invoke('drills:export', { format: 'json', path: workspaceFile });
    expect(!notAReport.ok && notAReport.error.code).toBe('CONFLICT');
    await symlink(join(dir, 'report.json'), join(dir, 'link.json'));
    const viaLink = await wb.invoke('drills:export', { format: 'json', path: join(dir, 'link.json'), overwrite: true });
    expect(!viaLink.ok && viaLink.error.code).toBe('INPUT_INVALID');
    expect((await readdir(dir)).sort()).toEqual(['link.json', 'notes.html', 'report.html', 'report.json', 'ws.json']);
  });

  it('faults, heals, weights and states on the timeline, all put back at the end', async () => {
    // Checks slower than the 900 ms fault window (fall 2 x 1 s), so the injected 503s reach clients before a check can take alpha out.
    const { wb, events } = await demoWorkbench(1000);
    const drill: DrillInput = {
      name: 'mixed',
      service: 'demo',
      durationMs: 2500,
      load: { rate: 80 },
      steps: [
        { atMs: 300, action: 'fault', backend: 'alpha', faults: [{ type: 'error', status: 503 }] },
        { atMs: 300, action: 'weight', backend: 'charlie', weight: 5 },
        { atMs: 1200, action: 'heal', backend: 'alpha' },
        { atMs: 1400, action: 'state', backend: 'bravo', state: 'drain' },
        { atMs: 1500, action: 'fault', backend: 'charlie', faults: [{ type: 'latency', ms: 50 }] },
      ],
    };
    expect((await wb.invoke('drills:save', { drill })).ok).toBe(true);
    const busy = await wb.invoke('drills:run', { name: 'mixed' });
    expect(busy.ok).toBe(true);
    const conflict = await wb.invoke('load:start', { service: 'demo', spec: { mode: 'closed' } });
    expect(!conflict.ok && conflict.error.code).toBe('CONFLICT');
    const twice = await wb.invoke('drills:run', { name: 'mixed' });
    expect(!twice.ok && twice.error.code).toBe('CONFLICT');

    await waitFor(() => events.some((e) => e.type === 'drill:done'), { timeoutMs: 40_000 });
    const res = await wb.invoke('drills:report', {});
    const report = res.ok ? res.value! : undefined;
    expect(report?.result).toBe('completed');
    expect(report!.steps.map((s) => [s.label, s.error?.message ?? null])).toEqual([
      ['fault alpha: error', null],
      ['weight charlie → 5', null],
      ['heal alpha', null],
      ['state bravo → drain', null],
      ['fault charlie: latency', null],
    ]);
    // The injected 503s reached the clients (a 5xx is an answer, not retried).
    expect(report!.requests.total.failed.status5xx).toBeGreaterThan(0);
    expect(report!.steps[0]!.failuresAfter).toBeGreaterThan(0);
    expect(report!.verdict.failedGets).toBe(report!.requests.total.failedTotal);
    expect(report!.verdict.clean).toBe(false);
    expect(events.filter((e) => e.type === 'drill:step')).toHaveLength(5);

    // Restored: faults healed, weight and state back.
    expect(wb.service('demo')!.backends.map((b) => [b.name, b.weight, b.state, b.faults.list()])).toEqual([
      ['alpha', 1, 'active', []],
      ['bravo', 1, 'active', []],
      ['charlie', 1, 'active', []],
    ]);
  });

  it('drills:stop ends a drill early; bad drills are refused before anything runs', async () => {
    const { wb, events } = await demoWorkbench();
    const bad = await wb.invoke('drills:save', { drill: { ...KILL_DRILL, name: 'late', steps: [{ atMs: 9000, action: 'kill', backend: 'bravo' }] } });
    expect(!bad.ok && bad.error.issues).toEqual(['drill.steps[0].atMs: must be within the drill (4000 ms)']);
    await wb.invoke('drills:save', { drill: { ...KILL_DRILL, name: 'ghost', steps: [{ atMs: 100, action: 'kill', backend: 'nobody' }] } });
    const ghost = await wb.invoke('drills:run', { name: 'ghost' });
    expect(!ghost.ok && ghost.error).toMatchObject({ code: 'NOT_FOUND', message: 'drill "ghost" step 1 (kill): no backend "nobody" in service "demo"' });
    const none = await wb.invoke('drills:run', { name: 'nope' });
    expect(!none.ok && none.error.code).toBe('NOT_FOUND');
    const noReport = await wb.invoke('drills:export', { format: 'json', path: '/tmp/never.json' });
    expect(!noReport.ok && noReport.error.code).toBe('NOT_FOUND');

    await wb.invoke('drills:save', { drill: { ...KILL_DRILL, name: 'long', durationMs: 60_000, steps: [{ atMs: 500, action: 'kill', backend: 'alpha' }] } });
    expect((await wb.invoke('drills:run', { name: 'long' })).ok).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'drill:step'), { timeoutMs: 20_000 });
    expect((await wb.invoke('drills:stop', {})).ok).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'drill:done'), { timeoutMs: 20_000 });
    const report = await wb.invoke('drills:report', {});
    expect(report.ok && report.value?.result).toBe('stopped');
    // alpha was revived by the restore.
    await waitFor(async () => {
      const list = await wb.invoke('demo:list', {});
      return list.ok && list.value.every((d) => d.running);
    });
    const removed = await wb.invoke('drills:remove', { name: 'long' });
    expect(removed.ok).toBe(true);
    expect(wb.getWorkspace().drills?.map((d) => d.name)).toEqual(['ghost']);
  });
});
