/**
 * A bad URL in the add-backend field: an inline error under the field, Add
 * stays disabled, and nothing is added, neither in the list the page shows
 * nor in the core (read back over the WebSocket and by a second page load).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  backendRow,
  backendsTable,
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  invokeCore,
  screenshot,
  serviceAddress,
  Stack,
  startBackend,
  startWorkbench,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('a bad backend URL', () => {
  it('is flagged inline, cannot be added, and changes nothing in the core', async () => {
    const only = await startBackend(stack, { name: 'only' });
    const { page, serve, pageErrors } = await startWorkbench(stack, {
      services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: only.url, name: 'only' }] }],
    });
    await serviceAddress(page, 'web');
    const rows = backendsTable(page, 'web').locator('tbody tr');
    await eventually(() => rows.count()).toBe(1);

    const field = page.getByLabel('Backend URL');
    const error = page.getByTestId('backend-url-error');
    const add = page.getByRole('button', { name: 'Add backend' });
    expect(await add.isDisabled()).toBe(true); // empty field
    expect(await error.textContent()).toBe('');

    const cases: Array<[string, RegExp]> = [
      ['http://', /must be a URL such as http:\/\/127\.0\.0\.1:3001/],
      ['ftp://127.0.0.1:21', /must be an http\(s\) URL/],
      ['tcp://127.0.0.1:5432', /must be an http\(s\) URL/], // a tcp backend in an http service
      ['not a url', /must be a URL such as http:\/\/127\.0\.0\.1:3001/],
    ];
    for (const [typed, message] of cases) {
      await field.fill(typed);
      await eventually(() => error.textContent()).toMatch(message);
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await add.isDisabled()).toBe(true);
    }
    await screenshot(page, 'bad-url-error');

    // Enter submits the form; with the URL invalid it must not send anything.
    await field.press('Enter');
    expect(await field.inputValue()).toBe('not a url'); // an accepted add clears the field
    expect(await error.textContent()).toMatch(/must be a URL/);
    expect(await page.getByTestId('add-backend-error').count()).toBe(0); // nothing came back from the core either

    // The core still has exactly the one backend...
    const listed = await invokeCore(serve, 'services:list', {});
    if (!listed.ok) throw new Error(`services:list failed: ${listed.error.message}`);
    expect(listed.value.map((s) => [s.name, s.backends.map((b) => b.url)])).toEqual([['web', [only.url]]]);
    // ...and so does a fresh page, which reads it from the core.
    const second = await page.context().newPage();
    await second.goto(serve.url);
    await second.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await backendRow(second, 'only').waitFor();
    expect(await backendsTable(second, 'web').locator('tbody tr').count()).toBe(1);
    await second.close();
    expect(await rows.count()).toBe(1);

    // Corrected, the error goes and Add is enabled again.
    await field.fill('http://127.0.0.1:3001');
    await eventually(() => error.textContent()).toBe('');
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    await eventually(() => add.isEnabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
