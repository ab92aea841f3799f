/**
 * A tab left open while `lbw serve` stops and a new run starts on the same
 * address (with a new token): the page must say that the workbench
 * restarted and which address to open, mark what it still shows as stale,
 * and stop saying "Reconnecting…". Real processes: the first serve is
 * stopped by its pid, the second started on the port the first had.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../helpers/wait';
import { BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, eventually, screenshot, Stack, startBackend, startServe, startWorkbench, writeWorkspace } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a tab left open across a restart of lbw serve', () => {
  it('says the workbench restarted, names the address to open, and marks the live data stale', async () => {
    const alpha = await startBackend(stack, { name: 'alpha' });
    const workspace = {
      services: [{ name: 'web', listen: '127.0.0.1:0', healthCheck: { path: '/health', intervalMs: 200, timeoutMs: 2000, rise: 1, fall: 2 }, backends: [{ url: alpha.url, name: 'alpha' }] }],
    };
    const { serve, page, pageErrors } = await startWorkbench(stack, workspace);
    await eventually(() => page.getByTestId('health-alpha').getAttribute('data-state')).toBe('healthy');

    // Stop the first run (by its pid) and wait until it is gone.
    process.kill(serve.pid, 'SIGTERM');
    await waitFor(() => !alive(serve.pid), { timeoutMs: 20_000, intervalMs: 50, message: 'the first lbw serve exits' });
    await eventually(() => page.getByTestId('connection-state').textContent()).not.toBe('connected');

    // A new run on the same port: a new token the tab does not have.
    const again = await startServe(stack, writeWorkspace(stack, workspace), { port: serve.port });
    expect(again.port).toBe(serve.port);
    expect(again.token).not.toBe(serve.token);

    const notice = page.getByTestId('restarted-notice');
    await notice.waitFor({ timeout: 30_000 });
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('The workbench restarted');
    expect(text).toContain(`http://127.0.0.1:${serve.port}/#token=…`);
    // The connection banner no longer promises a reconnect that cannot happen.
    expect(await page.getByText('Reconnecting…').count()).toBe(0);
    // What the page still shows is from the old run: marked stale, not live.
    expect(await page.locator('.layout').getAttribute('data-stale')).toBe('true');
    expect(await page.getByTestId('connection-state').textContent()).toBe('stale');
    // The tab forgot the refused token, so a reload asks for the printed URL rather than failing again.
    expect(await page.evaluate(() => sessionStorage.getItem('lbw.token'))).toBeNull();

    await screenshot(page, 'restarted-notice');

    // Opening the printed address in this tab connects to the new run.
    await page.goto(again.url);
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    expect(await page.getByTestId('restarted-notice').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
