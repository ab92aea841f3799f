/** The core's events, newest first: health transitions, ejections, config changes. */
import { useState } from 'react';
import { useApp } from '../store/context';
import { selectEvents } from '../store/selectors';
import { eventColumns, formatTime } from './format';
import { eventTypeWords } from '../../core/contract/words';

export function EventLog({ service }: { service: string | null }) {
  const events = useApp(selectEvents);
  const [onlyThis, setOnlyThis] = useState(false);
  const rows = onlyThis && service ? events.filter((r) => !('service' in r.event) || r.event.service === service) : events;

  return (
    <section className="panel event-log" aria-labelledby="event-log-title" data-testid="event-log">
      <div className="panel-head">
        <h3 id="event-log-title">Events</h3>
        {service && (
          <label className="small">
            <input type="checkbox" checked={onlyThis} onChange={(e) => setOnlyThis(e.target.checked)} /> only {service}
          </label>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="empty small">No events yet. Health changes, ejections and configuration changes appear here.</p>
      ) : (
        <div className="log-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Service</th>
                <th scope="col">Backend</th>
                <th scope="col">Cause</th>
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
