// @vitest-environment jsdom
/** A service's "Health & retries" settings, edited live from the UI. */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceView } from '../../core/contract';
import { HealthCheckSchema, PassiveHealthSchema } from '../../core/model/spec';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const RETRIES = { attempts: 3, retryNonIdempotent: false, onStatus: [], budgetPercent: 50, minRetryConcurrency: 10, replayBufferBytes: 65536 };
const TIMEOUTS = { connectMs: 2000, responseMs: 30000, idleMs: 60000, clientHeadersMs: 10000 };
const HEALTH = HealthCheckSchema.parse({ path: '/healthz', intervalMs: 2000, fall: 3 });
const PASSIVE = PassiveHealthSchema.parse({ consecutive5xx: 4 });

async function renderService(protocol: 'http' | 'tcp' = 'http', extra: Partial<ServiceView> = {}) {
  const url = protocol === 'http' ? 'http://127.0.0.1:3001' : 'tcp://127.0.0.1:5432';
  const checks = protocol === 'http' ? { healthCheck: HEALTH, passiveHealth: PASSIVE } : {};
  const bridge = new FakeBridge([serviceView('web', [backendView(url, { name: 'a' })], { protocol, ...checks, ...extra })]);
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  const panel = screen.getByTestId('settings-web');
  return { bridge, app, panel, ui: within(panel) };
}

async function renderOpen(protocol: 'http' | 'tcp' = 'http', extra: Partial<ServiceView> = {}) {
  const r = await renderService(protocol, extra);
  fireEvent.click(r.ui.getByTestId('settings-toggle'));
  return r;
}

const input = (panel: HTMLElement, label: string) => within(panel).getByLabelText(label) as HTMLInputElement;
const type = (panel: HTMLElement, label: string, value: string) => fireEvent.change(input(panel, label), { target: { value } });
const apply = (panel: HTMLElement) => within(panel).getByTestId('settings-apply') as HTMLButtonElement;
/** The inline error an input points at, or null. */
const errorOf = (el: HTMLElement) => {
  // A field may also point at its help text; the error is the one whose id says so.
  const id = el
    .getAttribute('aria-describedby')
    ?.split(' ')
    .find((x) => x.endsWith('-error'));
  return id ? document.getElementById(id)!.textContent : null;
};

describe('health & retries settings', () => {
  it('is folded at first, then shows the service’s current values', async () => {
    const { panel, ui } = await renderService();
    const toggle = ui.getByTestId('settings-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(ui.queryByLabelText('Tries per request')).toBeNull();
    expect(ui.getByTestId('settings-summary').textContent).toBe('checks every 2000 ms · passive ejection · up to 3 tries');

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(input(panel, 'Active health check').checked).toBe(true);
    const shown = (labels: string[]) => labels.map((l) => input(panel, l).value);
    expect(shown(['Path', 'Check interval', 'Check timeout', 'Rise', 'Fall'])).toEqual(['/healthz', '2000', '500', '2', '3']);
    expect(input(panel, 'Passive health').checked).toBe(true);
    expect(shown(['Consecutive 5xx', 'Consecutive errors', 'Base ejection', 'Max ejected'])).toEqual(['4', '5', '10000', '50']);
    expect(shown(['Tries per request', 'Also retry on statuses', 'Connect timeout', 'Response timeout'])).toEqual(['3', '', '2000', '30000']);
    expect(input(panel, 'Retry POST and PATCH too').checked).toBe(false);
    // An HTTP service's idle timeout bounds response bodies and WebSocket tunnels; the help says so.
    expect(shown(['Idle timeout', 'Client headers timeout', 'Max header size'])).toEqual(['60000', '10000', '16']);
    expect(document.getElementById(input(panel, 'Idle timeout').getAttribute('aria-describedby')!)!.textContent).toMatch(
      /response body or WebSocket tunnel with no byte for this long is closed/,
    );
    expect(input(panel, 'Rewrite redirects to the balancer').checked).toBe(true);
    expect(input(panel, 'Verify certificates').checked).toBe(true);
    expect(shown(['CA file', 'Server name'])).toEqual(['', '']);
    expect(ui.queryByTestId('settings-tls-warning')).toBeNull();
    expect(apply(panel).disabled).toBe(true); // nothing changed yet
  });

  it('sends one services:update holding only the retries, then shows what the core has', async () => {
    const { bridge, panel, ui } = await renderOpen();
    type(panel, 'Also retry on statuses', '503, 502');
    type(panel, 'Tries per request', '2');
    expect(apply(panel).disabled).toBe(false);
    fireEvent.click(apply(panel));

    await waitFor(() => expect(ui.getByRole('status').textContent).toBe('Applied.'));
    expect(bridge.callsOf('services:update')).toEqual([{ service: 'web', patch: { retries: { ...RETRIES, attempts: 2, onStatus: [503, 502] } } }]);
    expect(bridge.services[0]!.retries).toEqual({ ...RETRIES, attempts: 2, onStatus: [503, 502] });
    // The core announced the change with the services as they are now (config:changed): nothing is read again.
    expect(bridge.calls.filter((c) => c.name === 'services:list')).toHaveLength(1);
    expect(input(panel, 'Tries per request').value).toBe('2');
    expect(input(panel, 'Also retry on statuses').value).toBe('503, 502');
    expect(ui.getByTestId('settings-summary').textContent).toBe('checks every 2000 ms · passive ejection · up to 2 tries (also on 503, 502)');
    expect(apply(panel).disabled).toBe(true);
  });

  it('turning the active health check off sends healthCheck: null', async () => {
    const { bridge, panel, ui } = await renderOpen();
    fireEvent.click(input(panel, 'Active health check'));
    expect(ui.queryByLabelText('Check interval')).toBeNull();
    fireEvent.click(apply(panel));

    await waitFor(() => expect(ui.getByRole('status').textContent).toBe('Applied.'));
    expect(bridge.callsOf('services:update')).toEqual([{ service: 'web', patch: { healthCheck: null } }]);
    expect(bridge.services[0]!.healthCheck).toBeUndefined();
    expect(input(panel, 'Active health check').checked).toBe(false);
    expect(ui.getByTestId('settings-summary').textContent).toMatch(/^no active checks · /);
  });

  it('puts changes to several sections in the one command, each section whole', async () => {
    const { bridge, panel, ui } = await renderOpen();
    type(panel, 'Check interval', '1500');
    type(panel, 'Rise', '1');
    type(panel, 'Connect timeout', '1000');
    fireEvent.click(input(panel, 'Passive health'));
    fireEvent.click(apply(panel));

    await waitFor(() => expect(ui.getByRole('status').textContent).toBe('Applied.'));
    expect(bridge.callsOf('services:update')).toEqual([
      {
        service: 'web',
        patch: { healthCheck: { ...HEALTH, intervalMs: 1500, rise: 1 }, passiveHealth: null, timeouts: { ...TIMEOUTS, connectMs: 1000 } },
      },
    ]);
  });

  it('flags bad input under the field, names it, and sends nothing', async () => {
    const { bridge, panel, ui } = await renderOpen();
    type(panel, 'Connect timeout', '1000'); // a valid change elsewhere is held back too
    type(panel, 'Tries per request', '0');
    expect(errorOf(input(panel, 'Tries per request'))).toBe('must be at least 1');
    expect(input(panel, 'Tries per request').getAttribute('aria-invalid')).toBe('true');
    expect(ui.getByTestId('settings-invalid').textContent).toMatch(/Tries per request is fixed/);
    expect(apply(panel).disabled).toBe(true);

    type(panel, 'Also retry on statuses', 'abc');
    expect(errorOf(input(panel, 'Also retry on statuses'))).toMatch(/HTTP statuses separated by commas/);
    type(panel, 'Rise', '0');
    expect(errorOf(input(panel, 'Rise'))).toBe('must be at least 1');
    type(panel, 'Check interval', '');
    expect(errorOf(input(panel, 'Check interval'))).toBe('enter a number');
    type(panel, 'Path', 'health');
    expect(errorOf(input(panel, 'Path'))).toBe('must start with /');
    expect(ui.getByTestId('settings-invalid').textContent).toBe(
      'Nothing is sent until Path, Check interval, Rise, Tries per request and Also retry on statuses are fixed.',
    );
    fireEvent.submit(apply(panel).closest('form')!);

    type(panel, 'Also retry on statuses', '503, 200');
    expect(errorOf(input(panel, 'Also retry on statuses'))).toBe('200: must be at least 400');
    fireEvent.submit(apply(panel).closest('form')!);
    expect(bridge.callsOf('services:update')).toHaveLength(0);
    expect(ui.queryByRole('status')).toBeNull();
  });

  it('shows what the core rejects and keeps what the user typed', async () => {
    const { bridge, panel, ui } = await renderOpen();
    bridge.overrides['services:update'] = () => ({ ok: false, error: { code: 'CONFIG_INVALID', message: 'the workspace was rejected' } });
    type(panel, 'Tries per request', '2');
    fireEvent.click(input(panel, 'Retry POST and PATCH too'));
    expect(ui.getByTestId('settings-post-warning').textContent).toMatch(/POST or PATCH may then run twice/);
    fireEvent.click(apply(panel));

    expect((await ui.findByTestId('settings-error')).textContent).toBe('the workspace was rejected');
    expect(bridge.callsOf('services:update')).toHaveLength(1);
    expect(input(panel, 'Tries per request').value).toBe('2');
    expect(input(panel, 'Retry POST and PATCH too').checked).toBe(true);
    expect(ui.queryByRole('status')).toBeNull();
    // Nothing changed: the service is as it was, and Apply can try again.
    expect(ui.getByTestId('settings-summary').textContent).toBe('checks every 2000 ms · passive ejection · up to 3 tries');
    expect(bridge.services[0]!.retries).toEqual(RETRIES);
    expect(apply(panel).disabled).toBe(false);
  });

  it('offers a TCP service only what TCP uses: no onStatus, POST retries, check path, response timeout or 5xx ejection', async () => {
    const { bridge, panel, ui } = await renderOpen('tcp');
    expect(input(panel, 'Active health check').checked).toBe(false);
    expect(input(panel, 'Passive health').checked).toBe(false);
    expect(ui.queryByLabelText('Also retry on statuses')).toBeNull();
    expect(ui.queryByLabelText('Response timeout')).toBeNull();
    expect(input(panel, 'Idle timeout').value).toBe('60000');
    // Nor what only HTTP has: a client's request head, header limits, redirects, TLS to https backends.
    for (const label of ['Client headers timeout', 'Max header size', 'Rewrite redirects to the balancer', 'Verify certificates', 'CA file', 'Server name']) {
      expect(ui.queryByLabelText(label)).toBeNull();
    }
    // A TCP service retries the connect only: per connection, whatever the client then sends.
    expect(input(panel, 'Tries per connection').value).toBe('3');
    expect(ui.queryByLabelText('Retry POST and PATCH too')).toBeNull();

    fireEvent.click(input(panel, 'Active health check'));
    fireEvent.click(input(panel, 'Passive health'));
    expect(ui.queryByLabelText('Path')).toBeNull();
    expect(ui.queryByLabelText('Consecutive 5xx')).toBeNull();
    expect(input(panel, 'Check interval').value).toBe('1000');
    type(panel, 'Expect', '/(/');
    expect(errorOf(input(panel, 'Expect'))).toMatch(/not a valid regular expression/);
    expect(apply(panel).disabled).toBe(true);
    type(panel, 'Send', 'PING');
    type(panel, 'Expect', 'PONG');
    fireEvent.click(apply(panel));

    await waitFor(() => expect(ui.getByRole('status').textContent).toBe('Applied.'));
    expect(bridge.callsOf('services:update')).toEqual([
      {
        service: 'web',
        patch: {
          healthCheck: { ...HealthCheckSchema.parse({ type: 'tcp' }), send: 'PING', expect: 'PONG' },
          passiveHealth: PassiveHealthSchema.parse({}),
        },
      },
    ]);
    expect(input(panel, 'Send').value).toBe('PING');
  });

  it('an untouched form follows a change made elsewhere; an edited one keeps the edit', async () => {
    const { bridge, panel } = await renderOpen();
    type(panel, 'Connect timeout', '900');
    bridge.services = bridge.services.map((s) => ({ ...s, retries: { ...s.retries, attempts: 5 }, timeouts: { ...s.timeouts, connectMs: 3000 } }));
    act(() => bridge.push({ channel: 'event', event: { type: 'config:changed', at: 1, cause: 'another window', changes: [], services: bridge.services } }));
    await waitFor(() => expect(input(panel, 'Tries per request').value).toBe('5'));
    expect(input(panel, 'Connect timeout').value).toBe('900');
  });

  it('sends only the changed sections: idle timeout and redirects, then the header limit alone', async () => {
    const { bridge, panel, ui } = await renderOpen();
    type(panel, 'Idle timeout', '15000');
    fireEvent.click(input(panel, 'Rewrite redirects to the balancer'));
    fireEvent.click(apply(panel));

    await waitFor(() => expect(ui.getByRole('status').textContent).toBe('Applied.'));
    expect(bridge.callsOf('services:update')).toEqual([{ service: 'web', patch: { timeouts: { ...TIMEOUTS, idleMs: 15000 }, rewriteRedirects: false } }]);
    expect(bridge.services[0]!.timeouts.idleMs).toBe(15000);
    expect(bridge.services[0]!.rewriteRedirects).toBe(false);
    await waitFor(() => expect(input(panel, 'Rewrite redirects to the balancer').checked).toBe(false));

    type(panel, 'Max header size', '32');
    fireEvent.click(apply(panel));
    await waitFor(() => expect(bridge.callsOf('services:update')).toHaveLength(2));
    expect(bridge.callsOf('services:update')[1]).toEqual({ service: 'web', patch: { limits: { maxHeaderBytes: 32 * 1024 } } });
    await waitFor(() => expect(apply(panel).disabled).toBe(true));
    expect(input(panel, 'Max header size').value).toBe('32');
  });

  it('flags typos and out-of-range values in the new fields with the schema’s limits, and sends nothing', async () => {
    const { bridge, panel, ui } = await renderOpen();
    type(panel, 'Idle timeout', '6O000'); // a letter O
    expect(errorOf(input(panel, 'Idle timeout'))).toBe('enter a number');
    type(panel, 'Idle timeout', '-1');
    expect(errorOf(input(panel, 'Idle timeout'))).toBe('must be at least 0');
    type(panel, 'Client headers timeout', '50');
    expect(errorOf(input(panel, 'Client headers timeout'))).toBe('must be at least 100');
    // The limit is in bytes in the schema and in KiB in the form: its bounds are said in KiB.
    type(panel, 'Max header size', '512');
    expect(errorOf(input(panel, 'Max header size'))).toBe('must be at most 256 KiB');
    type(panel, 'Max header size', '0.5');
    expect(errorOf(input(panel, 'Max header size'))).toBe('must be at least 1 KiB');
    type(panel, 'Server name', 'a'.repeat(254));
    expect(errorOf(input(panel, 'Server name'))).toBe('must be at most 253 characters');
    expect(input(panel, 'Server name').getAttribute('aria-invalid')).toBe('true');
    expect(ui.getByTestId('settings-invalid').textContent).toBe(
      'Nothing is sent until Idle timeout, Client headers timeout, Max header size and Server name are fixed.',
    );
    expect(apply(panel).disabled).toBe(true);
    fireEvent.submit(apply(panel).closest('form')!);

    // Fixed, the field's error goes and Apply comes back; 1.5 KiB is whole bytes.
    type(panel, 'Idle timeout', '0');
    type(panel, 'Client headers timeout', '100');
    type(panel, 'Max header size', '1.5');
    type(panel, 'Server name', '');
    expect(errorOf(input(panel, 'Max header size'))).toBeNull();
    expect(ui.queryByTestId('settings-invalid')).toBeNull();
    expect(bridge.callsOf('services:update')).toHaveLength(0);
    fireEvent.click(apply(panel));
    await waitFor(() => expect(bridge.callsOf('services:update')).toHaveLength(1));
    expect(bridge.callsOf('services:update')[0]).toEqual({
      service: 'web',
      patch: { timeouts: { ...TIMEOUTS, idleMs: 0, clientHeadersMs: 100 }, limits: { maxHeaderBytes: 1536 } },
    });
  });

  it('TLS: verify off warns and is sent alone; a CA and server name replace the section; back to the defaults removes it', async () => {
    const { bridge, panel, ui } = await renderOpen();
    fireEvent.click(input(panel, 'Verify certificates'));
    expect(ui.getByTestId('settings-tls-warning').textContent).toMatch(/^Certificates are not checked/);
    fireEvent.click(apply(panel));
    await waitFor(() => expect(bridge.callsOf('services:update')).toHaveLength(1));
    expect(bridge.callsOf('services:update')[0]).toEqual({ service: 'web', patch: { tls: { verify: false } } });
    await waitFor(() =>
      expect(ui.getByTestId('settings-summary').textContent).toBe('checks every 2000 ms · passive ejection · up to 3 tries · certificates not verified'),
    );

    fireEvent.click(input(panel, 'Verify certificates'));
    type(panel, 'CA file', ' /etc/lbw/dev-ca.pem ');
    type(panel, 'Server name', 'api.internal');
    expect(ui.queryByTestId('settings-tls-warning')).toBeNull();
    fireEvent.click(apply(panel));
    await waitFor(() => expect(bridge.callsOf('services:update')).toHaveLength(2));
    expect(bridge.callsOf('services:update')[1]).toEqual({
      service: 'web',
      patch: { tls: { verify: true, ca: '/etc/lbw/dev-ca.pem', servername: 'api.internal' } },
    });
    await waitFor(() => expect(bridge.services[0]!.tls).toEqual({ verify: true, ca: '/etc/lbw/dev-ca.pem', servername: 'api.internal' }));

    await waitFor(() => expect(input(panel, 'CA file').value).toBe('/etc/lbw/dev-ca.pem'));
    type(panel, 'CA file', '');
    type(panel, 'Server name', '');
    fireEvent.click(apply(panel));
    await waitFor(() => expect(bridge.callsOf('services:update')).toHaveLength(3));
    expect(bridge.callsOf('services:update')[2]).toEqual({ service: 'web', patch: { tls: null } });
    await waitFor(() => expect(bridge.services[0]!.tls).toBeUndefined());
  });

  it('shows a workspace’s own TLS settings, and untouched they send nothing', async () => {
    const { panel, ui } = await renderOpen('http', { tls: { verify: false, servername: 'dev.local' }, limits: { maxHeaderBytes: 20000 } });
    expect(input(panel, 'Verify certificates').checked).toBe(false);
    expect(input(panel, 'Server name').value).toBe('dev.local');
    expect(ui.getByTestId('settings-tls-warning')).toBeTruthy();
    // 20000 bytes is not a whole number of KiB; shown exactly, it reads back as the same bytes.
    expect(input(panel, 'Max header size').value).toBe('19.53125');
    expect(apply(panel).disabled).toBe(true);
    expect(ui.queryByTestId('settings-invalid')).toBeNull();
  });
});
