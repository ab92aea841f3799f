/**
 * The theme choice is kept across a reload (issue 16 #10), and applied
 * before the first paint: the page's root element already carries it when
 * the <body> element is created, so a dark-theme user never sees a light
 * page first. Chromium against `lbw serve`.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, eventually, Stack, startWorkbench } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('the theme', () => {
  it('is remembered across a reload and applied before the body exists', async () => {
    const { page, pageErrors } = await startWorkbench(stack, { services: [] });
    // Before any script of the page: note the root's theme at the moment <body> is inserted (nothing paints before that).
    await page.addInitScript(() => {
      const w = window as unknown as { themeAtBody?: string | null };
      // The document may not have its root element yet when this runs: watch the whole document.
      new MutationObserver((_, observer) => {
        if (!document.body) return;
        w.themeAtBody = document.documentElement.dataset.theme ?? null;
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    const theme = page.getByLabel('Theme');
    const rootTheme = () => page.evaluate(() => document.documentElement.dataset.theme ?? null);
    const atBody = () => page.evaluate(() => (window as unknown as { themeAtBody?: string | null }).themeAtBody);

    await theme.selectOption('dark');
    await eventually(rootTheme).toBe('dark');
    await page.reload();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    expect(await atBody()).toBe('dark');
    expect(await theme.inputValue()).toBe('dark');
    expect(await rootTheme()).toBe('dark');

    // Back to System: the root carries no theme (prefers-color-scheme decides), after a reload too.
    await theme.selectOption('system');
    await eventually(rootTheme).toBe(null);
    await page.reload();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    expect(await atBody()).toBe(null);
    expect(await theme.inputValue()).toBe('system');
    expect(pageErrors).toEqual([]);
  });
});
