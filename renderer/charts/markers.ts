/**
 * Markers on the charts' time axis, drawn from the event log: health
 * transitions, ejections and returns of this service's backends, injected
 * faults set or healed, drill steps, and configuration changes (which
 * concern every service).
 */
import type { LogRow } from '../store/ui-slice';
import type { MARKER_COLORS } from './palette';

export interface Marker {
  key: number;
  at: number;
  kind: keyof typeof MARKER_COLORS;
  label: string;
}

/** Markers for `service` at or after `fromAt`, oldest first. */
export function markersFor(events: readonly LogRow[], service: string, fromAt: number): Marker[] {
  const out: Marker[] = [];
  for (const { seq, event: e } of events) {
    if (e.at < fromAt) continue;
    if (e.type === 'config:changed') out.push({ key: seq, at: e.at, kind: 'config', label: `config: ${e.cause}` });
    else if (e.type === 'health:changed' && e.service === service)
      out.push({ key: seq, at: e.at, kind: e.to === 'unhealthy' ? 'down' : 'up', label: `${e.backend} ${e.to}` });
    else if (e.type === 'backend:ejected' && e.service === service) out.push({ key: seq, at: e.at, kind: 'eject', label: `${e.backend} ejected` });
    else if (e.type === 'backend:returned' && e.service === service) out.push({ key: seq, at: e.at, kind: 'return', label: `${e.backend} returned` });
    else if (e.type === 'faults:changed' && e.service === service)
      out.push(
        e.labels.length > 0
          ? { key: seq, at: e.at, kind: 'fault', label: `${e.backend} faults: ${e.labels.join(', ')}` }
          : { key: seq, at: e.at, kind: 'heal', label: `${e.backend} healed` },
      );
    else if (e.type === 'drill:step' && e.service === service) out.push({ key: seq, at: e.at, kind: 'drill', label: `drill: ${e.label}` });
  }
  return out.reverse();
}
