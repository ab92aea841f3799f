/**
 * A saved demo workspace comes back alive (issue 16, bug 1): demo backends
 * are saved by name and spec, not as the one-off URLs they listened at, and
 * a Workbench that opens the file (from the constructor, as lbw run, serve
 * and Electron do, or with workspace:open) starts them again and balances
 * them. Real sockets on loopback.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceView } from '../../../core/contract/commands';
import { loadWorkspaceFile } from '../../../core/config/workspace-file';
import { createDemo } from '../../../core/demo';
import { Workbench } from '../../../core/workbench';
import { send } from '../../helpers/http-client';
import { waitFor } from '../../helpers/wait';

let dir: string;
const workbenches: Workbench[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-saved-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(workbenches.splice(0).map((wb) => wb.stop(0)));
});

function track(wb: Workbench): Workbench {
  workbenches.push(wb);
  return wb;
}

/** Saves the running demo workspace to a file and stops everything (the demo backends' ports close). */
async function saveDemo(name: string): Promise<{ file: string; oldUrls: string[] }> {
  const demo = await createDemo({ listen: '127.0.0.1:0' });
  const wb = new Workbench({ workspace: demo.workspace, demo: demo.fleet, tickMs: 100 });
  await wb.start({ failFast: true });
  const oldUrls = wb.getWorkspace().services[0]!.backends.map((b) => b.url);
  const file = join(dir, name);
  const saved = await wb.invoke('workspace:save', { path: file });
  expect(saved.ok).toBe(true);
  await wb.stop(0);
  return { file, oldUrls };
}

/** Waits until every backend of the one service is healthy after a passing check, then sends requests through it. */
async function expectAlive(wb: Workbench): Promise<void> {
  const views = await waitFor(
    async () => {
      const res = await wb.invoke('services:list', {});
      const list = res.ok ? (res.value as ServiceView[]) : [];
      const backends = list[0]?.backends ?? [];
      return backends.length === 3 && backends.every((b) => b.health === 'healthy' && b.lastCheck?.ok) ? list : undefined;
    },
    { timeoutMs: 20_000, message: 'every demo backend healthy' },
  );
  for (const b of views[0]!.backends) expect(b.lastCheck?.detail).toBe('200');
  const address = views[0]!.address!;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await send(port)).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  // Round-robin over three live backends: each demo backend served some of them.
  const demos = await wb.invoke('demo:list', {});
  expect(demos.ok && demos.value.map((d) => [d.name, d.running, d.stats.served > 0])).toEqual([
    ['alpha', true, true],
    ['bravo', true, true],
    ['charlie', true, true],
  ]);
}

describe('a saved demo workspace', () => {
  it('is written with demo backends by name and spec, and no one-off URL', async () => {
    const { file, oldUrls } = await saveDemo('shape.json');
    const text = await readFile(file, 'utf8');
    for (const url of oldUrls) expect(text).not.toContain(url);
    const saved = JSON.parse(text) as { demos: Array<Record<string, unknown>>; services: Array<{ backends: unknown[] }> };
    expect(saved.services[0]!.backends).toEqual([
      { demo: 'alpha', weight: 1, state: 'active', backup: false },
      { demo: 'bravo', weight: 1, state: 'active', backup: false },
      { demo: 'charlie', weight: 1, state: 'active', backup: false },
    ]);
    expect(saved.demos).toEqual([
      { name: 'alpha', colour: '#4e79a7', latency: { distribution: 'uniform', ms: 11.5, jitterMs: 3.5 } },
      { name: 'bravo', colour: '#f28e2b', latency: { distribution: 'long-tail', ms: 60 } },
      { name: 'charlie', colour: '#59a14f', latency: { distribution: 'uniform', ms: 11.5, jitterMs: 3.5 } },
    ]);
  });

  it('comes back alive in a new Workbench given the file (lbw run, lbw serve, Electron at launch)', async () => {
    const { file, oldUrls } = await saveDemo('reopen.json');
    const wb = track(new Workbench({ workspace: await loadWorkspaceFile(file), path: file, tickMs: 100 }));
    await wb.start({ failFast: true });
    await expectAlive(wb);
    // Fresh ports (the old ones were closed), and saving again writes the same file shape.
    expect(wb.getWorkspace().services[0]!.backends.map((b) => b.url)).not.toEqual(oldUrls);
    const again = await wb.invoke('workspace:save', {});
    expect(again.ok).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8')).services[0].backends.map((b: { demo?: string }) => b.demo)).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('comes back alive through workspace:open (Electron\'s File > Open)', async () => {
    const { file } = await saveDemo('open.json');
    const wb = track(new Workbench({ tickMs: 100 }));
    await wb.start({ failFast: true });
    const opened = await wb.invoke('workspace:open', { path: file });
    expect(opened.ok).toBe(true);
    await expectAlive(wb);
  });

  it('a hand-written { "demo": "bravo" } without a demos list starts the built-in bravo', async () => {
    const wb = track(
      new Workbench({
        tickMs: 100,
        workspace: { services: [{ name: 'api', listen: '127.0.0.1:0', backends: [{ demo: 'bravo' } as never] }] },
      }),
    );
    await wb.start({ failFast: true });
    const demos = await wb.invoke('demo:list', {});
    expect(demos.ok && demos.value.map((d) => [d.name, d.spec.colour, d.running])).toEqual([['bravo', '#f28e2b', true]]);
    expect(wb.getWorkspace().services[0]!.backends[0]!.url).toBe(demos.ok ? demos.value[0]!.url : '');
  });
});
