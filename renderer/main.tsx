/**
 * The renderer's entry: one bridge, one store, wired together, then the app.
 * In browser mode the tab needs its workbench's token first (bridge/token.ts);
 * without one, or with one the workbench refuses, the page says which URL to
 * open instead of showing a workbench that cannot connect. A token refused
 * after the page was connected means lbw serve restarted: the app stays, its
 * data marked stale, under a notice (components/HostNotice).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import { HostEndedContext, type HostEnded } from './components/HostNotice';
import { savedTheme } from './components/theme';
import { createBridge } from './bridge';
import { forgetToken, takeToken, tokenFromHash } from './bridge/token';
import { createActions } from './store/actions';
import { connectStore } from './store/connect';
import { AppProvider } from './store/context';
import { createAppStore } from './store/store';
import './styles.css';

// The page's CSP has no 'unsafe-eval'; tell zod not to probe for `new Function`.
z.config({ jitless: true });

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('#root is missing from index.html');
const root = createRoot(rootElement);

/** Browser mode without a usable token: what to open instead. */
function TokenNeeded({ refused }: { refused: boolean }) {
  return (
    <main className="welcome" style={{ margin: '48px auto', padding: 24 }} role="alert" data-testid="token-needed">
      <h2>LB Workbench</h2>
      <p>
        {refused
          ? 'This workbench did not accept the token this tab had (was lbw serve restarted?).'
          : 'This page was opened without the workbench’s token.'}{' '}
        Open the URL that <code>lbw serve</code> printed in its terminal: <code className="mono">http://{location.host}/#token=…</code>
      </p>
      <p className="muted small">
        The token lets this tab control the workbench. It stays in this tab (the part after # is never sent to a server) and is not kept in a cookie.
      </p>
    </main>
  );
}

// Pasting the printed URL into a tab already on this page only changes the fragment: load again to take the new token.
window.addEventListener('hashchange', () => {
  if (tokenFromHash(location.hash) !== null) location.reload();
});

const token = window.lbw ? '' : takeToken(window);
if (token === null) {
  root.render(<TokenNeeded refused={false} />);
} else {
  const store = createAppStore();
  // The theme chosen last (public/theme.js applied it before the first paint).
  store.getState().setTheme(savedTheme());
  const bridge = createBridge({
    token,
    onUnauthorized: () => {
      forgetToken(window);
      // Refused on a reconnect: the run this tab talked to ended and a new one
      // (new token) took its address. Keep what the page shows, marked stale, under a notice.
      if (store.getState().everConnected) renderApp({ kind: 'restarted', host: location.host });
      else root.render(<TokenNeeded refused />);
    },
  });
  const actions = createActions(store, bridge);
  connectStore(store, bridge, actions);
  const renderApp = (ended: HostEnded | null) =>
    root.render(
      <StrictMode>
        <HostEndedContext.Provider value={ended}>
          <AppProvider store={store} actions={actions}>
            <App />
          </AppProvider>
        </HostEndedContext.Provider>
      </StrictMode>,
    );
  renderApp(null);
}
