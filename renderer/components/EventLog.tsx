/**
 * The core's events, newest first: health transitions, ejections, config
 * changes (what changed, and in which service), faults, load and drills.
 * The log holds the core's history from before the page opened (replayed
 * on connect) and can be filtered by kind, service and text, and exported
 * (what the filter shows) as JSON lines or as text, downloaded by the page.
 */
import { useMemo, useState } from 'react';
import { useApp } from '../store/context';
import { selectEvents } from '../store/selectors';
import { eventColumns, formatTime } from './format';
import { eventTypeWords } from '../../core/contract/words';
import { EVENT_KINDS, NO_FILTER, eventsAsJsonLines, eventsAsText, matchesFilter, type EventFilter, type EventKind } from './event-filter';
import { downloadFile } from './ExportMenu';

/** The file name an export gets: the time it was taken, so exports do not replace each other. */
function exportName(ext: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `lbw-events-${stamp}.${ext}`;
}

export function EventLog({ service }: { service: string | null }) {
  const events = useApp(selectEvents);
  const services = useApp((s) => s.services);
  const [filter, setFilter] = useState<EventFilter>(NO_FILTER);
  const rows = useMemo(() => events.filter((r) => matchesFilter(r.event, filter)), [events, filter]);
  const filtered = filter.kind !== '' || filter.service !== '' || filter.text.trim() !== '';
  const shown = rows.map((r) => r.event);

  return (
    <section className="panel event-log" aria-labelledby="event-log-title" data-testid="event-log">
      <div className="panel-head event-log-head">
        <h3 id="event-log-title">Events</h3>
        <div className="event-filter" role="group" aria-label="Filter events">
          <select aria-label="Event kind" value={filter.kind} onChange={(e) => setFilter({ ...filter, kind: e.target.value as EventKind | '' })}>
            <option value="">All kinds</option>
            {EVENT_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
          <select aria-label="Event service" value={filter.service} onChange={(e) => setFilter({ ...filter, service: e.target.value })}>
            <option value="">All services</option>
            {services.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
                {s.name === service ? ' (this one)' : ''}
              </option>
            ))}
          </select>
          <input
            type="search"
            aria-label="Search events"
            placeholder="Search"
            spellCheck={false}
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
          />
          <span className="muted small" data-testid="event-count">
            {filtered ? `${rows.length} of ${events.length}` : `${events.length}`}
          </span>
          <button type="button" disabled={rows.length === 0} title="Download the events shown, one JSON object a line" onClick={() => downloadFile(exportName('jsonl'), eventsAsJsonLines(shown))}>
            Export JSON lines
          </button>
          <button type="button" disabled={rows.length === 0} title="Download the events shown as text, one a line" onClick={() => downloadFile(exportName('txt'), eventsAsText(shown))}>
            Export text
          </button>
        </div>
      </div>
      {rows.length === 0 ? (
        <p className="empty small">
          {events.length === 0 ? 'No events yet. Health changes, ejections and configuration changes appear here.' : 'No event matches the filter.'}
        </p>
      ) : (
        <div className="log-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Service</th>
                <th scope="col">Backend</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ seq, event }) => {
                const c = eventColumns(event);
                return (
                  <tr key={seq} className={`ev ev-${event.type.replace(':', '-')}`} data-testid="event-row">
                    <td className="mono">{formatTime(event.at)}</td>
                    <td>{eventTypeWords(event.type)}</td>
                    <td>{c.service}</td>
                    <td>{c.backend}</td>
                    <td>{c.cause}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
