/**
 * Changing the strategy in the UI changes the distribution: two backends
 * weighted 1 and 3 split evenly under round robin, and exactly 1:3 once the
 * select says weighted round robin (smooth WRR repeats every 4 picks, so 200
 * sequential requests are 50 cycles). Counted at the backends, and seen in
 * the rows' share column.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  readBackends,
  screenshot,
  sequentialRequests,
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

function near(value: number | undefined, target: number, tolerance: number): boolean {
  return value !== undefined && Math.abs(value - target) <= tolerance;
}

describe('changing the strategy in the UI', () => {
  it('moves two backends weighted 1 and 3 from an even split to exactly 25/75', async () => {
    const one = await startBackend(stack, { name: 'one' });
    const three = await startBackend(stack, { name: 'three' });
    // No active health check here: a check timing out on a loaded machine would
    // take a backend out for a moment and spoil the exact count.
    const { page, pageErrors } = await startWorkbench(stack, {
      services: [
        {
          name: 'api',
          listen: '127.0.0.1:0',
          strategy: 'round-robin',
          backends: [
            { url: one.url, name: 'one', weight: 1 },
            { url: three.url, name: 'three', weight: 3 },
          ],
        },
      ],
    });
    const { port } = await serviceAddress(page, 'api');
    const select = page.getByLabel('Strategy', { exact: true });
    expect(await select.inputValue()).toBe('round-robin');

    // Round robin ignores the weights.
    const rr = await sequentialRequests(port, 200);
    expect(rr.statuses).toEqual({ 200: 200 });
    expect(Math.abs(trafficHits(one) - 100)).toBeLessThanOrEqual(10);
    expect(Math.abs(trafficHits(three) - 100)).toBeLessThanOrEqual(10);
    expect(trafficHits(one) + trafficHits(three)).toBe(200);

    // ...and the rows say so while traffic flows.
    let load = startLoad(stack, port);
    let rows = await until(
      () => readBackends(page, 'api'),
      ({ one, three }) => near(one?.share, 50, 10) && near(three?.share, 50, 10),
      'both rows show a share near 50%',
      UI_LAG_WAIT_MS,
    );
    // What the strategy implies, next to it: round robin ignores the weights.
    expect([rows.one!.expected, rows.three!.expected]).toEqual([50, 50]);
    await load.stop();

    // Switch in the UI between the two runs, so each sees one strategy. The select is
    // controlled by the core's answer, so it shows the new strategy only once the core applied it.
    await select.selectOption('weighted-round-robin');
    await eventually(() => select.inputValue()).toBe('weighted-round-robin');
    await eventually(() => page.getByTestId('strategy-description').textContent()).toMatch(/as often as its weight/);

    const before = { one: trafficHits(one), three: trafficHits(three) };
    const wrr = await sequentialRequests(port, 200);
    expect(wrr.statuses).toEqual({ 200: 200 });
    expect(trafficHits(one) - before.one).toBe(50);
    expect(trafficHits(three) - before.three).toBe(150);
    expect(wrr.byBackend).toEqual({ one: 50, three: 150 });

    // The share column follows: about a quarter and three quarters over the window.
    load = startLoad(stack, port);
    rows = await until(
      () => readBackends(page, 'api'),
      ({ one, three }) => near(one?.share, 25, 5) && near(three?.share, 75, 5),
      'the rows show shares near 25% and 75%',
      UI_LAG_WAIT_MS,
    );
    expect([rows.one!.expected, rows.three!.expected]).toEqual([25, 75]);
    await screenshot(page, 'weighted-round-robin');
    await load.stop();

    expect(await select.inputValue()).toBe('weighted-round-robin');
    expect(pageErrors).toEqual([]);
  });
});
