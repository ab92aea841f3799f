// @vitest-environment jsdom
/**
 * What redraws on a tick: the charts when their rows changed (and not for
 * state they do not show), never on a hidden tab; the backends table's
 * figures but not its inputs. Charts and the weight input are wrapped to
 * count their renders. Plus the pacing of chart redraws.
 */
import { act, cleanup, fireEvent, renderHook, screen, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { usePaced } from '../../renderer/charts/paced';
import { backendView, FakeBridge, loadProgress, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

const renders = vi.hoisted(() => ({ AreaChart: 0, LineChart: 0, BarChart: 0, CommitInput: 0 }));

vi.mock('recharts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('recharts')>();
  const counted = <P extends object>(name: 'AreaChart' | 'LineChart' | 'BarChart', C: (props: P) => unknown) =>
    function Counted(props: P) {
      renders[name]++;
      return createElement(C as never, props);
    };
  return {
    ...actual,
    AreaChart: counted('AreaChart', actual.AreaChart as never),
    LineChart: counted('LineChart', actual.LineChart as never),
    BarChart: counted('BarChart', actual.BarChart as never),
  };
});

vi.mock('../../renderer/components/CommitInput', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../renderer/components/CommitInput')>();
  return {
    ...actual,
    CommitInput(props: Parameters<typeof actual.CommitInput>[0]) {
      renders.CommitInput++;
      return createElement(actual.CommitInput, props);
    },
  };
});

const chartDraws = () => renders.AreaChart + renders.LineChart + renders.BarChart;

function reset() {
  for (const k of Object.keys(renders) as (keyof typeof renders)[]) renders[k] = 0;
}

beforeEach(reset);
afterEach(cleanup);

async function renderWeb() {
  const bridge = new FakeBridge([
    serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })]),
    serviceView('api', [backendView('http://127.0.0.1:4001', { name: 'x' })], { listen: '127.0.0.1:8081', address: '127.0.0.1:8081' }),
  ]);
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  // One tick of both services.
  const tick = (t: number, rps: Record<string, number> = { a: t, b: 1 }) => {
    const snap = snapshot(t, bridge.services[0]!, rps);
    snap.services.push(snapshot(t, bridge.services[1]!).services[0]!);
    act(() => app.store.getState().ingestSnapshot(snap));
  };
  return { ...app, bridge, tick };
}

describe('chart redraws', () => {
  it('redraw on a new tick, and not for an event of another service, the theme or load progress', async () => {
    const { store, tick } = await renderWeb();
    tick(1);
    await screen.findByTestId('chart-rps');
    await waitFor(() => expect(renders.AreaChart).toBeGreaterThan(0));
    reset();

    act(() => {
      store.getState().logEvent({ type: 'health:changed', at: Date.now(), service: 'api', backend: 'x', backendId: 'b0', from: 'healthy', to: 'unhealthy', cause: 'x' });
      store.getState().setTheme('dark');
      store.getState().setDirty(true);
      store.getState().ingestLoadProgress(loadProgress(500));
    });
    expect(screen.getByTestId('load-progress')).toBeTruthy();
    expect(chartDraws()).toBe(0);

    tick(2);
    // All four: requests, latency, status (areas and lines) and the share of requests (bars).
    // (Paced: after the first draw, the next waits three times what that one took.)
    await waitFor(() => expect([renders.AreaChart, renders.LineChart, renders.BarChart]).toEqual([2, 1, 1]), { timeout: 10_000 });
  });

  it('draws no chart while another tab shows', async () => {
    const { tick } = await renderWeb();
    tick(1);
    await screen.findByTestId('chart-rps');
    fireEvent.click(screen.getByRole('tab', { name: /^Load/ }));
    reset();
    for (let t = 2; t <= 5; t++) tick(t);
    await new Promise((r) => setTimeout(r, 50));
    expect(chartDraws()).toBe(0);
    expect(screen.queryByTestId('chart-rps')).toBeNull();

    fireEvent.click(screen.getByRole('tab', { name: /^Traffic/ }));
    await screen.findByTestId('chart-rps');
    expect(chartDraws()).toBeGreaterThan(0);
  });
});

describe('backends table on a tick', () => {
  it('updates the figures without re-rendering the rows’ inputs', async () => {
    const { tick } = await renderWeb();
    tick(1, { a: 4, b: 1 });
    await waitFor(() => expect(screen.getByTestId('backend-row-a').textContent).toContain('4.0'));
    const before = renders.CommitInput;
    tick(2, { a: 7, b: 1 });
    expect(screen.getByTestId('backend-row-a').textContent).toContain('7.0');
    expect(renders.CommitInput).toBe(before);
  });
});

describe('usePaced', () => {
  it('shows the first value at once and then the newest, skipping those that came while it waited', async () => {
    // A small share makes the pause after each change long (49 times what the change took).
    const seen: number[] = [];
    const { rerender, result } = renderHook(({ v }) => {
      const shown = usePaced(v, 0.02);
      if (seen.at(-1) !== shown) seen.push(shown);
      return shown;
    }, { initialProps: { v: 1 } });
    expect(result.current).toBe(1);
    rerender({ v: 2 });
    await waitFor(() => expect(result.current).toBe(2));
    for (let v = 3; v <= 6; v++) rerender({ v });
    await waitFor(() => expect(result.current).toBe(6), { timeout: 5000 });
    expect(seen).toEqual([1, 2, 6]);
  });
});
