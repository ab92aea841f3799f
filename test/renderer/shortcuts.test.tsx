// @vitest-environment jsdom
/**
 * Keyboard shortcuts (issue 16): each main action from its key, none while
 * typing in a field, the `?` overlay listing them, closed by Escape with the
 * focus given back.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DrillSchema } from '../../core/contract';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

async function setup() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
  const view = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  return { bridge, ...view };
}

const press = (key: string, target: Element = document.body) => fireEvent.keyDown(target, { key });

describe('keyboard shortcuts', () => {
  it('? opens the list of shortcuts and Escape closes it, giving the focus back', async () => {
    const { bridge } = await setup();
    const before = screen.getByRole('button', { name: 'Save' });
    before.focus();
    press('?', before);
    const help = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const key of ['a', '1', '2', '3', '4', '5', 'h', 'l', 's', 'r', '?']) expect(within(help).getByText(key, { selector: 'kbd' })).toBeTruthy();
    expect(document.activeElement).toBe(within(help).getByRole('button', { name: 'Close' }));
    // A shortcut's key inside the list is not a shortcut.
    press('h', document.activeElement!);
    press('Escape', document.activeElement!);
    expect(bridge.callsOf('faults:clear')).toEqual([]);
    await waitFor(() => expect(screen.queryByTestId('shortcuts-help')).toBeNull());
    expect(document.activeElement).toBe(before);
  });

  it('switches tabs with 1-5 and puts the focus in the add-backend URL field with a', async () => {
    const { store } = await setup();
    press('2');
    expect(store.getState().serviceTab).toBe('load');
    press('3');
    expect(store.getState().serviceTab).toBe('drills');
    press('5');
    expect(store.getState().serviceTab).toBe('compare');
    press('1');
    expect(store.getState().serviceTab).toBe('traffic');
    press('3');
    press('a');
    expect(store.getState().serviceTab).toBe('traffic');
    await waitFor(() => expect(document.activeElement?.id).toBe('backend-url'));
  });

  it('heals all with h and stops load with s', async () => {
    const { bridge } = await setup();
    press('h');
    press('s');
    await waitFor(() => expect(bridge.calls.map((c) => c.name)).toEqual(expect.arrayContaining(['faults:clear', 'load:stop'])));
  });

  it('starts load with l as the Load tab is set, and runs the first drill with r', async () => {
    const { bridge, store } = await setup();
    press('l');
    await waitFor(() => expect(bridge.callsOf('load:start')).toHaveLength(1));
    expect(store.getState().serviceTab).toBe('load');
    bridge.drills = [DrillSchema.parse({ name: 'kill-a', service: 'web', durationMs: 1000 })];
    await act(() => store.getState().setServiceTab('traffic'));
    act(() => bridge.push({ channel: 'event', event: { type: 'config:changed', at: 1, cause: 'drill saved', changes: [] } }));
    press('r');
    await waitFor(() => expect(bridge.callsOf('drills:run')).toEqual([{ name: 'kill-a' }]));
  });

  it('leaves keys typed in a field, a select and with a modifier alone', async () => {
    const { bridge, store } = await setup();
    const url = screen.getByLabelText('Backend URL');
    press('2', url);
    press('h', url);
    const theme = screen.getByRole('combobox', { name: /Theme/ });
    press('3', theme);
    fireEvent.keyDown(document.body, { key: 'h', ctrlKey: true });
    expect(store.getState().serviceTab).toBe('traffic');
    expect(bridge.callsOf('faults:clear')).toEqual([]);
    expect(screen.queryByTestId('shortcuts-help')).toBeNull();
  });
});
