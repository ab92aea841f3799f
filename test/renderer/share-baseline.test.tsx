// @vitest-environment jsdom
/**
 * The share column's baseline says what it is, per strategy (issue 16 #13):
 * round robin against an even split, weighted strategies against the split
 * by weight, and no fixed figure at all for strategies that follow load
 * (least connections, power of two), latency (peak EWMA) or a key (ring
 * hash, maglev): there "33% / 25%" would read as a fault. The charts'
 * share caption says the same.
 */
import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendView, FakeBridge, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

// Only the table and the captions are read; drawing the charts would only slow the test.
vi.mock('../../renderer/charts/TimeSeriesCharts', () => ({ RpsChart: () => null, LatencyChart: () => null, StatusChart: () => null, BytesChart: () => null }));
vi.mock('../../renderer/charts/DistributionChart', () => ({ DistributionChart: () => null }));

afterEach(cleanup);

async function shareColumn(strategy: string) {
  const bridge = new FakeBridge([
    serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a', weight: 1 }), backendView('http://127.0.0.1:3002', { name: 'b', weight: 3 })], { strategy }),
  ]);
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  act(() => app.store.getState().ingestSnapshot(snapshot(1, bridge.services[0]!, { a: 1, b: 3 })));
  const table = screen.getByRole('table', { name: 'Backends of web' });
  const headers = within(table).getAllByRole('columnheader').map((th) => th.textContent?.trim() ?? '');
  const index = headers.findIndex((h) => h.startsWith('Share'));
  const header = within(table).getAllByRole('columnheader')[index]!;
  const cell = (name: string) => screen.getByTestId(`backend-row-${name}`).querySelectorAll('th, td')[index]!.textContent?.trim();
  const caption = (await screen.findByTestId('chart-distribution')).querySelector('figcaption')!.textContent;
  return { header: headers[index], title: header.getAttribute('title') ?? '', a: cell('a'), b: cell('b'), caption };
}

describe('the share column’s baseline', () => {
  it('round robin: against an even split', async () => {
    const c = await shareColumn('round-robin');
    expect(c.header).toBe('Share / even split');
    expect([c.a, c.b]).toEqual(['25% / 50%', '75% / 50%']);
    expect(c.caption).toContain('even split');
  });

  it('weighted round robin and random: against the split by weight', async () => {
    for (const strategy of ['weighted-round-robin', 'random']) {
      const c = await shareColumn(strategy);
      expect(c.header).toBe('Share / by weight');
      expect(c.title).toMatch(/weight/);
      expect(c.caption).toContain('by weight');
      cleanup();
    }
  });

  for (const [strategy, says] of [
    ['least-connections', 'follows load'],
    ['power-of-two', 'follows load'],
    ['peak-ewma', 'follows latency'],
    ['ring-hash', 'by key'],
    ['maglev', 'by key'],
  ] as const) {
    it(`${strategy}: the share alone, and why there is no fixed figure`, async () => {
      const c = await shareColumn(strategy);
      expect(c.header).toBe(`Share · ${says}`);
      expect(c.title).toMatch(/no fixed (expectation|share)/i);
      expect([c.a, c.b]).toEqual(['25%', '75%']);
      expect(c.caption).toContain(says);
      expect(c.caption).not.toContain('expected');
    });
  }
});
