/**
 * The charts of one service, with a shared legend for backend colours and
 * markers. A demo backend keeps its own colour (the dot in the backends
 * table); others take the palette's. A TCP service charts connections and
 * connect time, and bytes per second where HTTP has status classes.
 */
import { useMemo } from 'react';
import type { ServiceView } from '../../core/contract';
import { useApp } from '../store/context';
import { selectDemos, selectEvents, selectHistory } from '../store/selectors';
import { DistributionChart } from './DistributionChart';
import { markersFor } from './markers';
import { MARKER_COLORS, seriesColor } from './palette';
import { BytesChart, LatencyChart, RpsChart, StatusChart } from './TimeSeriesCharts';

const MARKER_LEGEND: [keyof typeof MARKER_COLORS, string][] = [
  ['down', 'unhealthy'],
  ['up', 'healthy'],
  ['eject', 'ejected'],
  ['return', 'returned'],
  ['fault', 'faults set'],
  ['heal', 'healed'],
  ['drill', 'drill step'],
  ['config', 'config change'],
];

export function ServiceCharts({ service }: { service: ServiceView }) {
  const history = useApp((s) => selectHistory(s, service.name));
  const events = useApp(selectEvents);
  const fromAt = history.rows[0]?.at ?? Infinity;
  const markers = useMemo(() => markersFor(events, service.name, fromAt), [events, service.name, fromAt]);
  const demos = useApp(selectDemos);
  const colors = useMemo(
    () =>
      history.keys.map((k, i) => demos.find((d) => d.usedBy.some((u) => u.service === service.name && u.backendId === k.id))?.colour ?? seriesColor(i)),
    [history.keys, demos, service.name],
  );
  const tcp = service.protocol === 'tcp';

  if (history.rows.length === 0) {
    const target = service.address ?? service.listen;
    return (
      <section className="panel charts-empty" aria-label="Charts">
        <p className="empty">
          Charts fill in as traffic flows.{' '}
          {service.protocol === 'http' ? (
            <>
              Send requests to the balancer, for example <code>curl http://{target}/</code>.
            </>
          ) : (
            <>
              Open connections to <code>{target}</code>.
            </>
          )}
        </p>
      </section>
    );
  }

  return (
    <section className="charts" aria-label="Charts">
      <div className="chart-legend small" aria-label="Legend">
        {history.keys.map((k, i) => (
          <span key={k.id} className="legend-item">
            <span className="swatch" style={{ background: colors[i] }} />
            {k.name}
          </span>
        ))}
        <span className="legend-sep" />
        {MARKER_LEGEND.map(([kind, label]) => (
          <span key={kind} className="legend-item">
            <span className="marker-swatch" style={{ borderColor: MARKER_COLORS[kind] }} />
            {label}
          </span>
        ))}
      </div>
      <div className="chart-grid">
        <figure className="chart" data-testid="chart-rps">
          <figcaption>{tcp ? 'Connections/s' : 'Requests/s'} per backend</figcaption>
          <RpsChart rows={history.rows} keys={history.keys} colors={colors} markers={markers} unit={tcp ? 'conn/s' : 'req/s'} />
        </figure>
        <figure className="chart" data-testid="chart-latency">
          <figcaption>
            {tcp ? 'Connect time' : 'Latency'} per backend, ms <span className="muted">(solid p50, dashed p99)</span>
          </figcaption>
          <LatencyChart rows={history.rows} keys={history.keys} colors={colors} markers={markers} />
        </figure>
        {tcp ? (
          <figure className="chart" data-testid="chart-bytes">
            <figcaption>Bytes/s in and out</figcaption>
            <BytesChart rows={history.rows} markers={markers} />
          </figure>
        ) : (
          <figure className="chart" data-testid="chart-status">
            <figcaption>Responses/s by status</figcaption>
            <StatusChart rows={history.rows} markers={markers} />
          </figure>
        )}
        <figure className="chart" data-testid="chart-distribution">
          <figcaption>
            Share of {tcp ? 'connections' : 'requests'} <span className="muted">(last 10 s vs expected)</span>
          </figcaption>
          <DistributionChart rows={history.distribution} />
        </figure>
      </div>
    </section>
  );
}
