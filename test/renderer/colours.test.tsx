// @vitest-environment jsdom
/**
 * A backend's chart colour belongs to the backend (issue 16 #5): removing
 * the second of three leaves the third its colour (the history is not
 * recoloured), and a reloaded page gives every backend the colour it had.
 * Read from the charts' legend, which names each backend next to its swatch.
 * Plus the assignment itself: distinct colours, demo colours avoided.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backendColours, COLOURS_STORAGE_KEY } from '../../renderer/charts/colours';
import { SERIES_COLORS } from '../../renderer/charts/palette';
import { backendView, FakeBridge, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

// The legend is what is read; drawing the charts themselves would only slow the test (their redraws are paced to their cost).
vi.mock('../../renderer/charts/TimeSeriesCharts', () => ({ RpsChart: () => null, LatencyChart: () => null, StatusChart: () => null, BytesChart: () => null }));
vi.mock('../../renderer/charts/DistributionChart', () => ({ DistributionChart: () => null }));

beforeEach(() => localStorage.clear());
afterEach(cleanup);

/** Backend name → its swatch's colour in the charts' legend. */
function legendColours(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of screen.getByLabelText('Legend').querySelectorAll('.legend-item')) {
    const swatch = item.querySelector<HTMLElement>('.swatch');
    if (swatch) out[item.textContent ?? ''] = swatch.style.background;
  }
  return out;
}

async function renderWith(bridge: FakeBridge, ticks: number[]) {
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  for (const t of ticks) {
    const rps = Object.fromEntries(bridge.services[0]!.backends.map((b) => [b.name, 5]));
    act(() => app.store.getState().ingestSnapshot(snapshot(t, bridge.services[0]!, rps)));
  }
  await screen.findByTestId('chart-rps');
  return app;
}

describe('chart colours', () => {
  it('stay with each backend when another is removed, and across a reload', async () => {
    const bridge = new FakeBridge([
      serviceView('web', [
        backendView('http://127.0.0.1:3001', { name: 'a' }),
        backendView('http://127.0.0.1:3002', { name: 'b' }),
        backendView('http://127.0.0.1:3003', { name: 'c' }),
      ]),
    ]);
    const first = await renderWith(bridge, [1, 2, 3]);
    const before = legendColours();
    expect(Object.keys(before)).toEqual(['a', 'b', 'c']);
    expect(new Set(Object.values(before)).size).toBe(3);

    // Remove the second; more ticks come without it (its history is still in the window).
    fireEvent.click(screen.getByRole('button', { name: 'Remove b' }));
    await waitFor(() => expect(screen.queryByTestId('backend-row-b')).toBeNull());
    const rps = { a: 5, c: 5 };
    act(() => first.store.getState().ingestSnapshot(snapshot(4, bridge.services[0]!, rps)));
    act(() => first.store.getState().ingestSnapshot(snapshot(5, bridge.services[0]!, rps)));
    // The legend lists the tick's backends first, then the departed one still in the window.
    // (Chart updates are paced to a share of the main thread: a generous wait.)
    await waitFor(() => expect(Object.keys(legendColours())).toEqual(['a', 'c', 'b']), { timeout: 15_000 });
    expect(legendColours()).toEqual(before);
    first.disconnect();
    cleanup();

    // A reload: a new store, a history that starts without b.
    await renderWith(bridge, [6, 7]);
    expect(legendColours()).toEqual({ a: before.a, c: before.c });
  });
});

describe('backendColours', () => {
  const memory = () => {
    const data = new Map<string, string>();
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
  };

  it('gives distinct palette colours, the same ones again for the same names, whatever the order or company', () => {
    const storage = memory();
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    const colours = backendColours('web', names, [], storage);
    expect(new Set(colours).size).toBe(names.length);
    for (const c of colours) expect(SERIES_COLORS).toContain(c);
    // Reversed, and with some gone: each keeps its own.
    const again = backendColours('web', ['zeta', 'gamma', 'alpha'], [], storage);
    expect(again).toEqual([colours[5], colours[2], colours[0]]);
    expect(storage.data.has(COLOURS_STORAGE_KEY)).toBe(true);
  });

  it('keeps a demo backend’s own colour and gives no other backend the same', () => {
    const storage = memory();
    const fixed = SERIES_COLORS.slice(0, 9);
    const names = [...fixed.map((_, i) => `demo${i}`), 'mine'];
    const colours = backendColours('web', names, fixed, storage);
    expect(colours.slice(0, 9)).toEqual(fixed);
    expect(colours[9]).toBe(SERIES_COLORS[9]);
  });

  it('works without storage (a page where it is disabled)', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    const colours = backendColours('web', ['a', 'b'], [], broken);
    expect(new Set(colours).size).toBe(2);
  });
});
