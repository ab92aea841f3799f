/** A backend's health as a badge; the last check's detail and latency are in its tooltip. */
import type { CheckResult, HealthState } from '../../core/model/backend';
import { checkTitle } from './format';

export function HealthBadge({ name, health, lastCheck, ejected }: { name: string; health: HealthState; lastCheck: CheckResult | null; ejected: boolean }) {
  return (
    <span className="health">
      <span className={`badge health-${health}`} data-testid={`health-${name}`} data-state={health} title={checkTitle(lastCheck)}>
        {health}
      </span>
      {ejected && (
        <span className="badge ejected" data-testid={`ejected-${name}`} title="Ejected by passive health checking; it returns after the ejection time">
          ejected
        </span>
      )}
    </span>
  );
}
