/**
 * Plain words for what a person reads: event types, failure kinds, status
 * classes. The contract's keys (`config:changed`, `status5xx`) stay the
 * data; every report, log line and label shows these words instead, so one
 * module decides how each is said (drill reports in text and HTML, the
 * renderer's event log). Pure and DOM-free.
 */
import type { FailureCounts } from '../demo/load/types';

/** What each event is, as a column or a heading says it. */
const EVENT_WORDS: Record<string, string> = {
  'health:changed': 'health changed',
  'backend:ejected': 'ejected',
  'backend:returned': 'back from ejection',
  'config:changed': 'configuration changed',
  'config:rejected': 'change refused',
  'service:listening': 'listening',
  'service:stopped': 'stopped',
  'service:error': 'service error',
  'faults:changed': 'faults changed',
  'demo:changed': 'demo backend',
  'load:started': 'load started',
  'load:done': 'load finished',
  'drill:started': 'drill started',
  'drill:step': 'drill step',
  'drill:done': 'drill finished',
  'keyspace:moved': 'keys moved',
};

/** An event type in words; a type this list does not know yet reads as its two parts ("domain verb"). */
export function eventTypeWords(type: string): string {
  return EVENT_WORDS[type] ?? type.replace(/[:_-]+/g, ' ');
}

type FailureKind = keyof FailureCounts;

const FAILURE_WORDS: Record<FailureKind, [one: string, many: string]> = {
  status5xx: ['server error (5xx)', 'server errors (5xx)'],
  status4xx: ['client error (4xx)', 'client errors (4xx)'],
  refused: ['connection refused', 'connections refused'],
  reset: ['connection reset', 'connections reset'],
  timeout: ['timeout', 'timeouts'],
  other: ['other error', 'other errors'],
};

/** A count of failed requests of one kind: "1 server error (5xx)", "3 connections refused". */
export function failureWords(kind: FailureKind, count: number): string {
  const [one, many] = FAILURE_WORDS[kind];
  return `${count} ${count === 1 ? one : many}`;
}

/** A class of HTTP statuses: `5xx` → "server errors (5xx)". */
export function statusClassWords(cls: '1xx' | '2xx' | '3xx' | '4xx' | '5xx'): string {
  return { '1xx': 'informational (1xx)', '2xx': 'successes (2xx)', '3xx': 'redirects (3xx)', '4xx': 'client errors (4xx)', '5xx': 'server errors (5xx)' }[cls];
}
