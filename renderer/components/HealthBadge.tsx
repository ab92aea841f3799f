/** A backend's health as a badge; the last check's detail and latency are in its tooltip (`title`, see checkTitle). */
import type { HealthState } from '../../core/model/backend';

export function HealthBadge({ name, health, title, ejected }: { name: string; health: HealthState; title: string; ejected: boolean }) {
  return (
    <span className="health">
      <span className={`badge health-${health}`} data-testid={`health-${name}`} data-state={health} title={title}>
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
