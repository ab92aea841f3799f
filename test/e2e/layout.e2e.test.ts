/**
 * The main page of the demo workspace at the two window sizes people use
 * (1440×900 and a small laptop's 1024×700), with traffic flowing: every
 * row's actions (Faults, remove) are inside the viewport without scrolling
 * the table sideways, and each chart's last time label is drawn whole inside
 * its chart. Screenshots of both sizes go to __screenshots__/ (main-1440,
 * main-1024) for a person to look at.
 */
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  screenshot,
  serviceAddress,
  Stack,
  invokeCore,
  startWorkbench,
  UI_LAG_WAIT_MS,
  until,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS * 2, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

const DEMOS = ['alpha', 'bravo', 'charlie'] as const;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether `box` lies wholly inside `outer`, half a pixel of rounding allowed. */
function inside(box: Box | null, outer: Box): boolean {
  return box !== null && box.x >= outer.x - 0.5 && box.y >= outer.y - 0.5 && box.x + box.width <= outer.x + outer.width + 0.5 && box.y + box.height <= outer.y + outer.height + 0.5;
}

/** Each row's Faults and remove buttons: where they are, and whether the table scrolls sideways. */
async function rowActions(page: Page) {
  const viewport = page.viewportSize()!;
  const screen = { x: 0, y: 0, width: viewport.width, height: viewport.height };
  const out: Record<string, { faults: boolean; remove: boolean }> = {};
  for (const name of DEMOS) {
    const faults = page.getByTestId(`faults-button-${name}`);
    const remove = page.getByRole('button', { name: `Remove ${name}`, exact: true });
    out[name] = { faults: inside(await faults.boundingBox(), screen), remove: inside(await remove.boundingBox(), screen) };
  }
  const scroll = await page.locator('.table-wrap').evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  // The top bar's right end (connection state, theme) stays on screen too.
  const topBar = {
    connection: inside(await page.getByTestId('connection-state').boundingBox(), screen),
    theme: inside(await page.getByLabel('Theme').boundingBox(), screen),
  };
  return { out, scrollsSideways: scroll.scrollWidth > scroll.clientWidth + 1, topBar };
}

/**
 * For each time-series chart: the room right of the plot area (grid) against
 * half the widest time label, since a label is centred on its tick and the
 * newest tick can sit at the plot's right edge; and whether the right-most
 * label drawn now lies inside the chart.
 */
async function timeLabelRoom(page: Page): Promise<Record<string, { room: number; halfLabel: number; lastInside: boolean }>> {
  return page.evaluate(() => {
    const out: Record<string, { room: number; halfLabel: number; lastInside: boolean }> = {};
    for (const id of ['chart-rps', 'chart-latency', 'chart-status']) {
      const fig = document.querySelector(`[data-testid="${id}"]`);
      // The chart's own surface (legend icons are small recharts-surface svgs too).
      const svg = fig?.querySelector('.recharts-wrapper > svg.recharts-surface');
      const grid = fig?.querySelector('.recharts-cartesian-grid');
      const labels = Array.from(fig?.querySelectorAll('.recharts-xAxis-tick-labels text') ?? []);
      if (!svg || !grid || labels.length === 0) {
        out[id] = { room: NaN, halfLabel: NaN, lastInside: false };
        continue;
      }
      const s = svg.getBoundingClientRect();
      const rights = labels.map((l) => l.getBoundingClientRect());
      const last = rights.reduce((a, b) => (b.right > a.right ? b : a));
      out[id] = {
        room: Math.round(s.right - grid.getBoundingClientRect().right),
        halfLabel: Math.round(Math.max(...rights.map((r) => r.width)) / 2),
        lastInside: last.left >= s.left - 0.5 && last.right <= s.right + 0.5,
      };
    }
    return out;
  });
}

/** "03:09:14" → seconds since midnight. */
function seconds(label: string): number {
  const [h, m, s] = label.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

describe('the main page of the demo workspace', () => {
  it('keeps every row’s actions on screen and the charts’ last time label whole at 1440×900 and 1024×700', async () => {
    const { page, pageErrors, serve } = await startWorkbench(stack, 'demo');
    await serviceAddress(page, 'demo');
    for (const name of DEMOS) await eventually(() => page.getByTestId(`health-${name}`).getAttribute('data-state')).toBe('healthy');
    // The core's own load generator, steady at 40 req/s, stopped with the workbench.
    const started = await invokeCore(serve, 'load:start', { spec: { mode: 'open', rate: 40, durationMs: 120_000 }, service: 'demo' });
    expect(started.ok).toBe(true);
    // Some 15 s of traffic in the charts, so the screenshots show a window with several time labels.
    await until(
      () => page.locator('[data-testid="chart-rps"] .recharts-xAxis-tick-labels text').allTextContents(),
      (labels) => labels.length >= 2 && seconds(labels.at(-1)!) - seconds(labels[0]!) >= 15,
      'the charts span 15 s or more',
      UI_LAG_WAIT_MS,
    );

    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await screenshot(page, `main-${width}`);
      const expectAll = Object.fromEntries(DEMOS.map((n) => [n, { faults: true, remove: true }]));
      // Layout follows the new size at once (boundingBox asks the page after it); soft, so both sizes report.
      expect.soft(await rowActions(page), `${width}×${height}`).toEqual({ out: expectAll, scrollsSideways: false, topBar: { connection: true, theme: true } });
      // The labels move with the window: each chart leaves room for a label on its newest tick.
      const room = await timeLabelRoom(page);
      for (const [chart, r] of Object.entries(room)) expect.soft({ chart, roomForHalfLabel: r.room >= r.halfLabel, lastInside: r.lastInside, r }).toMatchObject({ chart, roomForHalfLabel: true, lastInside: true });
    }
    expect(pageErrors).toEqual([]);
  });
});
