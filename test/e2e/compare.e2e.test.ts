/**
 * The Compare tab in Chromium against `lbw serve`: a built-in scenario
 * simulated (the table gets a row per strategy, in the scenario's order,
 * and round robin's p99 is far above least connections'), its note says
 * what to look for, both exports download (JSON: exactly the rows; HTML: a
 * self-contained page with its chart), and a pasted scenario with mistakes
 * is refused with one line per problem. Screenshot for the README.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, screenshot, Stack, startWorkbench } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('the Compare tab', () => {
  it('simulates a built-in scenario: a row per strategy, charts, exports; a bad pasted scenario is refused', async () => {
    const { page, pageErrors } = await startWorkbench(stack, 'demo');
    await page.getByTestId('tab-compare').click();
    const select = page.getByTestId('compare-scenario');
    await select.locator('option[value="slow-backend"]').waitFor({ state: 'attached' });
    expect(await select.locator('option').allTextContents()).toEqual(['slow-backend', 'weighted-capacity', 'backend-dies', 'sticky-keys', 'Paste JSON…']);
    await expect.poll(() => page.getByTestId('compare-note').textContent()).toContain('What to look for:');

    await page.getByTestId('compare-run').click();
    const rows = page.getByTestId('compare-row');
    await rows.nth(3).waitFor();
    expect(await rows.count()).toBe(4);
    const cells = async (i: number) => (await rows.nth(i).locator('td').allTextContents()).map((t) => t.trim());
    const table = await Promise.all([0, 1, 2, 3].map(cells));
    expect(table.map((r) => r[0])).toEqual(['round-robin', 'least-connections', 'power-of-two', 'peak-ewma']);
    // Columns: strategy, requests, failed, retries, p50, p90, p99, ...
    expect(table.every((r) => r[1] === '1499')).toBe(true);
    const p99 = table.map((r) => Number(r[6]));
    expect(p99[0]).toBeGreaterThan(10 * p99[1]!);
    expect(await page.getByTestId('compare-results').locator('.recharts-wrapper').count()).toBe(2);

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-export-json').click()]);
    expect(jsonDownload.suggestedFilename()).toBe('compare-slow-backend-simulated.json');
    const exported = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as Array<{ strategy: string; p99: number }>;
    expect(exported.map((r) => r.strategy)).toEqual(table.map((r) => r[0]));
    expect(Math.round(exported[0]!.p99)).toBe(p99[0]);
    const [htmlDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-export-html').click()]);
    const html = readFileSync((await htmlDownload.path())!, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Strategies compared: slow-backend');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http/);

    // The results (table and both charts) in view, the scenario's note above them.
    await page.getByTestId('compare-results').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await screenshot(page, 'compare-tab');

    await select.selectOption('__paste__');
    await page.getByTestId('compare-json').fill(JSON.stringify({ backends: [{ name: 'a' }], load: { mode: 'open', rate: 10, durationMs: 1000 }, strategies: ['fastest'], events: [{ at: 5, action: 'kill', backend: 'b' }] }));
    await page.getByTestId('compare-run').click();
    const error = page.getByTestId('compare-error');
    await error.waitFor();
    expect((await error.locator('li').allTextContents()).map((t) => t.trim())).toEqual([
      expect.stringMatching(/^strategies\[0\]: unknown strategy "fastest"/),
      'events[0].backend: no backend named "b"',
    ]);
    expect(pageErrors).toEqual([]);
  });
});
