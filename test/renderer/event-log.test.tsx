// @vitest-environment jsdom
/**
 * The event log (issue 16, bug 8): it replays the core's history when the
 * page connects (and again after a reconnect, without doubling rows it
 * already shows), says what a config change changed and in which service,
 * filters by kind, service and text, and exports what it shows as JSON
 * lines or text through a download.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../core/contract/events';
import { DrillSchema } from '../../core/contract';
import { backendView, drillReport, FakeBridge, serviceView } from './fake-bridge';
import { captureDownloads } from './downloads';
import { renderApp } from './setup';

afterEach(cleanup);

const downloads = captureDownloads();

const b = (service: string, backend: string) => ({ service, backend, backendId: `${service}-${backend}` });

/** What the core remembers from before the page opened: startup health, a weight change in web. */
const HISTORY: WorkbenchEvent[] = [
  { type: 'health:changed', at: 1_000, ...b('web', 'a'), from: 'unknown', to: 'healthy', cause: 'check passed' },
  { type: 'health:changed', at: 1_100, ...b('api', 'c'), from: 'unknown', to: 'unhealthy', cause: 'ECONNREFUSED' },
  { type: 'config:changed', at: 2_000, cause: 'backend updated', service: 'web', changes: ['a weight 1 → 3'] },
  { type: 'backend:ejected', at: 3_000, ...b('api', 'c'), cause: '5 consecutive 5xx', durationMs: 10_000 },
];

function setup() {
  const bridge = new FakeBridge([
    serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })]),
    serviceView('api', [backendView('http://127.0.0.1:3002', { name: 'c' })], { listen: '127.0.0.1:8081', address: '127.0.0.1:8081' }),
  ]);
  bridge.overrides['events:history'] = () => ({ ok: true, value: HISTORY });
  return { bridge, ...renderApp(bridge) };
}

const rows = () => within(screen.getByTestId('event-log')).queryAllByTestId('event-row');
const causes = () => rows().map((r) => r.children[4]!.textContent);

describe('event log', () => {
  it('replays the core history on connect, newest first, and once only after a reconnect', async () => {
    const { bridge } = setup();
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(causes()).toEqual(['5 consecutive 5xx (for 10 s)', 'backend updated — a weight 1 → 3', 'unknown → unhealthy: ECONNREFUSED', 'unknown → healthy: check passed']);
    // A live event, then a reconnect whose history holds it too: still one row each.
    const live: WorkbenchEvent = { type: 'backend:returned', at: 4_000, ...b('api', 'c'), cause: 'ejection period ended' };
    act(() => bridge.push({ channel: 'event', event: live }));
    bridge.overrides['events:history'] = () => ({ ok: true, value: [...HISTORY, live] });
    act(() => bridge.setConnected(false));
    act(() => bridge.setConnected(true));
    await waitFor(() => expect(bridge.callsOf('events:history')).toHaveLength(2));
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(causes()[0]).toBe('ejection period ended');
  });

  it('keeps a live drill:done (which carries the report) once when the history holds it without', async () => {
    const { bridge } = setup();
    await waitFor(() => expect(rows()).toHaveLength(4));
    const report = drillReport(DrillSchema.parse({ name: 'kill', service: 'web', durationMs: 1000 }));
    const done = { type: 'drill:done' as const, at: 5_000, drill: 'kill', result: report.result, verdict: report.verdict };
    act(() => bridge.push({ channel: 'event', event: { ...done, report } }));
    bridge.overrides['events:history'] = () => ({ ok: true, value: [...HISTORY, done] });
    act(() => bridge.setConnected(false));
    act(() => bridge.setConnected(true));
    await waitFor(() => expect(bridge.callsOf('events:history')).toHaveLength(2));
    await waitFor(() => expect(rows().filter((r) => r.children[1]!.textContent === 'drill finished')).toHaveLength(1));
    expect(rows()).toHaveLength(5);
  });

  it('says what a config change changed and which service it concerns', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(4));
    const config = rows()[1]!;
    expect(config.children[1]!.textContent).toBe('configuration changed');
    expect(config.children[2]!.textContent).toBe('web');
    expect(config.children[4]!.textContent).toContain('a weight 1 → 3');
  });

  it('filters by kind, by service and by text', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(4));
    const log = screen.getByTestId('event-log');
    fireEvent.change(within(log).getByLabelText('Event kind'), { target: { value: 'health' } });
    expect(causes()).toEqual(['unknown → unhealthy: ECONNREFUSED', 'unknown → healthy: check passed']);
    fireEvent.change(within(log).getByLabelText('Event service'), { target: { value: 'api' } });
    expect(causes()).toEqual(['unknown → unhealthy: ECONNREFUSED']);
    fireEvent.change(within(log).getByLabelText('Event kind'), { target: { value: 'ejection' } });
    expect(causes()).toEqual(['5 consecutive 5xx (for 10 s)']);
    fireEvent.change(within(log).getByLabelText('Event kind'), { target: { value: '' } });
    fireEvent.change(within(log).getByLabelText('Event service'), { target: { value: '' } });
    fireEvent.change(within(log).getByLabelText('Search events'), { target: { value: 'WEIGHT' } });
    expect(causes()).toEqual(['backend updated — a weight 1 → 3']);
    expect(within(log).getByTestId('event-count').textContent).toBe('1 of 4');
    fireEvent.change(within(log).getByLabelText('Search events'), { target: { value: 'nothing like this' } });
    expect(rows()).toHaveLength(0);
    expect(within(log).getByText('No event matches the filter.')).toBeTruthy();
  });

  it('exports what the filter shows as JSON lines and as text', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(4));
    const log = screen.getByTestId('event-log');
    fireEvent.change(within(log).getByLabelText('Event service'), { target: { value: 'api' } });
    fireEvent.click(within(log).getByRole('button', { name: 'Export JSON lines' }));
    fireEvent.click(within(log).getByRole('button', { name: 'Export text' }));
    expect(downloads).toHaveLength(2);
    expect(downloads[0]!.name).toMatch(/^lbw-events-.*\.jsonl$/);
    const lines = (await downloads[0]!.text).trimEnd().split('\n').map((l) => JSON.parse(l) as WorkbenchEvent);
    expect(lines).toEqual([HISTORY[1], HISTORY[3]]); // oldest first, as the core keeps them
    expect(downloads[1]!.name).toMatch(/^lbw-events-.*\.txt$/);
    const text = (await downloads[1]!.text).trimEnd().split('\n');
    expect(text).toHaveLength(3);
    expect(text[0]).toBe('time\ttype\tservice\tbackend\twhat happened');
    expect(text[1]).toMatch(/^\d\d:\d\d:\d\d\thealth changed\tapi\tc\tunknown → unhealthy: ECONNREFUSED$/);
    expect(text[2]).toMatch(/\tejected\tapi\tc\t5 consecutive 5xx \(for 10 s\)$/);
  });
});
