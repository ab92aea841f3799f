/**
 * The cells of a backend's row that follow the stats ticks: health (its
 * check state, its traffic state apart, the last check inline, the running
 * totals since start, its fault badges and the last failed attempt's code
 * and reason on small lines), the HTTP or TCP figures and the share. Each selects the
 * text it shows (useShallow compares it field by field), so a cell
 * re-renders only when what it displays changed, and the rest of the row
 * (inputs, selects, buttons) not at all on a tick.
 */
import { useShallow } from 'zustand/react/shallow';
import type { BackendSnapshot, BackendView } from '../../core/contract';
import { faultLabel } from '../../core/faults/spec';
import { useApp } from '../store/context';
import { selectBackendSnapshot, selectHistory } from '../store/selectors';
import type { AppState } from '../store/store';
import { checkTitle, formatBytes, formatCount, formatMs, formatPercent, formatRate, formatTime } from './format';
import { checkLine, totalsLine, trafficState } from './backend-state';
import { HealthBadge } from './HealthBadge';

/** Separates fault labels in one string, so a list compares by value. */
const SEP = '\u0000';

/** A last error younger than this (by the snapshot's clock) is shown as current, older ones muted. */
export const RECENT_ERROR_MS = 30_000;

/** Attempts that failed without a response, of every kind: refused, reset, timed out, TLS, other. */
export function failedAttempts(e: BackendSnapshot['errors']): number {
  return e.refused + e.reset + e.timeout + e.tls + e.other;
}

/** The labels of the faults acting on a backend: the last tick's, else its enabled faults. */
function faultLabels(live: BackendSnapshot | undefined, backend: BackendView): string[] {
  return live ? live.faults : backend.faults.filter((f) => f.enabled).map(faultLabel);
}

/** Whether faults act on the backend now; a primitive, so the row re-renders only when it flips. */
export function useHasFaults(service: string, backend: BackendView): boolean {
  return useApp((s) => faultLabels(selectBackendSnapshot(s, service, backend.id), backend).length > 0);
}

/** Selects display values of one backend's last tick, compared field by field. */
function useLive<T extends object>(service: string, backendId: string, pick: (live: BackendSnapshot | undefined, s: AppState) => T): T {
  return useApp(useShallow((s: AppState) => pick(selectBackendSnapshot(s, service, backendId), s)));
}

export function HealthCell({ service, backend }: { service: string; backend: BackendView }) {
  const v = useLive(service, backend.id, (live, s) => {
    const last = live?.lastError ?? null;
    return {
      health: live?.health ?? backend.health,
      title: checkTitle(live ? live.lastCheck : backend.lastCheck),
      ejected: live?.ejected ?? backend.ejected,
      faults: faultLabels(live, backend).join(SEP),
      lastError: last ? `${last.code}: ${last.message}` : '',
      lastErrorAt: last ? formatTime(last.at) : '',
      recent: last !== null && (s.latest?.at ?? last.at) - last.at < RECENT_ERROR_MS,
      // Traffic state, the last check and the totals are read from the ticks only: the view has none of them.
      traffic: live ? trafficState(live) : '',
      check: live?.lastCheck ? checkLine(live.lastCheck, s.latest?.at ?? live.lastCheck.at) : '',
      totals: live ? totalsLine(live) : '',
    };
  });
  const faults = v.faults === '' ? [] : v.faults.split(SEP);
  return (
    <td className="health-cell">
      <HealthBadge name={backend.name} health={v.health} title={v.title} ejected={v.ejected} />
      {v.traffic && v.traffic !== 'ejected' && (
        <span className={`badge traffic traffic-${v.traffic.replace(/ /g, '-')}`} data-testid={`traffic-${backend.name}`} title="Traffic state: whether the balancer sends it requests now">
          {v.traffic}
        </span>
      )}
      {v.check && (
        <span className="check-line" data-testid={`check-${backend.name}`} title={v.title}>
          <span className="sr-only">Last check: </span>
          {v.check}
        </span>
      )}
      {v.totals && (
        <span className="totals-line" data-testid={`totals-${backend.name}`} title="Since start: requests, errors (5xx and failed attempts), bytes in and out, and time out of rotation">
          <span className="sr-only">Since start: </span>
          {v.totals}
        </span>
      )}
      {faults.length > 0 && (
        <span className="fault-badges" data-testid={`fault-badge-${backend.name}`}>
          {faults.map((label, i) => (
            <span key={i} className="badge fault" title={label}>
              ⚡ {label}
            </span>
          ))}
        </span>
      )}
      {v.lastError && (
        // At most two short lines, cut to the cell's width; focus (or hover) shows all of it with its time, as does the tooltip.
        <span
          className={v.recent ? 'last-error recent' : 'last-error'}
          tabIndex={0}
          title={`Last failed attempt, at ${v.lastErrorAt}: ${v.lastError}`}
          data-testid={`last-error-${backend.name}`}
        >
          <span className="sr-only">Last error: </span>
          {v.lastError}
          {/* The time is read out, and shown when the line is focused or hovered: the reason gets the room. */}
          <span className="at"> · {v.lastErrorAt}</span>
        </span>
      )}
    </td>
  );
}

export function HttpCells({ service, backendId }: { service: string; backendId: string }) {
  const v = useLive(service, backendId, (live) => {
    const failed = live ? live.status['5xx'] + failedAttempts(live.errors) : 0;
    return {
      inFlight: live ? String(live.inFlight) : '–',
      rps: formatRate(live?.rps),
      latency: `${formatMs(live?.latency?.p50)} / ${formatMs(live?.latency?.p99)}`,
      errors: live && live.requests > 0 ? formatPercent(failed / live.requests) : '–',
      bad: failed > 0,
    };
  });
  return (
    <>
      <td className="num col-low">{v.inFlight}</td>
      <td className="num">{v.rps}</td>
      <td className="num">{v.latency}</td>
      <td className={v.bad ? 'num bad' : 'num'}>{v.errors}</td>
    </>
  );
}

export function TcpCells({ service, backendId }: { service: string; backendId: string }) {
  const v = useLive(service, backendId, (live, s) => {
    const perSecond = 1000 / Math.max(1, s.latest?.intervalMs ?? 500);
    const connectErrors = live ? failedAttempts(live.errors) - live.errors.reset : 0;
    const resets = live ? live.errors.reset : 0;
    return {
      open: live ? String(live.inFlight) : '–',
      rate: formatRate(live?.rps),
      bytes: live ? `${formatBytes(live.bytesIn * perSecond)} / ${formatBytes(live.bytesOut * perSecond)}` : '–',
      connect: `${formatMs(live?.latency?.p50)} / ${formatMs(live?.latency?.p99)}`,
      errors: live ? `${formatCount(connectErrors)} / ${formatCount(resets)}` : '–',
      bad: connectErrors + resets > 0,
    };
  });
  return (
    <>
      <td className="num" data-testid="tcp-open">
        {v.open}
      </td>
      <td className="num">{v.rate}</td>
      <td className="num">{v.bytes}</td>
      <td className="num">{v.connect}</td>
      <td className={v.bad ? 'num bad' : 'num'}>{v.errors}</td>
    </>
  );
}

/** The backend's share over the window; with `showExpected`, the strategy's fixed baseline after it (./baseline). */
export function ShareCell({ service, backendId, showExpected }: { service: string; backendId: string; showExpected: boolean }) {
  const v = useApp(
    useShallow((s: AppState) => {
      const d = selectHistory(s, service).distribution.find((x) => x.id === backendId);
      return { share: d ? formatPercent(d.share) : null, expected: d ? formatPercent(d.expected) : null };
    }),
  );
  return (
    <td className="num">
      {v.share !== null ? (
        <>
          {v.share}
          {showExpected && <span className="muted"> / {v.expected}</span>}
        </>
      ) : (
        '–'
      )}
    </td>
  );
}
