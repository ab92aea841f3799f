/**
 * The event log's replay of the core's history (`events:history`) on every
 * (re)connect, so a page opened after startup, or reloaded, shows what
 * already happened (the startup health transitions, earlier config changes).
 * The history is the core's record; rows that arrived live while it was
 * being asked for are kept once, matched by their content (a live
 * 'config:changed' carries service views, and 'drill:done' the report, that
 * the history leaves out).
 */
import type { WorkbenchEvent } from '../../core/contract';
import type { Bridge } from '../bridge/types';
import { EVENT_LOG_ROWS } from './ring';
import type { AppStore } from './store';
import type { LogRow } from './ui-slice';

/** An event as the history keeps it: without the service views a live config change carries or the report a live drill:done carries. */
export function asHistoryEvent(e: WorkbenchEvent): WorkbenchEvent {
  if (e.type === 'config:changed' && 'services' in e) {
    const { services: _views, ...rest } = e;
    return rest;
  }
  if (e.type === 'drill:done' && 'report' in e) {
    const { report: _report, ...rest } = e;
    return rest;
  }
  return e;
}

/** An event's identity for merging: what the history holds of it. */
function eventKey(e: WorkbenchEvent): string {
  return JSON.stringify(asHistoryEvent(e));
}

/**
 * The log after a replay: the history (oldest first, as the core answers it)
 * and the rows already shown that it does not hold, newest first, at most
 * EVENT_LOG_ROWS. Rows are numbered on from `seq`.
 */
export function mergeHistory(rows: readonly LogRow[], history: readonly WorkbenchEvent[], seq: number): { events: LogRow[]; eventSeq: number } {
  const seen = new Set(history.map(eventKey));
  const extra = rows.filter((r) => !seen.has(eventKey(r.event))).map((r) => r.event);
  // Stable by time: history before live rows of the same millisecond.
  const all = [...history, ...extra.reverse()].map((event, i) => ({ event, i })).sort((a, b) => a.event.at - b.event.at || a.i - b.i);
  let next = seq;
  const events = all.map(({ event }) => ({ seq: ++next, event })).reverse();
  if (events.length > EVENT_LOG_ROWS) events.length = EVENT_LOG_ROWS;
  return { events, eventSeq: next };
}

/** Asks the core for its history and merges it into the log; a failed ask leaves the log as it is. */
export async function replayHistory(store: AppStore, bridge: Bridge): Promise<void> {
  const res = await bridge.invoke('events:history', {});
  if (res.ok) store.getState().seedEvents(res.value);
}
