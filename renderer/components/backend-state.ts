/**
 * A backend's states and totals in words, as HAProxy's stats page keeps
 * them apart: the admin state (the State select), the health-check state
 * (the health badge) and the traffic state here (whether the balancer
 * sends it requests now); the last check inline ("200 in 3 ms, 2 s ago");
 * and its running totals since start. Pure.
 */
import type { BackendSnapshot } from '../../core/contract';
import type { CheckResult } from '../../core/model/backend';
import { formatBytes, formatCount } from './format';

export type TrafficState = 'in rotation' | 'standby' | 'ejected' | 'out of rotation';

/** Whether the balancer sends it traffic now: ejected by passive health, out (unhealthy, drained, disabled, full), a backup waiting, or in. */
export function trafficState(b: Pick<BackendSnapshot, 'available' | 'ejected' | 'backup' | 'expectedShare'>): TrafficState {
  if (b.ejected) return 'ejected';
  if (!b.available) return 'out of rotation';
  if (b.backup && b.expectedShare === 0) return 'standby';
  return 'in rotation';
}

/** A duration people read: 0 s, 42 s, 3 min 5 s, 2 h 10 min. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** The last check in one line: what it saw, how fast, how long before `now` ("200 in 3 ms, 2 s ago"). */
export function checkLine(check: CheckResult | null | undefined, now: number): string {
  if (!check) return 'no check yet';
  const latency = check.latencyMs === undefined ? '' : ` in ${check.latencyMs.toFixed(0)} ms`;
  return `${check.detail}${latency}, ${formatDuration(now - check.at)} ago`;
}

/** The running totals since start: requests, errors, bytes both ways, and downtime when there was any. */
export function totalsLine(b: Pick<BackendSnapshot, 'totalRequests' | 'totalErrors' | 'totalBytesIn' | 'totalBytesOut' | 'downtimeMs'>): string {
  const parts = [`${formatCount(b.totalRequests)} req`, `${formatCount(b.totalErrors)} err`, formatBytes(b.totalBytesIn + b.totalBytesOut)];
  if (b.downtimeMs > 0) parts.push(`down ${formatDuration(b.downtimeMs)}`);
  return parts.join(' · ');
}
