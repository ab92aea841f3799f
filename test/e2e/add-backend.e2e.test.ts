/**
 * Adding a backend through the UI: type its URL, click Add, and traffic sent
 * through the proxy reaches it; its row shows requests and a share. (The
 * README's screenshot comes from test/e2e/readme-screenshots.ts, at 1440×900.)
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  backendRow,
  backendsTable,
  E2E_TIMEOUT_MS,
  BUILD_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  readBackends,
  screenshot,
  serviceAddress,
  Stack,
  startBackend,
  startLoad,
  startWorkbench,
  trafficHits,
  UI_LAG_WAIT_MS,
  until,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('adding a backend in the UI', () => {
  it('sends traffic to the new backend and shows its requests and share', async () => {
    const alpha = await startBackend(stack, { name: 'alpha' });
    const beta = await startBackend(stack, { name: 'beta' });
    const fresh = await startBackend(stack, { name: 'gamma' });
    const { page, pageErrors } = await startWorkbench(stack, {
      name: 'e2e traffic',
      services: [
        {
          name: 'web',
          listen: '127.0.0.1:0',
          strategy: 'round-robin',
          backends: [
            { url: alpha.url, name: 'alpha' },
            { url: beta.url, name: 'beta' },
          ],
          healthCheck: { path: '/health', intervalMs: 200, timeoutMs: 1000, rise: 1, fall: 2 },
        },
      ],
    });
    const { port } = await serviceAddress(page, 'web');
    const rows = backendsTable(page, 'web').locator('tbody tr');
    await eventually(() => rows.count()).toBe(2);

    // Added before any traffic, so every request the test sends can be counted below.
    const freshName = `127.0.0.1:${fresh.port}`; // a backend's name defaults to host:port
    await page.getByLabel('Backend URL').fill(fresh.url);
    const add = page.getByRole('button', { name: 'Add backend' });
    await eventually(() => add.isEnabled()).toBe(true);
    await add.click();

    await backendRow(page, freshName).waitFor();
    await eventually(() => rows.count()).toBe(3);
    await eventually(() => page.getByLabel('Backend URL').inputValue()).toBe(''); // the form clears once the core accepted it
    await eventually(() => page.getByTestId(`health-${freshName}`).getAttribute('data-state')).toBe('healthy');

    // Traffic reaches it, and its row says so while traffic flows: requests per second and a share above zero.
    const load = startLoad(stack, port);
    await eventually(() => trafficHits(fresh)).toBeGreaterThan(0);
    const freshRow = async () => (await readBackends(page, 'web'))[freshName];
    await until(freshRow, (r) => r !== undefined && r.rps > 0 && r.share > 0, `the ${freshName} row shows Req/s and share above 0`, UI_LAG_WAIT_MS);
    // Round robin over three: the new one settles near a third of the window.
    await until(freshRow, (r) => r !== undefined && r.share >= 25, `the ${freshName} row shows a share near a third`, UI_LAG_WAIT_MS);
    await eventually(() => page.getByTestId('chart-rps').locator('.recharts-area').count(), UI_LAG_WAIT_MS).toBeGreaterThanOrEqual(3);
    // A few seconds of traffic on the charts for the picture (pacing, not an assertion).
    await until(async () => load.sent(), (n) => n >= 150, 'enough traffic for the picture', UI_LAG_WAIT_MS);
    await screenshot(page, 'main-with-traffic');

    await load.stop();
    expect(load.sent()).toBeGreaterThan(0);
    expect(load.statuses()).toEqual({ 200: load.sent() });
    // Every request was answered by one of the three, the new one included.
    expect(trafficHits(alpha) + trafficHits(beta) + trafficHits(fresh)).toBe(load.sent());
    expect(trafficHits(fresh)).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
