/** Renders the whole app against a bridge, as main.tsx does, for component tests. */
import { render } from '@testing-library/react';
import { App } from '../../renderer/App';
import type { Bridge } from '../../renderer/bridge/types';
import { createActions } from '../../renderer/store/actions';
import { connectStore } from '../../renderer/store/connect';
import { AppProvider } from '../../renderer/store/context';
import { createAppStore } from '../../renderer/store/store';

export function renderApp(bridge: Bridge) {
  const store = createAppStore();
  const actions = createActions(store, bridge);
  const disconnect = connectStore(store, bridge, actions);
  const view = render(
    <AppProvider store={store} actions={actions}>
      <App />
    </AppProvider>,
  );
  return { store, actions, disconnect, ...view };
}
