/**
 * Keyboard shortcuts in Chromium against `lbw serve` with the demo workspace,
 * driven by the keyboard alone: `?` lists them and Escape closes the list;
 * `a` goes to the add-backend URL field (and typing there adds a backend,
 * not shortcuts); `2` is the Load tab, `l` starts load as the tab is set and
 * `s` stops it; `h` heals a fault; `3` and `r` run a drill. What happened is
 * read back from the core.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backendRow, BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, eventually, invokeCore, Stack, startBackend, startWorkbench } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('keyboard shortcuts (browser mode)', () => {
  it('drives the main actions from the keyboard alone', async () => {
    const { page, serve, pageErrors } = await startWorkbench(stack, 'demo');
    await backendRow(page, 'alpha').waitFor();
    const state = async <T,>(name: Parameters<typeof invokeCore>[1]) => {
      const res = await invokeCore(serve, name, {});
      if (!res.ok) throw new Error(res.error.message);
      return res.value as T;
    };

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    // a: the URL field; what is typed there is a URL, not shortcuts.
    const extra = await startBackend(stack, { name: 'extra' });
    await page.keyboard.press('a');
    await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe('backend-url');
    await page.keyboard.type(extra.url);
    await page.keyboard.press('Enter');
    await eventually(async () => (await state<Array<{ backends: Array<{ url: string }> }>>('services:list'))[0]!.backends.some((b) => b.url === extra.url)).toBe(true);
    expect(await page.getByRole('dialog').count()).toBe(0); // the '?'-free URL opened nothing

    // 2, l, s: load from the Load tab's settings, then stopped. (Out of the URL field first, as a click elsewhere would.)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('2');
    await page.getByTestId('load-start').waitFor();
    await page.keyboard.press('l');
    await eventually(async () => (await state<{ state: string }>('load:status')).state).toBe('running');
    await page.keyboard.press('s');
    await eventually(async () => (await state<{ state: string }>('load:status')).state).toBe('idle');

    // h: every fault cleared.
    const set = await invokeCore(serve, 'faults:set', { service: 'demo', backend: 'alpha', faults: [{ type: 'latency', ms: 50 }] });
    expect(set.ok).toBe(true);
    await page.keyboard.press('h');
    await eventually(async () => (await state<Array<{ faults: unknown[] }>>('faults:list')).every((b) => b.faults.length === 0)).toBe(true);

    // 3, r: the service's first drill runs.
    const saved = await invokeCore(serve, 'drills:save', { drill: { name: 'quick', service: 'demo', durationMs: 1000 } });
    expect(saved.ok).toBe(true);
    await page.keyboard.press('3');
    await page.getByTestId('drill-run-quick').waitFor();
    await page.keyboard.press('r');
    await eventually(async () => {
      const events = await state<Array<{ type: string; drill?: string }>>('events:history');
      return events.some((e) => e.type === 'drill:started' && e.drill === 'quick');
    }).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
