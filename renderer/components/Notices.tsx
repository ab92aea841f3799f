/**
 * Banners under the top bar about the workbench as a whole: services that
 * listen beyond this machine (for as long as they do), and the last change
 * the core refused (until dismissed), so a listener moved onto a busy port
 * says why nothing changed, whichever window or client asked for it.
 */
import { useMemo } from 'react';
import { exposureWarnings } from '../../core/config/exposure';
import { useApp } from '../store/context';
import { selectRejectedChange, selectServices } from '../store/selectors';
import { formatTime } from './format';

/** Every service on a non-loopback address, named with the address; no dismiss: it holds while the service listens there. */
export function ExposureBanner() {
  const services = useApp(selectServices);
  const warnings = useMemo(() => exposureWarnings({ services }), [services]);
  if (warnings.length === 0) return null;
  return (
    <div className="banner banner-warn notice" role="status" data-testid="exposure-warning">
      <div>
        <strong>Reachable from other machines:</strong>
        {warnings.length === 1 ? (
          <> {warnings[0]!.message}</>
        ) : (
          <ul>
            {warnings.map((w) => (
              <li key={w.service}>{w.message}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** The last refused change: what was tried, the reason, and that everything kept running as it was. */
export function RejectedChangeBanner() {
  const rejected = useApp(selectRejectedChange);
  const dismiss = useApp((s) => s.setRejectedChange);
  if (!rejected) return null;
  return (
    <div className="banner banner-bad notice" role="alert" data-testid="change-refused">
      <div>
        <strong>Change refused, nothing changed:</strong> <span data-testid="change-refused-reason">{rejected.error.message}</span>{' '}
        <span className="small">
          ({rejected.cause}, at {formatTime(rejected.at)}; everything keeps running as it was)
        </span>
      </div>
      <button type="button" className="link" aria-label="Dismiss the refused change notice" onClick={() => dismiss(null)}>
        Dismiss
      </button>
    </div>
  );
}
