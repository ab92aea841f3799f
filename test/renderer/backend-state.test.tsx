// @vitest-environment jsdom
/**
 * The backends table as HAProxy's stats page keeps things apart (issue 16):
 * admin state, health-check state and traffic state in their own places and
 * plain words, the last check inline ("200 in 3 ms, 2 s ago") and each
 * backend's running totals since start (requests, errors, bytes, downtime).
 */
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendSnapshot } from '../../core/contract';
import { backendView, FakeBridge, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

function setup() {
  const svc = serviceView('web', [
    backendView('http://127.0.0.1:3001', { name: 'a' }),
    backendView('http://127.0.0.1:3002', { name: 'b' }),
    backendView('http://127.0.0.1:3003', { name: 'c', backup: true }),
  ]);
  const bridge = new FakeBridge([svc]);
  renderApp(bridge);
  return { bridge, svc };
}

/** A tick whose backends carry the given fields. */
function tick(t: number, svc: ReturnType<typeof serviceView>, patch: Record<string, Partial<BackendSnapshot>>) {
  const snap = snapshot(t, svc, { a: 10, b: 10 });
  const s = snap.services[0]!;
  s.backends = s.backends.map((b) => ({ ...b, ...patch[b.name] }));
  return snap;
}

describe('backend states and totals', () => {
  it('shows admin, health-check and traffic state apart, the last check inline and the totals since start', async () => {
    const { bridge, svc } = setup();
    await screen.findByTestId('backend-row-a');
    const headers = within(screen.getByRole('table', { name: 'Backends of web' }))
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(expect.arrayContaining(['Admin state', 'Health · traffic']));

    const snap0 = snapshot(1, svc);
    const at = snap0.at;
    act(() =>
      bridge.push({
        channel: 'stats',
        snapshot: tick(1, svc, {
          a: { health: 'healthy', lastCheck: { ok: true, at: at - 2_000, latencyMs: 3, detail: '200' }, totalRequests: 12_345, totalErrors: 5, totalBytesIn: 1024, totalBytesOut: 1024, downtimeMs: 0 },
          b: { available: false, health: 'unhealthy', lastCheck: { ok: false, at: at - 500, detail: 'ECONNREFUSED' }, totalRequests: 7, downtimeMs: 12_000 },
          c: { expectedShare: 0, lastCheck: null },
        }),
      }),
    );
    await waitFor(() => expect(screen.getByTestId('check-a').textContent).toBe('Last check: 200 in 3 ms, 2 s ago'));
    expect(screen.getByTestId('totals-a').textContent).toBe('Since start: 12\u202f345 req · 5 err · 2.0 KiB');
    expect(screen.getByTestId('traffic-a').textContent).toBe('in rotation');
    expect(screen.getByTestId('health-a').textContent).toBe('healthy');

    expect(screen.getByTestId('traffic-b').textContent).toBe('out of rotation');
    expect(screen.getByTestId('health-b').textContent).toBe('unhealthy');
    expect(screen.getByTestId('check-b').textContent).toBe('Last check: ECONNREFUSED, 1 s ago');
    expect(screen.getByTestId('totals-b').textContent).toBe('Since start: 7 req · 0 err · 0 B · down 12 s');

    expect(screen.getByTestId('traffic-c').textContent).toBe('standby');
    expect(screen.queryByTestId('check-c')).toBeNull();
    // The admin state stays the State select's, apart from both.
    expect((within(screen.getByTestId('backend-row-b')).getByRole('combobox', { name: /state/i }) as HTMLSelectElement).value).toBe('active');
  });
});
