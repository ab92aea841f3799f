// @vitest-environment jsdom
/** The retry policy of a service, edited live from the UI. */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const DEFAULTS = { attempts: 3, retryNonIdempotent: false, onStatus: [], budgetPercent: 50, minRetryConcurrency: 10, replayBufferBytes: 65536 };

async function renderService(protocol: 'http' | 'tcp' = 'http') {
  const url = protocol === 'http' ? 'http://127.0.0.1:3001' : 'tcp://127.0.0.1:5432';
  const bridge = new FakeBridge([serviceView('web', [backendView(url, { name: 'a' })], { protocol })]);
  renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  const panel = screen.getByTestId('retries-web');
  return { bridge, panel, ui: within(panel) };
}

const apply = (panel: HTMLElement) => within(panel).getByTestId('retries-apply') as HTMLButtonElement;

describe('retry settings', () => {
  it('shows the policy, and Apply sends one services:update with the whole policy', async () => {
    const { bridge, panel, ui } = await renderService();
    expect(ui.getByTestId('retries-summary').textContent).toBe('up to 3 tries, on connection errors');
    expect((ui.getByLabelText('Tries per request') as HTMLInputElement).value).toBe('3');
    expect(apply(panel).disabled).toBe(true); // nothing changed yet

    fireEvent.change(ui.getByLabelText('Tries per request'), { target: { value: '2' } });
    fireEvent.change(ui.getByLabelText('Also retry on statuses'), { target: { value: '503, 502' } });
    expect(apply(panel).disabled).toBe(false);
    fireEvent.click(apply(panel));

    await waitFor(() => expect(ui.getByRole('status').textContent).toBe('Applied.'));
    expect(bridge.callsOf('services:update')).toEqual([{ service: 'web', patch: { retries: { ...DEFAULTS, attempts: 2, onStatus: [503, 502] } } }]);
    expect(ui.getByTestId('retries-summary').textContent).toBe('up to 2 tries, on connection errors, and on 503, 502');
    expect((ui.getByLabelText('Also retry on statuses') as HTMLInputElement).value).toBe('503, 502');
  });

  it('flags bad input by field as you type and sends nothing', async () => {
    const { bridge, panel, ui } = await renderService();
    fireEvent.change(ui.getByLabelText('Also retry on statuses'), { target: { value: '503, abc' } });
    expect(panel.querySelector('.field-error')!.textContent).toMatch(/HTTP statuses separated by commas/);
    expect(apply(panel).disabled).toBe(true);
    fireEvent.change(ui.getByLabelText('Also retry on statuses'), { target: { value: '200' } });
    expect(panel.querySelector('.field-error')!.textContent).toBe('statuses from 400 to 599');
    fireEvent.change(ui.getByLabelText('Also retry on statuses'), { target: { value: '503' } });
    fireEvent.change(ui.getByLabelText('Tries per request'), { target: { value: '0' } });
    expect(panel.querySelector('.field-error')!.textContent).toMatch(/1 to 10/);
    expect(apply(panel).disabled).toBe(true);
    fireEvent.submit(apply(panel).closest('form')!);
    expect(bridge.callsOf('services:update')).toHaveLength(0);
  });

  it('shows what the core rejects and keeps what was typed', async () => {
    const { bridge, panel, ui } = await renderService();
    bridge.overrides['services:update'] = () => ({ ok: false, error: { code: 'INPUT_INVALID', message: 'the workspace was rejected' } });
    fireEvent.click(ui.getByLabelText(/Retry POST and PATCH too/));
    expect(ui.getByText(/may then run twice/)).toBeTruthy();
    fireEvent.click(apply(panel));
    expect((await ui.findByTestId('retries-error')).textContent).toBe('the workspace was rejected');
    expect((ui.getByLabelText(/Retry POST and PATCH too/) as HTMLInputElement).checked).toBe(true);
    expect(ui.getByTestId('retries-summary').textContent).toBe('up to 3 tries, on connection errors');
  });

  it('offers no status retries on a TCP service', async () => {
    const { ui } = await renderService('tcp');
    expect(ui.queryByLabelText('Also retry on statuses')).toBeNull();
    expect(ui.getByLabelText('Tries per request')).toBeTruthy();
  });
});
