// @vitest-environment jsdom
/**
 * The connection banner and the stale marking (issue 16 #4): while the core
 * is away the page is marked stale; past STILL_AWAY_MS the banner stops
 * promising a reconnect and says what to do; once the host refused this tab
 * after a restart (HostEndedContext), the restart notice speaks instead and
 * the page is inert. (The restart itself, with real processes, is
 * test/e2e/restart.e2e.test.ts.)
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/App';
import { STILL_AWAY_MS } from '../../renderer/components/ConnectionBanner';
import { HostEndedContext } from '../../renderer/components/HostNotice';
import { createActions } from '../../renderer/store/actions';
import { connectStore } from '../../renderer/store/connect';
import { AppProvider } from '../../renderer/store/context';
import { createAppStore } from '../../renderer/store/store';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(() => {
  vi.useRealTimers();
  cleanup();
});

const layout = () => document.querySelector('.layout')!;

describe('while the workbench is away', () => {
  it('marks the page stale, and after a while says it may have stopped', async () => {
    const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
    renderApp(bridge);
    await screen.findByTestId('backend-row-a');
    expect(layout().getAttribute('data-stale')).toBeNull();

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    act(() => bridge.setConnected(false));
    expect(screen.getByTestId('connection-banner').textContent).toMatch(/Reconnecting…/);
    expect(layout().getAttribute('data-stale')).toBe('true');
    act(() => vi.advanceTimersByTime(STILL_AWAY_MS + 10));
    expect(screen.getByTestId('connection-banner').textContent).toMatch(/has not answered for a while: it may have stopped/);
    expect(screen.getByTestId('connection-banner').textContent).not.toMatch(/Reconnecting…/);

    act(() => bridge.setConnected(true));
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    expect(layout().getAttribute('data-stale')).toBeNull();
  });

  it('after a restart: the notice with the address, no reconnect banner, the page inert and stale', async () => {
    const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
    const store = createAppStore();
    const actions = createActions(store, bridge);
    connectStore(store, bridge, actions);
    render(
      <HostEndedContext.Provider value={{ kind: 'restarted', host: '127.0.0.1:4280' }}>
        <AppProvider store={store} actions={actions}>
          <App />
        </AppProvider>
      </HostEndedContext.Provider>,
    );
    await screen.findByTestId('backend-row-a');
    act(() => bridge.setConnected(false));
    expect(screen.getByTestId('restarted-notice').textContent).toContain('http://127.0.0.1:4280/#token=…');
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    expect(layout().getAttribute('data-stale')).toBe('true');
    expect(layout().hasAttribute('inert')).toBe(true);
    expect(screen.getByTestId('connection-state').textContent).toBe('stale');
    // The workspace bar's buttons act on a workbench that is gone: inert too.
    expect(screen.getByRole('button', { name: 'Open' }).closest('[inert]')).not.toBeNull();
  });
});
