// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { backendView, FakeBridge, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const disabled = (el: HTMLElement) => (el as HTMLButtonElement).disabled;

function webBridge() {
  return new FakeBridge([
    serviceView('web', [
      backendView('http://127.0.0.1:3001', { name: 'a', health: 'healthy', lastCheck: { ok: true, at: 0, latencyMs: 3, detail: '200' } }),
      backendView('http://127.0.0.1:3002', { name: 'b', weight: 2 }),
    ]),
  ]);
}

async function renderWeb(bridge = webBridge()) {
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  return app;
}

describe('add backend form', () => {
  it('shows an inline error for an invalid URL as you type and sends nothing', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    const input = screen.getByLabelText('Backend URL');
    const add = screen.getByRole('button', { name: 'Add backend' });
    expect(disabled(add)).toBe(true);

    fireEvent.change(input, { target: { value: 'not a url' } });
    expect(screen.getByTestId('backend-url-error').textContent).toMatch(/must be a URL/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(disabled(add)).toBe(true);
    fireEvent.submit(add.closest('form')!);

    // The service's own rule: an http service takes http(s) backends only.
    fireEvent.change(input, { target: { value: 'tcp://127.0.0.1:5432' } });
    expect(screen.getByTestId('backend-url-error').textContent).toMatch(/http\(s\)/);
    expect(disabled(add)).toBe(true);
    expect(bridge.callsOf('backends:add')).toHaveLength(0);
  });

  it('sends backends:add with the typed backend once the URL is valid', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('Backend URL'), { target: { value: 'http://127.0.0.1:3003' } });
    expect(screen.getByTestId('backend-url-error').textContent).toBe('');
    fireEvent.change(screen.getByLabelText('Weight'), { target: { value: '3' } });
    const add = screen.getByRole('button', { name: 'Add backend' });
    expect(disabled(add)).toBe(false);
    fireEvent.click(add);
    await screen.findByTestId('backend-row-127.0.0.1:3003');
    expect(bridge.callsOf('backends:add')).toEqual([{ service: 'web', backend: { url: 'http://127.0.0.1:3003', weight: 3 } }]);
    // The row comes with the pushed config:changed, before the reply that clears the form.
    await waitFor(() => expect((screen.getByLabelText('Backend URL') as HTMLInputElement).value).toBe(''));
  });

  it('flags a duplicate name before sending', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('Backend URL'), { target: { value: 'http://127.0.0.1:3009' } });
    fireEvent.change(screen.getByLabelText('Name (optional)'), { target: { value: 'a' } });
    expect(screen.getByText('duplicate backend name "a"')).toBeTruthy();
    expect(disabled(screen.getByRole('button', { name: 'Add backend' }))).toBe(true);
  });

  it('shows an error the core returns next to the form', async () => {
    const bridge = webBridge();
    bridge.overrides['backends:add'] = () => ({
      ok: false,
      error: { code: 'INPUT_INVALID', message: 'bad', issues: ['backend.url: nothing listens there'] },
    });
    await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('Backend URL'), { target: { value: 'http://127.0.0.1:3004' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add backend' }));
    const error = await screen.findByTestId('add-backend-error');
    expect(error.textContent).toContain('backend.url: nothing listens there');
  });
});

describe('backends table', () => {
  it('commits a weight edit on Enter with backends:update', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    const weight = screen.getByLabelText('Weight of b') as HTMLInputElement;
    expect(weight.value).toBe('2');
    fireEvent.change(weight, { target: { value: '5' } });
    fireEvent.keyDown(weight, { key: 'Enter' });
    await waitFor(() => expect(bridge.callsOf('backends:update')).toHaveLength(1));
    const b = bridge.services[0]!.backends[1]!;
    expect(bridge.callsOf('backends:update')[0]).toEqual({ service: 'web', backend: b.id, patch: { weight: 5 } });
    await waitFor(() => expect((screen.getByLabelText('Weight of b') as HTMLInputElement).value).toBe('5'));
  });

  it('commits on blur, and does not send an invalid weight', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    const weight = screen.getByLabelText('Weight of a') as HTMLInputElement;
    fireEvent.change(weight, { target: { value: '0' } });
    expect(weight.getAttribute('aria-invalid')).toBe('true');
    fireEvent.blur(weight);
    // Refused on blur: the weight is put back (test/renderer/weight.test.tsx has the message).
    expect(weight.value).toBe('1');
    fireEvent.change(weight, { target: { value: '7' } });
    fireEvent.blur(weight);
    await waitFor(() => expect(bridge.callsOf('backends:update')).toHaveLength(1));
    expect(bridge.callsOf('backends:update')[0]!.patch).toEqual({ weight: 7 });
  });

  it('changes the admin state and backup flag', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('State of a'), { target: { value: 'drain' } });
    fireEvent.click(screen.getByLabelText('Backup b'));
    await waitFor(() => expect(bridge.callsOf('backends:update')).toHaveLength(2));
    expect(bridge.callsOf('backends:update').map((c) => c.patch)).toEqual([{ state: 'drain' }, { backup: true }]);
  });

  it('removes a backend and the Undo toast adds it back', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.click(screen.getByRole('button', { name: 'Remove b' }));
    await waitFor(() => expect(screen.queryByTestId('backend-row-b')).toBeNull());
    const toast = screen.getByTestId('undo-toast');
    expect(toast.textContent).toContain('Removed b');
    fireEvent.click(within(toast).getByRole('button', { name: 'Undo' }));
    await screen.findByTestId('backend-row-b');
    expect(bridge.callsOf('backends:add')).toEqual([
      { service: 'web', backend: { url: 'http://127.0.0.1:3002', name: 'b', weight: 2, state: 'active', backup: false } },
    ]);
    expect(screen.queryByTestId('undo-toast')).toBeNull();
  });

  it('shows health with the last check in the tooltip, and live health from stats', async () => {
    const bridge = webBridge();
    const { store } = await renderWeb(bridge);
    const a = screen.getByTestId('health-a');
    expect(a.textContent).toBe('healthy');
    expect(a.getAttribute('title')).toMatch(/passed.*200 in 3 ms/);
    expect(screen.getByTestId('health-b').textContent).toBe('unknown');

    const svc = bridge.services[0]!;
    const snap = snapshot(1, svc, { a: 4, b: 0 });
    snap.services[0]!.backends[1]!.health = 'unhealthy';
    snap.services[0]!.backends[1]!.ejected = true;
    snap.services[0]!.backends[1]!.lastCheck = { ok: false, at: 0, detail: 'ECONNREFUSED' };
    act(() => store.getState().ingestSnapshot(snap));
    expect(screen.getByTestId('health-b').textContent).toBe('unhealthy');
    expect(screen.getByTestId('health-b').getAttribute('title')).toMatch(/failed.*ECONNREFUSED/);
    expect(screen.getByTestId('ejected-b')).toBeTruthy();
    const row = screen.getByTestId('backend-row-a');
    expect(row.textContent).toContain('4.0');
  });

  it('tells a new user how to add a backend', async () => {
    renderApp(new FakeBridge([serviceView('web')]));
    const empty = await screen.findByTestId('no-backends');
    expect(empty.textContent).toContain('http://127.0.0.1:3001');
  });
});

describe('strategy picker', () => {
  it('switches the strategy with strategy:set and shows its description', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    const select = screen.getByLabelText('Strategy') as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBeGreaterThan(1));
    fireEvent.change(select, { target: { value: 'ring-hash' } });
    await waitFor(() => expect(bridge.callsOf('strategy:set')).toHaveLength(1));
    expect(bridge.callsOf('strategy:set')[0]).toEqual({ service: 'web', strategy: 'ring-hash', options: {} });
    await waitFor(() => expect(screen.getByTestId('strategy-description').textContent).toBe('The same key goes to the same backend.'));
  });

  it('edits strategy parameters, keeping an edit the core refused until it is complete', async () => {
    const bridge = new FakeBridge([serviceView('web', [], { strategy: 'ring-hash' })]);
    renderApp(bridge);
    const hashOn = (await screen.findByLabelText('Hash on')) as HTMLSelectElement;
    fireEvent.change(hashOn, { target: { value: 'header' } });
    await screen.findByText('options.key: required when hashOn is "header"');
    expect(hashOn.value).toBe('header');
    const key = screen.getByLabelText('Header or cookie name');
    fireEvent.change(key, { target: { value: 'x-user' } });
    fireEvent.keyDown(key, { key: 'Enter' });
    await waitFor(() => expect(bridge.callsOf('strategy:set')).toHaveLength(2));
    expect(bridge.callsOf('strategy:set')[1]).toEqual({ service: 'web', strategy: 'ring-hash', options: { hashOn: 'header', key: 'x-user' } });
    await waitFor(() => expect(screen.queryByText(/required when hashOn/)).toBeNull());
    expect(bridge.services[0]!.strategyOptions).toEqual({ hashOn: 'header', key: 'x-user' });
  });

  it('offers only layer-4 strategies for a TCP service', async () => {
    renderApp(new FakeBridge([serviceView('db', [], { protocol: 'tcp' })]));
    const select = (await screen.findByLabelText('Strategy')) as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(2));
    expect([...select.options].map((o) => o.value)).toEqual(['round-robin', 'weighted-round-robin']);
  });
});

describe('services', () => {
  it('tells a new user to add a service, validates it and adds it', async () => {
    const bridge = new FakeBridge([]);
    renderApp(bridge);
    await screen.findByTestId('empty-workspace');
    expect(screen.getByText('Add a service', { selector: 'h2' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Service name'), { target: { value: 'web' } });
    fireEvent.change(screen.getByLabelText('Listen address'), { target: { value: 'localhost' } });
    expect(screen.getByText('must be host:port, for example 127.0.0.1:8080')).toBeTruthy();
    expect(disabled(screen.getByRole('button', { name: 'Add service' }))).toBe(true);
    fireEvent.change(screen.getByLabelText('Listen address'), { target: { value: '127.0.0.1:9000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add service' }));
    await screen.findByTestId('no-backends');
    expect(bridge.callsOf('services:add')).toEqual([{ service: { name: 'web', listen: '127.0.0.1:9000', protocol: 'http' } }]);
    expect(screen.getByTestId('service-web').textContent).toContain('127.0.0.1:9000');
  });

  it('renames the selected service', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    const input = screen.getByLabelText('New name for web');
    fireEvent.change(input, { target: { value: 'frontend' } });
    fireEvent.submit(input.closest('form')!);
    await screen.findByTestId('service-frontend');
    expect(bridge.callsOf('services:update')).toEqual([{ service: 'web', patch: { name: 'frontend' } }]);
  });
});

describe('connection and workspace', () => {
  it('shows a banner while disconnected', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    act(() => bridge.setConnected(false));
    expect(screen.getByTestId('connection-banner').textContent).toMatch(/Reconnecting/);
    act(() => bridge.setConnected(true));
    expect(screen.queryByTestId('connection-banner')).toBeNull();
  });

  it('says it is connecting before the first connection', () => {
    renderApp(new FakeBridge([], { connected: false }));
    expect(screen.getByTestId('connection-banner').textContent).toMatch(/Connecting/);
  });

  it('lists validation issues when opening a workspace fails', async () => {
    const bridge = webBridge();
    bridge.overrides['workspace:open'] = () => ({
      ok: false,
      error: {
        code: 'CONFIG_INVALID',
        message: 'services[0].listen: must be host:port',
        issues: ['services[0].listen: must be host:port, for example 127.0.0.1:8080', 'services[1].name: must not be empty'],
      },
    });
    await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('Workspace file'), { target: { value: '/tmp/bad.json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const error = await screen.findByTestId('workspace-error');
    expect(within(error).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'services[0].listen: must be host:port, for example 127.0.0.1:8080',
      'services[1].name: must not be empty',
    ]);
    expect(bridge.callsOf('workspace:open')).toEqual([{ path: '/tmp/bad.json' }]);
  });

  it('shows the unsaved-changes dot after an edit until saved', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    expect(screen.queryByTestId('unsaved-dot')).toBeNull();
    fireEvent.change(screen.getByLabelText('State of a'), { target: { value: 'disabled' } });
    await screen.findByTestId('unsaved-dot');
    fireEvent.change(screen.getByLabelText('Workspace file'), { target: { value: '/tmp/ws.json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByTestId('unsaved-dot')).toBeNull());
    expect(bridge.callsOf('workspace:save')).toEqual([{ path: '/tmp/ws.json' }]);
  });
});

describe('event log', () => {
  it('lists events newest first', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    act(() => {
      bridge.push({ channel: 'event', event: { type: 'health:changed', at: 1, service: 'web', backend: 'b', backendId: 'x', from: 'healthy', to: 'unhealthy', cause: 'ECONNREFUSED' } });
      bridge.push({ channel: 'event', event: { type: 'backend:ejected', at: 2, service: 'web', backend: 'a', backendId: 'y', cause: '5 consecutive 5xx', durationMs: 10_000 } });
    });
    const rows = within(screen.getByTestId('event-log')).getAllByTestId('event-row');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('ejected'),
      expect.stringContaining('healthy → unhealthy: ECONNREFUSED'),
    ]);
  });
});
