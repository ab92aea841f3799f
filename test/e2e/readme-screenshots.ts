/**
 * Retakes the README's screenshots of the main view, the demo under a fault
 * and a drill report, from the current UI at 1440×900 against `lbw serve`'s
 * demo workspace: `npx tsx test/e2e/readme-screenshots.ts`. Not a test (its
 * name has no .test.), so `npm test` never runs it; it uses the e2e harness
 * for the server and Chromium, stops what it started by pid, and writes
 * docs/screenshot.png, docs/demo.png, docs/drill.png and docs/compare.png.
 * (Tests write their screenshots only to test/e2e/__screenshots__, so a test
 * run never changes a tracked file.)
 */
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_PATH, ensureRendererBuilt, invokeCore, ROOT, Stack, startServe } from './harness';
import { waitFor } from '../helpers/wait';

const VIEWPORT = { width: 1440, height: 900 };
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DOCS = join(ROOT, 'docs');

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(DOCS, name), animations: 'disabled', timeout: 60_000 });
  console.log(`wrote docs/${name}`);
}

async function main(): Promise<void> {
  const stack = new Stack();
  try {
    await ensureRendererBuilt();
    const serve = await startServe(stack, null);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 60_000 });
    stack.defer('close chromium', () => browser.close());
    const page = await (await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' })).newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(serve.url, { waitUntil: 'load' });
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    for (const n of ['alpha', 'bravo', 'charlie']) await page.locator(`[data-testid="health-${n}"][data-state="healthy"]`).waitFor();

    // The main view with traffic: load from the Load tab (the form's 50 req/s) for two minutes, back on Traffic.
    await page.getByTestId('tab-load').click();
    await page.locator('#load-duration').fill('120');
    await page.getByTestId('load-start').click();
    await page.getByTestId('tab-traffic').click();
    await page.waitForTimeout(12_000); // the charts fill: a picture, not a measurement
    await shot(page, 'screenshot.png');

    // The demo under a latency fault on charlie: the latency chart and the share shift.
    const fault = await invokeCore(serve, 'faults:set', { service: 'demo', backend: 'charlie', faults: [{ type: 'latency', ms: 300 }] });
    if (!fault.ok) throw new Error(fault.error.message);
    await page.waitForTimeout(10_000);
    await shot(page, 'demo.png');
    await invokeCore(serve, 'faults:clear', {});
    await invokeCore(serve, 'load:stop', {});
    await waitFor(async () => {
      const s = await invokeCore(serve, 'load:status', {});
      return s.ok && s.value.state === 'idle';
    }, { timeoutMs: 20_000, message: 'load stopped' });

    // A drill report: the sample drill (25 s), run from the Drills tab, its report in view.
    await page.getByTestId('tab-drills').click();
    await page.getByRole('button', { name: 'Add sample drill' }).click();
    await page.locator('[data-testid^="drill-run-"]').first().click();
    await page.getByTestId('drill-report').waitFor({ timeout: 90_000 });
    await page.getByTestId('drill-report').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
    await shot(page, 'drill.png');

    // The Compare tab: the slow-backend scenario simulated, its table and both charts in view.
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('compare-scenario').locator('option[value="slow-backend"]').waitFor({ state: 'attached' });
    await page.getByTestId('compare-run').click();
    await page.getByTestId('compare-row').nth(3).waitFor();
    await page.getByTestId('compare-results').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await page.waitForTimeout(500);
    await shot(page, 'compare.png');
  } finally {
    await stack.unwind();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
