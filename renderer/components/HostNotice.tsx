/**
 * What the page knows about its host beyond "connected or not": that the
 * workbench this tab was talking to has ended and a new run refused the
 * tab's token (lbw serve restarted on the same address; every run has a new
 * token). Nothing reconnects from there, so the page says so once, plainly,
 * with the address to open, and marks everything it still shows as stale.
 *
 * It comes from the bridge's refusal (main.tsx), not from the store: it is
 * the end of this page's session, not state of the workbench.
 */
import { createContext, useContext } from 'react';

export interface HostEnded {
  kind: 'restarted';
  /** `host:port` of this page, where the new run listens. */
  host: string;
}

export const HostEndedContext = createContext<HostEnded | null>(null);

/** The ended session, or null while this page's workbench is (or may come back) alive. */
export function useHostEnded(): HostEnded | null {
  return useContext(HostEndedContext);
}

/** The notice across the window once the workbench restarted. */
export function RestartedNotice() {
  const ended = useHostEnded();
  if (!ended) return null;
  return (
    <div className="banner banner-bad" role="alert" data-testid="restarted-notice">
      <strong>The workbench restarted.</strong> This tab belonged to the run that ended, and the new run does not accept it. Open the new
      address that <code>lbw serve</code> printed in its terminal: <code className="mono">http://{ended.host}/#token=…</code>{' '}
      <span className="muted">What this page still shows is from the old run.</span>
    </div>
  );
}
