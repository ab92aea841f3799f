// @vitest-environment jsdom
/**
 * Adding a backend whose URL the service already has (issue 16, bug 6): the
 * core answers CONFLICT, and the form asks in a dialog instead of adding it
 * silently; "Add anyway" sends it again with allowDuplicate, Cancel sends
 * nothing and keeps what was typed.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

async function setUp() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
  renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  fireEvent.change(screen.getByLabelText('Backend URL'), { target: { value: 'http://127.0.0.1:3001' } });
  fireEvent.change(screen.getByLabelText('Name (optional)'), { target: { value: 'a2' } });
  fireEvent.click(screen.getByRole('button', { name: 'Add backend' }));
  const dialog = await screen.findByTestId('duplicate-backend');
  return { bridge, dialog };
}

describe('a duplicate backend URL', () => {
  it('asks before adding, and adds it with allowDuplicate on "Add anyway"', async () => {
    const { bridge, dialog } = await setUp();
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.textContent).toContain('http://127.0.0.1:3001 is already a backend of web (a)');
    expect(bridge.callsOf('backends:add')).toEqual([{ service: 'web', backend: { url: 'http://127.0.0.1:3001', name: 'a2' } }]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add anyway' }));
    await screen.findByTestId('backend-row-a2');
    expect(bridge.callsOf('backends:add')[1]).toEqual({ service: 'web', backend: { url: 'http://127.0.0.1:3001', name: 'a2' }, allowDuplicate: true });
    await waitFor(() => expect(screen.queryByTestId('duplicate-backend')).toBeNull());
    expect((screen.getByLabelText('Backend URL') as HTMLInputElement).value).toBe('');
  });

  it('sends nothing more on Cancel and keeps what was typed', async () => {
    const { bridge, dialog } = await setUp();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('duplicate-backend')).toBeNull());
    expect(bridge.callsOf('backends:add')).toHaveLength(1);
    expect(screen.queryByTestId('backend-row-a2')).toBeNull();
    expect((screen.getByLabelText('Backend URL') as HTMLInputElement).value).toBe('http://127.0.0.1:3001');
    expect(screen.queryByTestId('add-backend-error')).toBeNull();
  });
});
