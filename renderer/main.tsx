/** The renderer's entry: one bridge, one store, wired together, then the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import { createBridge } from './bridge';
import { createActions } from './store/actions';
import { connectStore } from './store/connect';
import { AppProvider } from './store/context';
import { createAppStore } from './store/store';
import './styles.css';

// The page's CSP has no 'unsafe-eval'; tell zod not to probe for `new Function`.
z.config({ jitless: true });

const bridge = createBridge();
const store = createAppStore();
const actions = createActions(store, bridge);
connectStore(store, bridge, actions);

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <AppProvider store={store} actions={actions}>
      <App />
    </AppProvider>
  </StrictMode>,
);
