// @vitest-environment jsdom
/**
 * The Decisions tab against the fake bridge: the per-tick 'lab' push fills
 * the decisions and the access log (bounded, pausable, filtered), the
 * preview comes from strategy:preview, and debug headers go through
 * services:update.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRecord, Decision, LabBatch } from '../../core/contract';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const decision = (attempt: number, backend: string, extra: Partial<Decision> = {}): Decision => ({
  at: 1_700_000_000_000,
  service: 'web',
  strategy: 'weighted-round-robin',
  method: 'GET',
  path: '/x',
  attempt,
  backend,
  backups: false,
  reason: {
    kind: 'weighted-round-robin',
    total: 6,
    table: [
      { backend: 'a', weight: 5, before: 2, after: 1, inRound: true },
      { backend: 'b', weight: 1, before: 0, after: 1, inRound: true },
      { backend: 'dead', weight: 1, before: -2, after: -2, inRound: false },
    ],
  },
  ...extra,
});

const record = (path: string, status: number, attempts: AccessRecord['attempts']): AccessRecord => ({
  time: '2026-12-06T03:00:00.000Z',
  service: 'web',
  method: 'GET',
  path,
  status,
  ms: 2.5,
  backend: status < 500 ? attempts.at(-1)!.backend : null,
  attempts,
  reason: null,
});

function batch(decisions: Decision[], access: AccessRecord[], unsampled = 0): LabBatch {
  return { at: 1, services: [{ service: 'web', decisions, access, unsampled }] };
}

async function openDecisions() {
  const bridge = new FakeBridge([
    serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a', weight: 5 }), backendView('http://127.0.0.1:3002', { name: 'b' }), backendView('http://127.0.0.1:3003', { name: 'dead' })], { strategy: 'weighted-round-robin' }),
  ]);
  renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  fireEvent.click(screen.getByRole('tab', { name: /^Decisions/ }));
  await screen.findByTestId('decisions-view');
  return bridge;
}

describe('the Decisions tab', () => {
  it('shows pushed decisions with their reasons, the retry, the weight table and the next picks', async () => {
    const bridge = await openDecisions();
    expect(bridge.callsOf('strategy:decisions')).toEqual([{ service: 'web' }]);
    await waitFor(() => expect(within(screen.getByTestId('next-picks')).getAllByText(/^(a|b|dead)$/)).toHaveLength(12));
    act(() => bridge.push({ channel: 'lab', batch: batch([decision(1, 'dead', { reason: null }), decision(2, 'a', { after: { backend: 'dead', outcome: 'refused', ms: 1 } })], []) }));
    const rows = await screen.findAllByTestId('decision-row');
    expect(rows).toHaveLength(2);
    // Newest first: the retry, naming what failed before it.
    expect(rows[0]!.textContent).toContain('2: retry after dead: refused');
    expect(within(rows[0]!).getByTestId('decision-reason').textContent).toBe('current weight + weight: a 7, b 1; the largest wins and pays 6');
    const table = screen.getByTestId('reason-table');
    expect(within(table).getAllByRole('row').slice(1).map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent))).toEqual([
      ['a', '5', '2', '7', '1'],
      ['b', '1', '0', '1', '1'],
      ['dead (sat out)', '1', '-2', '–', '-2'],
    ]);
  });

  it('keeps the last 1,000 access records, pauses, and filters by backend, status and path', async () => {
    const bridge = await openDecisions();
    const ok = (i: number) => record(`/ok/${i}`, 200, [{ backend: 'a', outcome: 'ok', ms: 1 }]);
    act(() => bridge.push({ channel: 'lab', batch: batch([], Array.from({ length: 1001 }, (_, i) => ok(i)), 7) }));
    act(() => bridge.push({ channel: 'lab', batch: batch([], [record('/retry', 200, [{ backend: 'dead', outcome: 'refused', ms: 0.5 }, { backend: 'b', outcome: 'ok', ms: 2 }]), record('/fail', 502, [{ backend: 'dead', outcome: 'refused', ms: 0.5 }])]) }));
    const log = screen.getByTestId('access-log');
    expect(log.textContent).toContain('1000 kept (last 1,000); 7 requests beyond the per-tick sample not shown');
    fireEvent.change(within(log).getByTestId('access-filter-backend'), { target: { value: 'dead' } });
    let rows = within(log).getAllByTestId('access-row');
    expect(rows.map((r) => within(r).getByTestId('access-attempts').textContent)).toEqual(['dead refused 0.5 ms', 'dead refused 0.5 ms → b ok 2.0 ms']);
    fireEvent.change(within(log).getByTestId('access-filter-status'), { target: { value: '5xx' } });
    rows = within(log).getAllByTestId('access-row');
    expect(rows).toHaveLength(1);
    fireEvent.change(within(log).getByTestId('access-filter-backend'), { target: { value: '' } });
    fireEvent.change(within(log).getByTestId('access-filter-status'), { target: { value: '' } });
    fireEvent.change(within(log).getByTestId('access-filter-path'), { target: { value: '/ok/99' } });
    expect(within(log).getAllByTestId('access-row').map((r) => r.textContent?.includes('/ok/99'))).toEqual([true, true, true, true, true, true, true, true, true, true, true]);

    fireEvent.click(within(log).getByTestId('access-pause'));
    act(() => bridge.push({ channel: 'lab', batch: batch([], [ok(5000), ok(5001)]) }));
    expect(within(log).getByTestId('access-pause').textContent).toBe('Resume (2 missed)');
    fireEvent.change(within(log).getByTestId('access-filter-path'), { target: { value: '/ok/500' } });
    expect(within(log).queryAllByTestId('access-row').map((r) => r.textContent?.includes('/ok/5000'))).not.toContain(true);
  });

  it('switches debug headers with services:update', async () => {
    const bridge = await openDecisions();
    fireEvent.click(screen.getByTestId('debug-headers'));
    await waitFor(() => expect(bridge.callsOf('services:update')).toEqual([{ service: 'web', patch: { debugHeaders: true } }]));
  });
});
