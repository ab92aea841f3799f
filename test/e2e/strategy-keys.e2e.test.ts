/**
 * The Strategy select driven from the keyboard in Chromium (issue 16 #11):
 * arrowing through the list only moves a draft (the select shows it, with a
 * hint), Enter applies it with exactly one strategy:set, Escape puts the
 * applied strategy back, and leaving the field applies what it shows. A pick
 * that is not made with the arrow keys (the mouse, or Playwright's
 * selectOption, which fires the same change event) applies at once.
 * Counted as the WebSocket frames the page sends, and read back from the core.
 */
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, eventually, invokeCore, Stack, startBackend, startWorkbench, type ServeProcess } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

/** Every strategy:set the page sends from now on (the page is reloaded so its socket is watched from the start). */
async function watchStrategySets(page: Page): Promise<string[]> {
  const sent: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      if (typeof f.payload !== 'string') return;
      const msg = JSON.parse(f.payload) as { name?: string; input?: { strategy?: string } };
      if (msg.name === 'strategy:set') sent.push(msg.input?.strategy ?? '?');
    }),
  );
  await page.reload();
  await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
  return sent;
}

async function coreStrategy(serve: ServeProcess): Promise<string> {
  const r = await invokeCore(serve, 'services:list', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value[0]!.strategy;
}

describe('the Strategy select from the keyboard', () => {
  it('applies once on Enter after ArrowDown ×3, cancels on Escape, applies on leaving, and a pick at once', async () => {
    const one = await startBackend(stack, { name: 'one' });
    const { page, serve, pageErrors } = await startWorkbench(stack, {
      services: [{ name: 'api', listen: '127.0.0.1:0', strategy: 'round-robin', backends: [{ url: one.url, name: 'one' }] }],
    });
    const sent = await watchStrategySets(page);
    const select = page.getByLabel('Strategy', { exact: true });
    const options = await select.locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options[0]).toBe('round-robin');
    expect(options.length).toBeGreaterThanOrEqual(5);

    // ArrowDown ×3 moves a draft: nothing is sent, the select shows the draft and says how to apply it.
    await select.focus();
    for (let i = 0; i < 3; i++) await select.press('ArrowDown');
    expect(await select.inputValue()).toBe(options[3]);
    expect(sent).toEqual([]);
    expect(await coreStrategy(serve)).toBe('round-robin');
    expect(await page.getByTestId('strategy-draft-hint').textContent()).toMatch(/Enter to apply.*Esc/);

    // Enter applies it: exactly one strategy:set.
    await select.press('Enter');
    await eventually(() => coreStrategy(serve)).toBe(options[3]);
    expect(sent).toEqual([options[3]]);
    expect(await page.getByTestId('strategy-draft-hint').count()).toBe(0);

    // Escape after arrowing: back to the applied strategy, nothing sent.
    await select.press('ArrowDown');
    expect(await select.inputValue()).toBe(options[4]);
    await select.press('Escape');
    expect(await select.inputValue()).toBe(options[3]);
    expect(sent).toEqual([options[3]]);

    // Leaving the field applies what it shows (one more strategy:set).
    await select.press('ArrowUp');
    await select.press('Tab');
    await eventually(() => coreStrategy(serve)).toBe(options[2]);
    expect(sent).toEqual([options[3], options[2]]);

    // A pick (not the arrow keys) applies at once.
    await select.selectOption('round-robin');
    await eventually(() => coreStrategy(serve)).toBe('round-robin');
    expect(sent).toEqual([options[3], options[2], 'round-robin']);
    expect(pageErrors).toEqual([]);
  });
});
