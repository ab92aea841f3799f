/**
 * Export in Chromium against `lbw serve` with the demo workspace: Export →
 * nginx shows the engine's warnings, Download saves nginx.conf through the
 * browser, and the downloaded text starts with the header comment (target,
 * lbw version, workspace), balances the demo backends, and is exactly what
 * the core's workspace:export answers. The menu is driven by the keyboard.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, invokeCore, screenshot, Stack, startWorkbench } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('Export menu (browser mode)', () => {
  it('Export → nginx downloads the config of the demo workspace', async () => {
    const { page, serve, pageErrors } = await startWorkbench(stack, 'demo');
    const demo = await invokeCore(serve, 'demo:list', {});
    if (!demo.ok) throw new Error(demo.error.message);
    expect(demo.value.length).toBeGreaterThan(0);

    const button = page.getByRole('button', { name: 'Export ▾' });
    await button.focus();
    await page.keyboard.press('ArrowDown');
    const menu = page.getByRole('menu', { name: 'Export for' });
    await menu.waitFor();
    await page.keyboard.press('Enter'); // the first item, nginx, has the focus
    const dialog = page.getByRole('alertdialog', { name: 'Export for nginx' });
    await dialog.waitFor();
    await dialog.getByText('nginx.conf, for').waitFor();
    await screenshot(page, 'export-nginx-dialog');

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('nginx.conf');
    const path = await download.path();
    const text = await readFile(path, 'utf8');

    expect(text.startsWith('# nginx configuration exported by LB Workbench (lbw 0.1.0)\n')).toBe(true);
    expect(text.split('\n').slice(0, 4).join('\n')).toContain('workspace: (unsaved workspace)');
    for (const d of demo.value) expect(text).toContain(`server ${new URL(d.url).host}`);
    const core = await invokeCore(serve, 'workspace:export', { engine: 'nginx' });
    if (!core.ok) throw new Error(core.error.message);
    expect(text).toBe(core.value.files[0]!.text);

    await dialog.waitFor({ state: 'detached' });
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
