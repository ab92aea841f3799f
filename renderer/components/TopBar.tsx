/** The bar across the top: title, workspace file, connection state, theme and the keyboard shortcuts. */
import { useApp } from '../store/context';
import { selectTheme } from '../store/selectors';
import type { Theme } from '../store/ui-slice';
import { useHostEnded } from './HostNotice';
import { Shortcuts } from './Shortcuts';
import { WorkspaceBar } from './WorkspaceBar';

export function TopBar() {
  const theme = useApp(selectTheme);
  const setTheme = useApp((s) => s.setTheme);
  const connected = useApp((s) => s.connected);
  const ended = useHostEnded();
  return (
    <header className="topbar">
      <h1 className="app-title">LB Workbench</h1>
      {/* Its buttons act on the workbench; once that run has ended they are inert like the page below. */}
      <div className="topbar-workspace" inert={ended !== null || undefined}>
        <WorkspaceBar />
      </div>
      <span
        className={connected ? 'conn conn-up' : 'conn conn-down'}
        data-testid="connection-state"
        title={ended ? 'The workbench this page showed has ended: what you see is from its last moments' : undefined}
      >
        {ended ? 'stale' : connected ? 'connected' : 'offline'}
      </span>
      <label className="theme-pick small">
        Theme{' '}
        <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
          <option value="system">System</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
      <Shortcuts />
    </header>
  );
}
