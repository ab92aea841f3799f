/**
 * A banner across the window while the core is not reachable. A workbench
 * that stays away for long has probably stopped (or restarted elsewhere):
 * past STILL_AWAY_MS the banner says what to do rather than promising a
 * reconnect. Once the host refused this tab (HostNotice), that notice
 * speaks instead.
 */
import { useEffect, useState } from 'react';
import { useApp } from '../store/context';
import { useHostEnded } from './HostNotice';

/** How long a lost connection is "reconnecting" before the banner says the workbench may be gone. */
export const STILL_AWAY_MS = 20_000;

export function ConnectionBanner() {
  const connected = useApp((s) => s.connected);
  const everConnected = useApp((s) => s.everConnected);
  const ended = useHostEnded();
  const [longAway, setLongAway] = useState(false);
  useEffect(() => {
    setLongAway(false);
    if (connected || !everConnected) return;
    const timer = setTimeout(() => setLongAway(true), STILL_AWAY_MS);
    return () => clearTimeout(timer);
  }, [connected, everConnected]);
  if (connected || ended) return null;
  return (
    <div className="banner banner-warn" role="alert" data-testid="connection-banner">
      {!everConnected
        ? 'Connecting to the workbench…'
        : longAway
          ? 'The workbench has not answered for a while: it may have stopped. Still trying… If you restarted it, open the address it printed; what this page shows is from before it stopped.'
          : 'Disconnected from the workbench. Reconnecting… Changes cannot be made until it is back.'}
    </div>
  );
}
