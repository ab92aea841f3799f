/** The app's layout: top bar, banners (connection, exposure, a refused change, a workspace error), services sidebar, the selected service. */
import { useEffect } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { RestartedNotice, useHostEnded } from './components/HostNotice';
import { ExposureBanner, RejectedChangeBanner } from './components/Notices';
import { ServicePanel } from './components/ServicePanel';
import { Sidebar } from './components/Sidebar';
import { applyTheme } from './components/theme';
import { TopBar } from './components/TopBar';
import { UndoToast } from './components/UndoToast';
import { WorkspaceError } from './components/WorkspaceBar';
import { useApp } from './store/context';
import { selectTheme } from './store/selectors';

export function App() {
  const theme = useApp(selectTheme);
  const ended = useHostEnded();
  // Shown from a run that ended, or while the connection is down: greyed (styles.css), and inert once nothing can come back.
  const stale = useApp((s) => !s.connected && s.everConnected) || ended !== null;
  // Applied to the root element and kept for the next load (components/theme.ts).
  useEffect(() => applyTheme(theme), [theme]);

  return (
    <div className="app">
      <TopBar />
      <RestartedNotice />
      <ConnectionBanner />
      <ExposureBanner />
      <RejectedChangeBanner />
      <WorkspaceError />
      <div className="layout" data-stale={stale || undefined} inert={ended !== null || undefined}>
        <Sidebar />
        <ServicePanel />
      </div>
      <UndoToast />
    </div>
  );
}
