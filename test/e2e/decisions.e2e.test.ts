/**
 * The strategy lab in Chromium against lbw serve, with real traffic: the
 * Decisions tab shows weighted round robin's reasons (the current-weight
 * table), the next picks, and a retry after a refused backend; the access
 * log shows that request's two attempts, filters and pauses; a ring-hash
 * service draws its key space and, after a 4th backend joins, the share of
 * keys that moved next to the ideal 25%. Screenshots of both.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { closedPort } from '../helpers/backends';
import {
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  invokeCore,
  screenshot,
  sequentialRequests,
  serviceAddress,
  Stack,
  startBackend,
  startWorkbench,
  UI_LAG_WAIT_MS,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

describe('the Decisions tab', () => {
  it('explains weighted round robin picks, previews the next ones, and logs a retried request', async () => {
    const big = await startBackend(stack, { name: 'big' });
    const small = await startBackend(stack, { name: 'small' });
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const { page, pageErrors } = await startWorkbench(stack, {
      services: [
        {
          name: 'api',
          listen: '127.0.0.1:0',
          strategy: 'weighted-round-robin',
          backends: [
            { url: big.url, name: 'big', weight: 5 },
            { url: small.url, name: 'small', weight: 1 },
            { url: dead, name: 'dead', weight: 1 },
          ],
        },
      ],
    });
    const { port } = await serviceAddress(page, 'api');
    await page.getByTestId('tab-decisions').click();
    const view = page.getByTestId('decisions-view');
    await view.waitFor();

    // The preview: 12 picks of the 5:1:1 rotation (big, small and dead, in nginx's smooth order).
    const picks = page.getByTestId('next-picks').locator('.pick');
    await eventually(() => picks.count()).toBe(12);
    // Nothing was picked yet: nginx's sequence from the start, a a b a c a a, then again.
    expect((await picks.allTextContents()).join(' ')).toBe('big big small big dead big big big big small big dead');

    // Real traffic: dead is picked about once in 7, and each time the retry goes on to big or small.
    const sent = await sequentialRequests(port, 14);
    expect(sent.statuses).toEqual({ 200: 14 });

    const rows = view.getByTestId('decision-row');
    await eventually(() => rows.count(), UI_LAG_WAIT_MS).toBeGreaterThanOrEqual(14);
    const reasons = await view.getByTestId('decision-reason').allTextContents();
    expect(reasons.some((r) => r.startsWith('current weight + weight:'))).toBe(true);
    await expect.poll(() => view.getByText(/retry after dead: refused/).count(), { timeout: UI_LAG_WAIT_MS }).toBeGreaterThanOrEqual(1);
    // The selected (newest) decision's table: a row per backend with before, + weight and after.
    const table = view.getByTestId('reason-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);

    // The access log: the retried requests list dead refused first, then the backend that answered.
    const log = page.getByTestId('access-log');
    const accessRows = log.getByTestId('access-row');
    await eventually(() => accessRows.count(), UI_LAG_WAIT_MS).toBe(14);
    const attempts = await log.getByTestId('access-attempts').allTextContents();
    const retried = attempts.filter((a) => a.includes('→'));
    expect(retried.length).toBeGreaterThanOrEqual(1);
    for (const a of retried) expect(a).toMatch(/^dead refused [\d.]+ ms → (big|small) ok [\d.]+ ms$/);

    // Filtered by backend: only the requests that touched dead.
    await log.getByTestId('access-filter-backend').selectOption('dead');
    await eventually(() => accessRows.count()).toBe(retried.length);
    await log.getByTestId('access-filter-backend').selectOption('');
    await log.getByTestId('access-filter-status').fill('5xx');
    await eventually(() => accessRows.count()).toBe(0);
    await log.getByTestId('access-filter-status').fill('');

    // Paused, new requests do not come in; resumed, the next ones do.
    await log.getByTestId('access-pause').click();
    expect((await sequentialRequests(port, 3)).statuses).toEqual({ 200: 3 });
    await expect.poll(() => log.getByTestId('access-pause').textContent(), { timeout: UI_LAG_WAIT_MS }).toMatch(/Resume \(3 missed\)/);
    expect(await accessRows.count()).toBe(14);
    await log.getByTestId('access-pause').click();
    expect((await sequentialRequests(port, 2)).statuses).toEqual({ 200: 2 });
    await eventually(() => accessRows.count(), UI_LAG_WAIT_MS).toBe(16);

    await screenshot(page, 'decisions');
    expect(pageErrors).toEqual([]);
  });

  it('draws a ring-hash key space and the share of keys a 4th backend moved, next to the ideal', async () => {
    const bs = await Promise.all(['k1', 'k2', 'k3', 'k4'].map((name) => startBackend(stack, { name })));
    const { page, pageErrors, serve } = await startWorkbench(stack, {
      services: [{ name: 'sticky', listen: '127.0.0.1:0', strategy: 'ring-hash', backends: bs.slice(0, 3).map((b) => ({ url: b.url, name: b.name })) }],
    });
    const { port } = await serviceAddress(page, 'sticky');
    await page.getByTestId('tab-decisions').click();
    const keyspace = page.getByTestId('keyspace-view');
    await keyspace.getByTestId('keyspace-ring').waitFor();
    await eventually(() => keyspace.getByTestId('keyspace-share').count()).toBe(3);

    const added = await invokeCore(serve, 'backends:add', { service: 'sticky', backend: { url: bs[3]!.url, name: 'k4' } });
    expect(added.ok).toBe(true);
    await eventually(() => keyspace.getByTestId('keyspace-share').count(), UI_LAG_WAIT_MS).toBe(4);
    const moved = (await keyspace.getByTestId('keys-moved').textContent()) ?? '';
    const [, measured, ideal] = /(\d+\.\d)% of 10,000 sampled keys moved; the least possible is (\d+\.\d)%/.exec(moved) ?? [];
    expect(Number(ideal)).toBe(25);
    // 160 points per backend: within 3 points of the ideal (the unit test's tolerance).
    expect(Math.abs(Number(measured) - 25)).toBeLessThan(3);

    // A hashed request's reason names its key (the client address), hash and owner.
    expect((await sequentialRequests(port, 3)).statuses).toEqual({ 200: 3 });
    await expect.poll(() => page.getByTestId('decision-reason').first().textContent(), { timeout: UI_LAG_WAIT_MS }).toMatch(/^key 127\.0\.0\.1 → hash [0-9a-f]{8} → ring → k\d/);

    await keyspace.scrollIntoViewIfNeeded();
    await screenshot(page, 'keyspace');
    expect(pageErrors).toEqual([]);
  });
});
