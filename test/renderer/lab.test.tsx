// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DrillSchema } from '../../core/contract';
import { backendView, demoView, drillReport, FakeBridge, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const disabled = (el: HTMLElement) => (el as HTMLButtonElement).disabled;

function webBridge() {
  return new FakeBridge([
    serviceView('web', [
      backendView('http://127.0.0.1:3001', { name: 'a', health: 'healthy' }),
      backendView('http://127.0.0.1:3002', { name: 'b' }),
    ]),
  ]);
}

async function renderWeb(bridge = webBridge()) {
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  return app;
}

function openTab(name: 'Traffic' | 'Load' | 'Drills') {
  fireEvent.click(screen.getByRole('tab', { name: new RegExp(`^${name}`) }));
}

describe('demo backends', () => {
  it('adds one with demo:add and marks its row with its colour', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.click(screen.getByTestId('add-demo-backend'));
    await screen.findByTestId('backend-row-alpha');
    expect(bridge.callsOf('demo:add')).toEqual([{ service: 'web' }]);
    const dot = await screen.findByTestId('demo-dot-alpha');
    expect(dot.style.background).toBe('rgb(78, 121, 167)');
    expect(screen.queryByTestId('demo-dot-a')).toBeNull();
  });

  it('removes a demo backend with demo:remove', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.click(screen.getByTestId('add-demo-backend'));
    await screen.findByTestId('demo-dot-alpha');
    fireEvent.click(screen.getByRole('button', { name: 'Remove alpha' }));
    await waitFor(() => expect(screen.queryByTestId('backend-row-alpha')).toBeNull());
    expect(bridge.callsOf('demo:remove')).toEqual([{ name: 'alpha' }]);
    expect(bridge.callsOf('backends:remove')).toEqual([]);
  });

  it('is not offered for a TCP service', async () => {
    renderApp(new FakeBridge([serviceView('db', [backendView('tcp://127.0.0.1:5432', { name: 'pg' })], { protocol: 'tcp' })]));
    await screen.findByTestId('backend-row-pg');
    expect(screen.queryByTestId('add-demo-backend')).toBeNull();
  });
});

describe('faults editor', () => {
  it('shows an inline error for invalid input and sends nothing', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.click(screen.getByTestId('faults-button-b'));
    const editor = screen.getByTestId('faults-editor');
    fireEvent.click(within(editor).getByRole('button', { name: '+ Add fault' }));
    // An error fault by default; a status outside 400..599 is refused by the core's schema.
    const status = within(editor).getByLabelText('Status');
    fireEvent.change(status, { target: { value: '200' } });
    expect(within(editor).getByText('must be at least 400')).toBeTruthy();
    expect(status.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(within(editor).getByLabelText('Applies to'), { target: { value: '150' } });
    expect(within(editor).getByText('must be 0–100%')).toBeTruthy();
    fireEvent.click(within(editor).getByRole('button', { name: 'Apply' }));
    expect(within(editor).getByTestId('faults-error').textContent).toMatch(/nothing was sent/);
    expect(bridge.callsOf('faults:set')).toHaveLength(0);
  });

  it('applies valid faults with faults:set and shows them as badges from the next snapshot', async () => {
    const bridge = webBridge();
    const { store } = await renderWeb(bridge);
    const b = bridge.services[0]!.backends[1]!;
    fireEvent.click(screen.getByTestId('faults-button-b'));
    const editor = screen.getByTestId('faults-editor');
    fireEvent.click(within(editor).getByRole('button', { name: '+ Add fault' }));
    fireEvent.change(within(editor).getByLabelText('Applies to'), { target: { value: '50' } });
    fireEvent.click(within(editor).getByRole('button', { name: '+ Add fault' }));
    const rows = within(editor).getAllByTestId('fault-row');
    fireEvent.change(within(rows[1]!).getByLabelText('Type'), { target: { value: 'latency' } });
    fireEvent.change(within(rows[1]!).getByLabelText('Delay'), { target: { value: '250' } });
    fireEvent.click(within(rows[1]!).getByLabelText('On'));
    fireEvent.click(within(editor).getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(bridge.callsOf('faults:set')).toHaveLength(1));
    expect(bridge.callsOf('faults:set')[0]).toEqual({
      service: 'web',
      backend: b.id,
      faults: [
        { type: 'error', enabled: true, toxicity: 0.5, status: 503 },
        { type: 'latency', enabled: false, toxicity: 1, ms: 250, jitterMs: 0 },
      ],
    });
    await within(editor).findByText('Applied 2 faults.');
    // The row's button counts the faults (disabled ones too).
    expect(screen.getByTestId('faults-button-b').textContent).toBe('Faults2');

    const snap = snapshot(1, bridge.services[0]!, { a: 5, b: 5 });
    snap.services[0]!.backends[1]!.faults = ['error 503 @ 50%'];
    act(() => store.getState().ingestSnapshot(snap));
    expect(screen.getByTestId('fault-badge-b').textContent).toContain('error 503 @ 50%');
    expect(screen.queryByTestId('fault-badge-a')).toBeNull();
  });

  it('edits existing faults and closes with Escape, focus back on its button', async () => {
    const bridge = webBridge();
    bridge.services[0]!.backends[0]!.faults = [{ type: 'latency', enabled: true, toxicity: 1, ms: 300, jitterMs: 50 }];
    await renderWeb(bridge);
    const button = screen.getByTestId('faults-button-a');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const editor = screen.getByTestId('faults-editor');
    expect((within(editor).getByLabelText('Jitter ±') as HTMLInputElement).value).toBe('50');
    fireEvent.keyDown(within(editor).getByLabelText('Delay'), { key: 'Escape' });
    expect(screen.queryByTestId('faults-editor')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('heals all with faults:clear and clears the rows from the events', async () => {
    const bridge = webBridge();
    bridge.services[0]!.backends[0]!.faults = [{ type: 'down', enabled: true, toxicity: 1 }];
    await renderWeb(bridge);
    expect(screen.getByTestId('fault-badge-a').textContent).toContain('down');
    fireEvent.click(screen.getByTestId('faults-button-a'));
    expect(within(screen.getByTestId('faults-editor')).getAllByTestId('fault-row')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('heal-all'));
    await waitFor(() => expect(screen.queryByTestId('fault-badge-a')).toBeNull());
    expect(bridge.callsOf('faults:clear')).toEqual([{}]);
    // The open editor, untouched, follows the change rather than offering the old faults again.
    expect(within(screen.getByTestId('faults-editor')).queryAllByTestId('fault-row')).toHaveLength(0);
  });
});

describe('load generator', () => {
  it('starts a run with load:start, shows live progress, and stops it', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    openTab('Load');
    fireEvent.change(screen.getByLabelText('Rate'), { target: { value: '200' } });
    fireEvent.change(screen.getByLabelText('Duration'), { target: { value: '30' } });
    fireEvent.change(screen.getByLabelText('Path of request 1'), { target: { value: '/api' } });
    fireEvent.click(screen.getByRole('button', { name: '+ Add request' }));
    fireEvent.change(screen.getByLabelText('Weight of request 2'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('load-start'));
    await waitFor(() => expect(bridge.callsOf('load:start')).toHaveLength(1));
    expect(bridge.callsOf('load:start')[0]).toEqual({
      service: 'web',
      spec: {
        mode: 'open',
        rate: 200,
        durationMs: 30_000,
        requests: [
          { method: 'GET', path: '/api', weight: 1 },
          { method: 'POST', path: '/', weight: 3 },
        ],
        bodyBytes: 0,
      },
    });
    const strip = await screen.findByTestId('load-progress');
    expect(strip.textContent).toContain('running');
    act(() =>
      bridge.push({
        channel: 'load',
        progress: {
          elapsedMs: 1000,
          sent: 200,
          ok: 190,
          failed: { status4xx: 0, status5xx: 7, refused: 3, reset: 0, timeout: 0, other: 0 },
          skipped: 0,
          inFlight: 3,
          rate: { interval: 199, overall: 200 },
          throughput: { interval: 199, overall: 200 },
          targetRate: 200,
          latency: { p50: 11, p99: 42, count: 190 },
          backends: { a: 100, b: 90 },
        },
      }),
    );
    // Progress pushes are applied at the next animation frame.
    await waitFor(() => expect(screen.getByTestId('load-sent').textContent).toContain('200'));
    expect(screen.getByTestId('load-failed').textContent).toContain('10');
    expect(screen.getByTestId('load-rate').textContent).toContain('199 / 200');
    expect(strip.textContent).toContain('5xx 7 · refused 3');
    expect(screen.getByTestId('chart-load')).toBeTruthy();

    fireEvent.click(screen.getByTestId('load-stop'));
    await waitFor(() => expect(bridge.callsOf('load:stop')).toHaveLength(1));
    await waitFor(() => expect(screen.queryByTestId('load-progress')).toBeNull());
    const summary = screen.getByTestId('load-summary');
    expect(summary.textContent).toContain('was stopped');
    expect(summary.textContent).toContain('390');
  });

  it('checks the form with the core’s schema and sends nothing while it is invalid', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    openTab('Load');
    fireEvent.change(screen.getByLabelText('Rate'), { target: { value: '0' } });
    expect(screen.getByText('must be more than 0')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Rate'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Path of request 1'), { target: { value: 'api' } });
    expect(screen.getByText('must start with /')).toBeTruthy();
    expect(disabled(screen.getByTestId('load-start'))).toBe(true);
    fireEvent.click(screen.getByTestId('load-start'));
    expect(bridge.callsOf('load:start')).toHaveLength(0);
  });

  it('sends a closed loop with a hash key', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    openTab('Load');
    fireEvent.click(screen.getByLabelText(/Closed loop/));
    fireEvent.change(screen.getByLabelText('Clients'), { target: { value: '8' } });
    fireEvent.click(screen.getByLabelText('send'));
    fireEvent.change(screen.getByLabelText('Key carried in'), { target: { value: 'cookie' } });
    fireEvent.change(screen.getByLabelText('Hash key name'), { target: { value: 'session' } });
    fireEvent.change(screen.getByLabelText('Distinct keys'), { target: { value: '50' } });
    fireEvent.click(screen.getByTestId('load-start'));
    await waitFor(() => expect(bridge.callsOf('load:start')).toHaveLength(1));
    expect(bridge.callsOf('load:start')[0]!.spec).toEqual({
      mode: 'closed',
      concurrency: 8,
      durationMs: 60_000,
      requests: [{ method: 'GET', path: '/', weight: 1 }],
      bodyBytes: 0,
      key: { cookie: 'session', count: 50 },
    });
  });

  it('shows a CONFLICT from the core under the buttons', async () => {
    const bridge = webBridge();
    bridge.overrides['load:start'] = () => ({ ok: false, error: { code: 'CONFLICT', message: 'a load run is already going (drill "Kill one"); stop it first' } });
    await renderWeb(bridge);
    openTab('Load');
    fireEvent.click(screen.getByTestId('load-start'));
    const error = await screen.findByTestId('load-error');
    expect(error.textContent).toContain('drill "Kill one"');
    expect(screen.queryByTestId('load-progress')).toBeNull();
  });
});

describe('drills', () => {
  it('adds the sample drill, runs it, follows its steps and shows the report', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    openTab('Drills');
    fireEvent.click(screen.getByTestId('add-sample-drill'));
    await screen.findByTestId('drill-run-Kill one backend under load');
    const saved = bridge.callsOf('drills:save')[0]!.drill;
    expect(saved).toMatchObject({
      name: 'Kill one backend under load',
      service: 'web',
      durationMs: 25_000,
      load: {
        rate: 100,
        requests: [
          { method: 'GET', path: '/', weight: 3 },
          { method: 'POST', path: '/', weight: 1 },
        ],
      },
      steps: [
        { action: 'kill', atMs: 5000, backend: 'b' },
        { action: 'revive', atMs: 15000, backend: 'b' },
      ],
    });

    fireEvent.click(screen.getByTestId('drill-run-Kill one backend under load'));
    await waitFor(() => expect(bridge.callsOf('drills:run')).toEqual([{ name: 'Kill one backend under load' }]));
    const progress = await screen.findByTestId('drill-progress');
    expect(progress.textContent).toContain('Running “Kill one backend under load”');
    expect(screen.getByTestId('drill-stop')).toBeTruthy();
    act(() =>
      bridge.push({
        channel: 'event',
        event: { type: 'drill:step', at: 2, drill: 'Kill one backend under load', index: 0, atMs: 5000, action: 'kill', service: 'web', backend: 'b', label: 'kill b' },
      }),
    );
    expect(progress.textContent).toContain('last step: kill b');
    expect(within(progress).getAllByRole('listitem')[0]!.className).toContain('done');

    const drill = DrillSchema.parse(saved);
    act(() => bridge.finishDrill(drillReport(drill)));
    const report = await screen.findByTestId('drill-report');
    expect(screen.queryByTestId('drill-progress')).toBeNull();
    expect(within(report).getByTestId('drill-verdict').textContent).toContain('Clean');
    expect(within(report).getByTestId('report-failed-gets').textContent).toBe('0');
    expect(within(report).getByTestId('report-duplicated-posts').textContent).toBe('0');
    expect(within(report).getByTestId('report-retries').textContent).toBe('17');
    expect(within(report).getByTestId('report-ejections').textContent).toBe('1');
    const outcomes = within(within(report).getByTestId('report-outcomes')).getAllByRole('row');
    expect(outcomes.map((r) => r.querySelector('th')?.textContent)).toEqual(['Method', 'GET', 'POST', 'All']);
    expect(outcomes[2]!.textContent).toContain('625');
    const steps = within(within(report).getByTestId('report-steps')).getAllByRole('row');
    expect(steps[1]!.textContent).toContain('412 ms');
    expect(steps[1]!.textContent).toContain('380 ms');

    fireEvent.change(within(report).getByLabelText('Export to a file on the host'), { target: { value: '/tmp/drill' } });
    fireEvent.click(within(report).getByTestId('export-html'));
    await within(report).findByText(/Wrote 1.234 bytes to \/tmp\/drill.html/);
    expect(bridge.callsOf('drills:export')).toEqual([{ format: 'html', path: '/tmp/drill.html' }]);
  });

  it('shows a CONFLICT when a drill cannot start', async () => {
    const bridge = webBridge();
    bridge.drills = [DrillSchema.parse({ name: 'd1', service: 'web', durationMs: 5000 })];
    bridge.overrides['drills:run'] = () => ({ ok: false, error: { code: 'CONFLICT', message: 'a load run is already going (started by load:start); stop it first' } });
    await renderWeb(bridge);
    openTab('Drills');
    fireEvent.click(await screen.findByTestId('drill-run-d1'));
    expect((await screen.findByTestId('drill-error')).textContent).toContain('already going');
  });

  it('creates a drill with the editor, checking steps against the duration', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    openTab('Drills');
    fireEvent.click(screen.getByRole('button', { name: 'New drill' }));
    const editor = screen.getByTestId('drill-editor');
    fireEvent.change(within(editor).getByLabelText('Name'), { target: { value: 'fault b' } });
    fireEvent.change(within(editor).getByLabelText('Duration (s)'), { target: { value: '10' } });
    const steps = within(editor).getAllByTestId('drill-step');
    fireEvent.change(within(steps[1]!).getByLabelText('At (s)'), { target: { value: '12' } });
    expect(within(editor).getByText('must be within the drill (10000 ms)')).toBeTruthy();
    fireEvent.click(within(editor).getByRole('button', { name: 'Save drill' }));
    expect(bridge.callsOf('drills:save')).toHaveLength(0);

    fireEvent.change(within(steps[1]!).getByLabelText('At (s)'), { target: { value: '8' } });
    fireEvent.change(within(steps[0]!).getByLabelText('Action'), { target: { value: 'fault' } });
    fireEvent.change(within(steps[0]!).getByLabelText('Backend'), { target: { value: 'b' } });
    fireEvent.change(within(steps[1]!).getByLabelText('Action'), { target: { value: 'heal' } });
    fireEvent.change(within(steps[1]!).getByLabelText('Backend'), { target: { value: '' } });
    fireEvent.click(within(editor).getByRole('button', { name: 'Save drill' }));
    await waitFor(() => expect(bridge.callsOf('drills:save')).toHaveLength(1));
    expect(bridge.callsOf('drills:save')[0]!.drill).toMatchObject({
      name: 'fault b',
      service: 'web',
      durationMs: 10_000,
      steps: [
        { action: 'fault', atMs: 5000, backend: 'b', faults: [{ type: 'error', status: 503, toxicity: 1, enabled: true }] },
        { action: 'heal', atMs: 8000 },
      ],
    });
    await screen.findByTestId('drill-row-fault b');
    expect(screen.queryByTestId('drill-editor')).toBeNull();
  });
});

describe('TCP services', () => {
  it('shows connection columns for a TCP service and hides the HTTP ones', async () => {
    const bridge = new FakeBridge([serviceView('db', [backendView('tcp://127.0.0.1:5432', { name: 'pg' })], { protocol: 'tcp', listen: '127.0.0.1:6432', address: '127.0.0.1:6432' })]);
    const { store } = renderApp(bridge);
    await screen.findByTestId('backend-row-pg');
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(expect.arrayContaining(['Open conns', 'Conn/s', 'In / out per s', 'Connect p50 / p99 ms', 'Connect errors / resets']));
    expect(headers).not.toContain('Req/s');
    expect(headers).not.toContain('Errors');
    // The URL, without the scheme the service implies, under a name that is not already its host:port.
    expect(screen.getByTestId('backend-row-pg').querySelector('th')!.textContent).toBe('pg127.0.0.1:5432');

    const snap = snapshot(1, bridge.services[0]!, { pg: 4 });
    const b = snap.services[0]!.backends[0]!;
    Object.assign(b, { inFlight: 7, bytesIn: 512, bytesOut: 4096, errors: { refused: 1, timeout: 1, tls: 0, other: 0, reset: 3 } });
    act(() => store.getState().ingestSnapshot(snap));
    const cells = [...screen.getByTestId('backend-row-pg').querySelectorAll('td')].map((td) => td.textContent);
    // Open, conn/s, bytes in/out (per second over the 500 ms tick), connect p50/p99, connect errors / resets.
    expect(cells).toEqual(expect.arrayContaining(['7', '4.0', '1.0 KiB / 8.0 KiB', '5.0 / 20.0', '2 / 3']));
    expect(screen.getByText('Connections/s per backend')).toBeTruthy();
    expect(screen.getByText(/Connect time per backend/)).toBeTruthy();
    expect(screen.getByTestId('chart-bytes')).toBeTruthy();
    expect(screen.queryByTestId('chart-status')).toBeNull();
  });

  it('keeps the HTTP columns for an HTTP service', async () => {
    const bridge = webBridge();
    const { store } = await renderWeb(bridge);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(expect.arrayContaining(['In-flight', 'Req/s', 'p50 / p99 ms', 'Errors']));
    expect(headers).not.toContain('Open conns');
    expect(headers).not.toContain('Connect errors / resets');
    act(() => store.getState().ingestSnapshot(snapshot(1, bridge.services[0]!, { a: 4 })));
    expect(screen.getByText('Requests/s per backend')).toBeTruthy();
    expect(screen.getByTestId('chart-status')).toBeTruthy();
  });
});

describe('tabs', () => {
  it('moves between tabs with the arrow keys and keeps the event log visible', async () => {
    await renderWeb();
    const traffic = screen.getByRole('tab', { name: 'Traffic' });
    expect(traffic.getAttribute('aria-selected')).toBe('true');
    traffic.focus();
    fireEvent.keyDown(traffic, { key: 'ArrowRight' });
    const load = screen.getByRole('tab', { name: 'Load' });
    expect(load.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(load);
    expect(screen.getByTestId('load-start')).toBeTruthy();
    expect(screen.getByTestId('event-log')).toBeTruthy();
    fireEvent.keyDown(load, { key: 'End' });
    expect(screen.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true');
  });

  it('lists the demo backends from demo:list on connect', async () => {
    const bridge = webBridge();
    const a = bridge.services[0]!.backends[0]!;
    bridge.demos = [demoView('a', a.url, '#59a14f', [{ service: 'web', backend: 'a', backendId: a.id }])];
    await renderWeb(bridge);
    const dot = await screen.findByTestId('demo-dot-a');
    expect(dot.style.background).toBe('rgb(89, 161, 79)');
  });
});
