/** A banner across the window while the core is not reachable. */
import { useApp } from '../store/context';

export function ConnectionBanner() {
  const connected = useApp((s) => s.connected);
  const everConnected = useApp((s) => s.everConnected);
  if (connected) return null;
  return (
    <div className="banner banner-warn" role="alert" data-testid="connection-banner">
      {everConnected
        ? 'Disconnected from the workbench. Reconnecting… Changes cannot be made until it is back.'
        : 'Connecting to the workbench…'}
    </div>
  );
}
