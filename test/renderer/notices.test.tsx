// @vitest-environment jsdom
/**
 * What the user must not miss: a change the core refused (banner and event
 * log), services listening beyond this machine (a banner that stays while
 * they do), and a backend's last failed attempt in its row, TLS failures
 * counted with the others.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorData, StatsSnapshot, WorkbenchEvent } from '../../core/contract';
import { formatTime } from '../../renderer/components/format';
import { selectHistory } from '../../renderer/store/selectors';
import { backendView, FakeBridge, serviceView, snapshot } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

function webBridge(extra: Parameters<typeof serviceView>[2] = {}) {
  return new FakeBridge([
    serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('https://127.0.0.1:3443', { name: 'secure' })], extra),
  ]);
}

async function renderWeb(bridge = webBridge()) {
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  return app;
}

const PORT_IN_USE: ErrorData = { code: 'PORT_IN_USE', message: 'port 8081 on 127.0.0.1 is already in use' };
const rejected = (at: number, error: ErrorData = PORT_IN_USE): WorkbenchEvent => ({ type: 'config:rejected', at, cause: 'service web updated', error });

describe('a refused change', () => {
  it('shows a notice with the reason until dismissed, logs it, and reads nothing again', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    const lists = bridge.callsOf('services:list').length;
    act(() => bridge.push({ channel: 'event', event: rejected(bridge.now) }));

    const notice = screen.getByTestId('change-refused');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(within(notice).getByTestId('change-refused-reason').textContent).toBe('port 8081 on 127.0.0.1 is already in use');
    expect(notice.textContent).toBe(
      `Change refused, nothing changed: port 8081 on 127.0.0.1 is already in use (service web updated, at ${formatTime(bridge.now)}; everything keeps running as it was)Dismiss`,
    );
    const row = within(screen.getByTestId('event-log')).getAllByTestId('event-row')[0]!;
    expect([...row.querySelectorAll('td')].slice(1).map((td) => td.textContent)).toEqual([
      'change refused',
      '',
      '',
      'change refused (service web updated), nothing changed: port 8081 on 127.0.0.1 is already in use',
    ]);
    // Nothing changed in the core, so the lists are not read again.
    expect(bridge.callsOf('services:list')).toHaveLength(lists);

    // A newer refusal replaces the notice; Dismiss (by keyboard too: it is a button) removes it.
    act(() => bridge.push({ channel: 'event', event: rejected(bridge.now + 1000, { code: 'CONFIG_INVALID', message: 'services[0].tls.ca: cannot read /nope.pem: no such file' }) }));
    expect(screen.getByTestId('change-refused-reason').textContent).toBe('services[0].tls.ca: cannot read /nope.pem: no such file');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the refused change notice' }));
    expect(screen.queryByTestId('change-refused')).toBeNull();
    expect(within(screen.getByTestId('event-log')).getAllByTestId('event-row')).toHaveLength(2);
  });

  it('from the settings panel: the error under the form and the notice both say why', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    const error: ErrorData = { code: 'CONFIG_INVALID', message: 'services "web": tls.ca: cannot read /etc/nope.pem: no such file' };
    // As the core does: the refusal is announced, then answered.
    bridge.overrides['services:update'] = () => {
      bridge.push({ channel: 'event', event: { type: 'config:rejected', at: bridge.now, cause: 'service web updated', error } });
      return { ok: false, error };
    };
    const panel = screen.getByTestId('settings-web');
    fireEvent.click(within(panel).getByTestId('settings-toggle'));
    fireEvent.change(within(panel).getByLabelText('CA file'), { target: { value: '/etc/nope.pem' } });
    fireEvent.click(within(panel).getByTestId('settings-apply'));

    expect((await within(panel).findByTestId('settings-error')).textContent).toBe(error.message);
    expect(screen.getByTestId('change-refused-reason').textContent).toBe(error.message);
    expect((within(panel).getByLabelText('CA file') as HTMLInputElement).value).toBe('/etc/nope.pem');
    expect(bridge.services[0]!.tls).toBeUndefined();
  });
});

describe('exposure warning', () => {
  it('names each service that listens beyond loopback, and goes when none does', async () => {
    const bridge = new FakeBridge([
      serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })], { listen: '0.0.0.0:8080', address: '0.0.0.0:8080' }),
      serviceView('local', [], { listen: '127.0.0.1:8081', address: '127.0.0.1:8081' }),
    ]);
    await renderWeb(bridge);
    const banner = screen.getByTestId('exposure-warning');
    expect(banner.textContent).toBe(
      'Reachable from other machines: service "web" listens on 0.0.0.0:8080: every IPv4 address of this machine, reachable from other machines (use 127.0.0.1:8080 to keep it on this machine)',
    );
    // It stays: there is nothing to dismiss.
    expect(within(banner).queryByRole('button')).toBeNull();

    // A second one: both listed.
    bridge.services = bridge.services.map((s) => (s.name === 'local' ? { ...s, listen: '[::]:8081', address: '[::]:8081' } : s));
    act(() => bridge.push({ channel: 'event', event: { type: 'config:changed', at: 1, cause: 'service local updated', changes: [], services: bridge.services } }));
    await waitFor(() => expect(within(screen.getByTestId('exposure-warning')).queryAllByRole('listitem')).toHaveLength(2));
    expect(within(screen.getByTestId('exposure-warning')).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^service "web" listens on 0\.0\.0\.0:8080: /),
      expect.stringMatching(/^service "local" listens on \[::\]:8081: every address of this machine/),
    ]);

    // Both back on loopback (localhost counts): the banner goes.
    bridge.services = bridge.services.map((s) => ({ ...s, listen: s.name === 'web' ? '127.0.0.1:8080' : 'localhost:8081' }));
    act(() => bridge.push({ channel: 'event', event: { type: 'config:changed', at: 2, cause: 'services moved', changes: [], services: bridge.services } }));
    await waitFor(() => expect(screen.queryByTestId('exposure-warning')).toBeNull());
  });
});

describe('a backend’s last error', () => {
  /** A tick where `secure` failed TLS on 2 of its 4 attempts and `a` answered its 4 requests. */
  function tlsTick(bridge: FakeBridge, tick: number, errorAt: number): StatsSnapshot {
    const snap = snapshot(tick, bridge.services[0]!, { a: 8, secure: 8 });
    const svc = snap.services[0]!;
    const secure = svc.backends.find((b) => b.name === 'secure')!;
    Object.assign(secure, {
      status: { ...secure.status, '2xx': 2 },
      errors: { ...secure.errors, tls: 2 },
      lastError: { code: 'LB_UPSTREAM_TLS', message: 'self-signed certificate', at: errorAt },
    });
    Object.assign(svc, { status: { ...svc.status, '2xx': 6 }, errors: { ...svc.errors, tls: 2 } });
    return snap;
  }

  it('shows the code, reason and time under the health badge, and counts TLS failures as errors', async () => {
    const bridge = webBridge();
    const { store } = await renderWeb(bridge);
    const snap = tlsTick(bridge, 1, 1_700_000_000_000);
    act(() => store.getState().ingestSnapshot(snap));

    const line = screen.getByTestId('last-error-secure');
    expect(line.textContent).toBe(`Last error: LB_UPSTREAM_TLS: self-signed certificate · ${formatTime(1_700_000_000_000)}`);
    expect(line.getAttribute('title')).toBe(`Last failed attempt, at ${formatTime(1_700_000_000_000)}: LB_UPSTREAM_TLS: self-signed certificate`);
    expect(line.className).toBe('last-error recent');
    // Keyboard users reach it too (focus shows the whole line).
    expect(line.tabIndex).toBe(0);
    expect(line.closest('td')!.className).toBe('health-cell');
    expect(screen.queryByTestId('last-error-a')).toBeNull();

    // Errors column: 2 TLS failures of 4 attempts; the status chart's errors series counts them too (per second).
    const errors = (name: string) => [...screen.getByTestId(`backend-row-${name}`).querySelectorAll('td.num')][3]!;
    expect(errors('secure').textContent).toBe('50%');
    expect(errors('secure').className).toBe('num bad');
    expect(errors('a').textContent).toBe('0%');
    expect(selectHistory(store.getState(), 'web').rows.at(-1)!.errors).toBe(4);

    // A minute later, with no new failure, the line stays (it is the last one) but no longer looks current.
    act(() => store.getState().ingestSnapshot(tlsTick(bridge, 121, 1_700_000_000_000)));
    expect(screen.getByTestId('last-error-secure').className).toBe('last-error');
  });
});
