// @vitest-environment jsdom
/**
 * The event log says what happened in plain words (issue 16, bug 3): no
 * contract key such as `config:changed` or `status5xx` in any row a person
 * reads, for every event type the core publishes.
 */
import { act, cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../core/contract/events';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const RAW_KEY = /(health|backend|config|service|faults|demo|load|drill|keyspace):[a-z]+|status\dxx/;

describe('event log words', () => {
  it('shows every kind of event without an internal key', async () => {
    const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
    renderApp(bridge);
    await screen.findByTestId('backend-row-a');
    const b = { service: 'web', backend: 'a', backendId: 'x' };
    const events: WorkbenchEvent[] = [
      { type: 'health:changed', at: 1, ...b, from: 'healthy', to: 'unhealthy', cause: 'ECONNREFUSED' },
      { type: 'backend:ejected', at: 2, ...b, cause: '5 consecutive 5xx', durationMs: 10_000 },
      { type: 'backend:returned', at: 3, ...b, cause: 'ejection period ended' },
      { type: 'config:changed', at: 4, cause: 'backend added to web' },
      { type: 'service:listening', at: 5, service: 'web', address: '127.0.0.1:8080' },
      { type: 'faults:changed', at: 6, ...b, faults: [], labels: [] },
      { type: 'demo:changed', at: 7, name: 'alpha', change: 'added' },
      { type: 'drill:started', at: 8, drill: 'kill', service: 'web', durationMs: 1000 },
    ];
    act(() => {
      for (const event of events) bridge.push({ channel: 'event', event });
    });
    const rows = within(screen.getByTestId('event-log')).getAllByTestId('event-row');
    expect(rows).toHaveLength(events.length);
    for (const row of rows) expect(row.textContent).not.toMatch(RAW_KEY);
    expect(rows.map((r) => r.children[1]!.textContent)).toEqual([
      'drill started',
      'demo backend',
      'faults changed',
      'listening',
      'configuration changed',
      'back from ejection',
      'ejected',
      'health changed',
    ]);
  });
});
