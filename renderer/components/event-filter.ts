/**
 * The event log's filter and export: which kind of event a row is (the
 * filter's groups a person picks from), whether a row matches the filter
 * (kind, service, text anywhere in what the row says), and the rows written
 * out as JSON lines (the events as the core sent them) or as text (the
 * columns the log shows). Pure, so the filter and both formats are tested
 * without a DOM.
 */
import type { EventType, WorkbenchEvent } from '../../core/contract';
import { eventTypeWords } from '../../core/contract/words';
import { asHistoryEvent } from '../store/event-history';
import { eventColumns, formatTime } from './format';

export type EventKind = 'health' | 'ejection' | 'config' | 'faults' | 'load' | 'drills' | 'other';

/** The filter's groups, in the order the select lists them, with their words. */
export const EVENT_KINDS: { kind: EventKind; label: string }[] = [
  { kind: 'health', label: 'Health' },
  { kind: 'ejection', label: 'Ejection' },
  { kind: 'config', label: 'Configuration' },
  { kind: 'faults', label: 'Faults' },
  { kind: 'load', label: 'Load' },
  { kind: 'drills', label: 'Drills' },
  { kind: 'other', label: 'Other' },
];

const KIND_OF: Partial<Record<EventType, EventKind>> = {
  'health:changed': 'health',
  'backend:ejected': 'ejection',
  'backend:returned': 'ejection',
  'config:changed': 'config',
  'config:rejected': 'config',
  'faults:changed': 'faults',
  'load:started': 'load',
  'load:done': 'load',
  'drill:started': 'drills',
  'drill:step': 'drills',
  'drill:done': 'drills',
};

export function eventKind(e: WorkbenchEvent): EventKind {
  return KIND_OF[e.type] ?? 'other';
}

export interface EventFilter {
  /** '' for every kind. */
  kind: EventKind | '';
  /** '' for every service; events that name no service are kept out when one is picked. */
  service: string;
  /** Matched, case-insensitively, against the row's words (type, service, backend, cause). */
  text: string;
}

export const NO_FILTER: EventFilter = { kind: '', service: '', text: '' };

/** A row as the log shows it, one line: time, type in words, service, backend, cause. */
export function eventLine(e: WorkbenchEvent): string {
  const c = eventColumns(e);
  return [formatTime(e.at), eventTypeWords(e.type), c.service || '-', c.backend || '-', c.cause].join('\t');
}

export function matchesFilter(e: WorkbenchEvent, f: EventFilter): boolean {
  if (f.kind && eventKind(e) !== f.kind) return false;
  if (f.service && eventColumns(e).service !== f.service) return false;
  const text = f.text.trim().toLowerCase();
  return !text || eventLine(e).toLowerCase().includes(text);
}

/** The events as JSON lines, oldest first, as the core's history keeps them (no service views, no drill report). */
export function eventsAsJsonLines(newestFirst: readonly WorkbenchEvent[]): string {
  return [...newestFirst]
    .reverse()
    .map((e) => `${JSON.stringify(asHistoryEvent(e))}\n`)
    .join('');
}

/** The events as the log's columns, tab-separated under a header line, oldest first. */
export function eventsAsText(newestFirst: readonly WorkbenchEvent[]): string {
  const lines = ['time\ttype\tservice\tbackend\twhat happened', ...[...newestFirst].reverse().map(eventLine)];
  return `${lines.join('\n')}\n`;
}
