/**
 * Issue 16 in Chromium against `lbw serve`: the event log shows the startup
 * health transitions without any action and still has them after a reload
 * of the page (the core's history replayed), filters and exports them
 * (bug 8); the workspace file field shows `lbw serve FILE` (bug 9); the
 * workspace downloads through the browser and a modified copy opened with
 * the file picker changes the backends table.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WorkspaceInput } from '../../core/model/spec';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backendRow, BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, eventRows, eventually, invokeCore, Stack, startWorkbench } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());


/** A saved demo workspace: three demo backends by name, started again by lbw serve, health-checked. */
const DEMO_SHAPE = {
  services: [{ name: 'web', listen: '127.0.0.1:0', strategy: 'weighted-round-robin', healthCheck: { path: '/health', intervalMs: 500, timeoutMs: 2000, rise: 1, fall: 2 }, backends: [{ demo: 'alpha' }, { demo: 'bravo' }, { demo: 'charlie' }] }],
};

// As a file holds it (demo backends by name, no url), not the parsed input type the harness names.
const DEMO_FILE = DEMO_SHAPE as unknown as WorkspaceInput;

describe('event log and workspace file (browser mode)', () => {
  it('shows the startup health transitions, keeps them across a reload, filters and exports them', async () => {
    const { page, pageErrors } = await startWorkbench(stack, DEMO_FILE);
    const healthy = (rows: string[][]) => new Set(rows.filter(([, type, , , cause]) => type === 'health changed' && cause!.includes('→ healthy')).map((r) => r[3]));
    // No action: the checks that ran before (or while) the page connected are in the log.
    await eventually(async () => [...healthy(await eventRows(page))].sort()).toEqual(['alpha', 'bravo', 'charlie']);

    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await eventually(async () => [...healthy(await eventRows(page))].sort()).toEqual(['alpha', 'bravo', 'charlie']);

    const log = page.getByTestId('event-log');
    await log.getByLabel('Event kind').selectOption('health');
    await eventually(async () => {
      const rows = await eventRows(page);
      return rows.length > 0 && rows.every(([, type]) => type === 'health changed');
    }).toBe(true);
    await log.getByLabel('Search events').fill('bravo');
    await eventually(async () => {
      const rows = await eventRows(page);
      return rows.length > 0 && rows.every(([, type, , backend]) => type === 'health changed' && backend === 'bravo');
    }).toBe(true);
    const shown = (await eventRows(page)).length;

    const [download] = await Promise.all([page.waitForEvent('download'), log.getByRole('button', { name: 'Export JSON lines' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^lbw-events-.*\.jsonl$/);
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; backend: string });
    expect(lines).toHaveLength(shown);
    for (const l of lines) expect([l.type, l.backend]).toEqual(['health:changed', 'bravo']);
    expect(pageErrors).toEqual([]);
  });

  it('shows lbw serve FILE in the file field; downloads the workspace, and a modified copy picked in the browser changes the table', async () => {
    const { page, serve, workspaceFile, pageErrors } = await startWorkbench(stack, DEMO_FILE);
    const field = page.getByLabel('Workspace file');
    await eventually(() => field.inputValue()).toBe(workspaceFile);
    await backendRow(page, 'bravo').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('workspace.json');
    const ws = JSON.parse(await readFile(await download.path(), 'utf8')) as { services: Array<{ backends: Array<{ demo: string; weight?: number }> }> };
    // Demo backends by name, as a save writes them: the copy comes back alive anywhere.
    expect(ws.services[0]!.backends.map((b) => b.demo)).toEqual(['alpha', 'bravo', 'charlie']);

    ws.services[0]!.backends[1]!.weight = 4;
    const copy = join(dirname(workspaceFile!), 'picked.json');
    await writeFile(copy, JSON.stringify(ws, null, 2));
    await page.getByTestId('workspace-upload').setInputFiles(copy);
    await eventually(() => backendRow(page, 'bravo').getByLabel('Weight of bravo').inputValue()).toBe('4');
    const status = await invokeCore(serve, 'workspace:status', {});
    // The picked file is not the core's file: its change is unsaved there.
    expect(status).toEqual({ ok: true, value: { path: workspaceFile, dirty: true } });

    // Opening another file now asks first; Cancel keeps the picked workspace.
    await field.fill(workspaceFile!);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const dialog = page.getByTestId('open-unsaved');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await backendRow(page, 'bravo').getByLabel('Weight of bravo').inputValue()).toBe('4');
    expect(pageErrors).toEqual([]);
  });
});
