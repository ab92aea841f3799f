/**
 * A backend process that stops: its health badge turns unhealthy and the
 * transition is in the event log; started again on the same port, it comes
 * back healthy (and that is logged too). Traffic keeps being answered by the
 * other backend meanwhile.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHttpBackend } from '../helpers/backends';
import {
  backendsTable,
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventRows,
  eventually,
  screenshot,
  sequentialRequests,
  serviceAddress,
  Stack,
  startBackend,
  startWorkbench,
  trafficHits,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());


function hasTransition(rows: string[][], backend: string, from: string, to: string): boolean {
  return rows.some(([, type, service, name, cause]) => type === 'health changed' && service === 'web' && name === backend && cause!.startsWith(`${from} → ${to}`));
}

describe('a backend that stops and starts again', () => {
  it('shows it unhealthy, logs it, and shows it healthy again after a restart', async () => {
    const steady = await startBackend(stack, { name: 'steady' });
    let flaky = await startBackend(stack, { name: 'flaky' });
    const { page, pageErrors } = await startWorkbench(stack, {
      services: [
        {
          name: 'web',
          listen: '127.0.0.1:0',
          backends: [
            { url: steady.url, name: 'steady' },
            { url: flaky.url, name: 'flaky' },
          ],
          // Fast checks; the generous timeout keeps a slow machine from failing a live backend.
          healthCheck: { path: '/health', intervalMs: 200, timeoutMs: 2000, rise: 1, fall: 2 },
        },
      ],
    });
    const { port } = await serviceAddress(page, 'web');
    const badge = page.getByTestId('health-flaky');
    await eventually(() => page.getByTestId('health-steady').getAttribute('data-state')).toBe('healthy');
    await eventually(() => badge.getAttribute('data-state')).toBe('healthy');
    // (The log shows events pushed since the page connected; the first checks may have passed before that.)
    expect(hasTransition(await eventRows(page), 'flaky', 'healthy', 'unhealthy')).toBe(false);

    // The process goes away (listening socket and open connections).
    await flaky.close();
    await eventually(() => badge.getAttribute('data-state')).toBe('unhealthy');
    expect(await badge.textContent()).toBe('unhealthy');
    expect(await badge.getAttribute('title')).toMatch(/^Last check failed/);
    await eventually(async () => hasTransition(await eventRows(page), 'flaky', 'healthy', 'unhealthy')).toBe(true);
    await screenshot(page, 'backend-unhealthy');
    await page.getByTestId('event-log').scrollIntoViewIfNeeded();
    await screenshot(page, 'backend-unhealthy-event-log');
    await backendsTable(page, 'web').scrollIntoViewIfNeeded();

    // While it is down every request is still answered, by the other one.
    const steadyBefore = trafficHits(steady);
    const down = await sequentialRequests(port, 20);
    expect(down.statuses).toEqual({ 200: 20 });
    expect(down.byBackend).toEqual({ steady: 20 });
    expect(trafficHits(steady) - steadyBefore).toBe(20);

    // Started again where it was, it recovers (rise 1: one passing check).
    flaky = await startHttpBackend({ name: 'flaky', port: flaky.port });
    const restarted = flaky;
    stack.defer('close restarted backend flaky', () => restarted.close());
    await eventually(() => badge.getAttribute('data-state')).toBe('healthy');
    await eventually(async () => hasTransition(await eventRows(page), 'flaky', 'unhealthy', 'healthy')).toBe(true);
    expect(await page.getByTestId('health-steady').getAttribute('data-state')).toBe('healthy');

    const up = await sequentialRequests(port, 20);
    expect(up.statuses).toEqual({ 200: 20 });
    expect(up.byBackend.flaky).toBeGreaterThan(0);
    await page.getByTestId('event-log').scrollIntoViewIfNeeded();
    await screenshot(page, 'backend-recovered-event-log');
    expect(pageErrors).toEqual([]);
  });
});
