/**
 * The failover lab on the demo workspace (`lbw serve` with no file): load
 * started from the Load tab, an error fault injected on one demo backend
 * from its faults editor, and the balancer taking it out (unhealthy or
 * ejected) while the other two take its share and the client keeps getting
 * answers; Heal all brings it back, healthy and taking traffic again.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import {
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  readBackends,
  screenshot,
  serviceAddress,
  Stack,
  startWorkbench,
  trace,
  UI_LAG_WAIT_MS,
  until,
  type BackendRowView,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS * 2, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

const DEMOS = ['alpha', 'bravo', 'charlie'] as const;
const VICTIM = 'bravo';

/** A count as the load strip shows it ("1 234", thin spaces between thousands). */
async function figure(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).locator('.figure-value').textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}

/** Out of rotation: its health badge says unhealthy, or passive health checking ejected it. */
async function takenOut(page: Page, name: string): Promise<boolean> {
  const health = await page.getByTestId(`health-${name}`).getAttribute('data-state');
  return health === 'unhealthy' || (await page.getByTestId(`ejected-${name}`).count()) > 0;
}

describe('the failover lab on the demo workspace', () => {
  it('takes a faulty demo backend out under load, shifts its traffic, and takes it back after Heal all', async () => {
    const { page, pageErrors } = await startWorkbench(stack, 'demo');
    // 127.0.0.1:8080, or a free port when 8080 is taken: the sidebar says which.
    const { port } = await serviceAddress(page, 'demo');
    trace(`demo service on ${port}`);
    await eventually(() => page.locator('.service-header strong').textContent()).toBe(`127.0.0.1:${port}`);
    for (const name of DEMOS) await eventually(() => page.getByTestId(`health-${name}`).getAttribute('data-state')).toBe('healthy');

    // Load from the Load tab: 50 req/s (the form's default) for two minutes.
    await page.getByTestId('tab-load').click();
    await page.locator('#load-duration').fill('120');
    await page.getByTestId('load-start').click();
    await page.getByTestId('load-progress').waitFor();
    await until(() => figure(page, 'load-ok'), (n) => n > 0, 'the load strip counts answers');
    await page.getByTestId('tab-traffic').click();

    // Every demo backend takes a share while all are healthy.
    await until(
      () => readBackends(page, 'demo'),
      (rows) => DEMOS.every((n) => (rows[n]?.share ?? 0) >= 20),
      'each demo backend takes about a third',
      UI_LAG_WAIT_MS,
    );

    // Break one from its faults editor: error 503 on every request and health check.
    await page.getByTestId(`faults-button-${VICTIM}`).click();
    const editor = page.getByTestId('faults-editor');
    await editor.getByRole('button', { name: '+ Add fault' }).click();
    await expect.poll(() => editor.getByLabel('Type').inputValue()).toBe('error');
    expect(await editor.getByLabel('Status').inputValue()).toBe('503');
    expect(await editor.getByLabel('Applies to').inputValue()).toBe('100');
    await editor.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => editor.getByRole('status').textContent()).toBe('Applied 1 fault.');
    await page.getByTestId(`fault-badge-${VICTIM}`).waitFor();
    trace(`fault applied on ${VICTIM}`);

    await eventually(() => takenOut(page, VICTIM), UI_LAG_WAIT_MS).toBe(true);
    const okWhileOut = await figure(page, 'load-ok');
    // Its share falls to about nothing over the share window; the other two take it over.
    const shifted = await until(
      () => readBackends(page, 'demo'),
      (rows) => (rows[VICTIM]?.share ?? 100) <= 2 && rows.alpha!.share >= 40 && rows.charlie!.share >= 40,
      `${VICTIM}'s share falls to about 0 and the others' rise to about half`,
      UI_LAG_WAIT_MS,
    );
    trace(`shifted: ${JSON.stringify(shares(shifted))}`);
    // The client keeps being answered meanwhile.
    await until(() => figure(page, 'load-ok'), (n) => n > okWhileOut + 50, 'the load strip keeps counting answers');
    await screenshot(page, 'failover-backend-out');

    // Heal all: back in rotation, healthy, and taking traffic again.
    await page.getByTestId('heal-all').click();
    await eventually(() => page.getByTestId(`fault-badge-${VICTIM}`).count()).toBe(0);
    await eventually(() => page.getByTestId(`health-${VICTIM}`).getAttribute('data-state'), UI_LAG_WAIT_MS).toBe('healthy');
    await eventually(() => page.getByTestId(`ejected-${VICTIM}`).count(), UI_LAG_WAIT_MS).toBe(0);
    const healed = await until(
      () => readBackends(page, 'demo'),
      (rows) => (rows[VICTIM]?.share ?? 0) >= 15 && (rows[VICTIM]?.rps ?? 0) > 0,
      `${VICTIM} takes a share of the traffic again`,
      UI_LAG_WAIT_MS,
    );
    trace(`healed: ${JSON.stringify(shares(healed))}`);
    await screenshot(page, 'failover-healed');

    // Stop the run from the Load tab; the strip goes away with it.
    await page.getByTestId('tab-load').click();
    await page.getByTestId('load-stop').click();
    await page.getByTestId('load-summary').waitFor();
    await eventually(() => page.getByTestId('load-progress').count()).toBe(0);
    expect(await figureIn(page, 'OK')).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});

function shares(rows: Record<string, BackendRowView>): Record<string, number> {
  return Object.fromEntries(Object.entries(rows).map(([n, r]) => [n, r.share]));
}

/** A figure of the last run's summary, by its label ("OK" → the count after it). */
async function figureIn(page: Page, label: string): Promise<number> {
  const summary = page.getByTestId('load-summary');
  const text = (await summary.locator('dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}
