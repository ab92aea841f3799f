/**
 * The charts of one service, with a shared legend for backend colours and
 * markers. A demo backend keeps its own colour (the dot in the backends
 * table); others get one of the palette's that stays theirs (./colours). A TCP service charts connections and
 * connect time, and bytes per second where HTTP has status classes.
 *
 * The charts are memoized and redraw only when their own rows, series or
 * markers changed (see TimeSeriesCharts), and the history they draw is
 * paced to a share of the main thread (./paced).
 */
import { useMemo } from 'react';
import type { ServiceView } from '../../core/contract';
import { useApp } from '../store/context';
import { MARKERS_KEPT } from '../store/ring';
import { selectDemos, selectEvents, selectHistory, selectStrategies } from '../store/selectors';
import { baselineOf } from '../components/baseline';
import type { DistributionRow } from '../store/series';
import { DistributionChart } from './DistributionChart';
import { markersFor, type Marker } from './markers';
import { usePaced } from './paced';
import { backendColours } from './colours';
import { MARKER_COLORS } from './palette';
import { timeTicks } from './time-ticks';
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

/**
 * The service's markers inside the charts' window, oldest first. Markers are
 * in time order, so those in the window are a suffix of the list: the array
 * keeps its reference, and the charts their memo, until an event comes or a
 * marker leaves the window.
 */
function useWindowMarkers(service: string, fromAt: number): Marker[] {
  const events = useApp(selectEvents);
  const fresh = useMemo(() => markersFor(events, service, -Infinity).slice(-MARKERS_KEPT), [events, service]);
  // Events of other services (or that mark nothing) leave the list as it was; its keys say so.
  const signature = fresh.map((m) => m.key).join(',');
  const all = useMemo(() => fresh, [signature]); // `signature` stands for `fresh`'s content
  let first = 0;
  while (first < all.length && all[first]!.at < fromAt) first++;
  return useMemo(() => (first === 0 ? all : all.slice(first)), [all, first]);
}

/** Shares in whole percent for the bars (a smaller step is under a pixel): unchanged bars keep their rows, and the chart its memo. */
function useBarRows(rows: DistributionRow[]): DistributionRow[] {
  const pct = (x: number) => Math.round(x * 100) / 100;
  const rounded = useMemo(() => rows.map((d) => ({ ...d, share: pct(d.share), expected: pct(d.expected) })), [rows]);
  const signature = rounded.map((d) => `${d.id}\u0000${d.name}\u0000${d.share}\u0000${d.expected}`).join('\u0001');
  return useMemo(() => rounded, [signature]); // `signature` stands for `rounded`'s content
}

export function ServiceCharts({ service }: { service: ServiceView }) {
  // The table and the load strip follow every tick; the charts as often as their redraws allow (./paced).
  const history = usePaced(useApp((s) => selectHistory(s, service.name)));
  const markers = useWindowMarkers(service.name, history.rows[0]?.at ?? Infinity);
  const demos = useApp(selectDemos);
  // Each backend's own colour (./colours), stable when others come and go; demo backends keep theirs.
  const colors = useMemo(
    () =>
      backendColours(
        service.name,
        history.keys.map((k) => k.name),
        history.keys.map((k) => demos.find((d) => d.usedBy.some((u) => u.service === service.name && u.backendId === k.id))?.colour),
      ),
    [history.keys, demos, service.name],
  );
  const from = history.rows[0]?.at ?? NaN;
  const to = history.rows.at(-1)?.at ?? NaN;
  const ticks = useMemo(() => timeTicks(from, to), [from, to]);
  const bars = useBarRows(history.distribution);
  const tcp = service.protocol === 'tcp';
  const strategies = useApp(selectStrategies);
  const baseline = baselineOf(service.strategy, strategies.find((x) => x.name === service.strategy));

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
          <RpsChart rows={history.rows} ticks={ticks} keys={history.keys} colors={colors} markers={markers} unit={tcp ? 'conn/s' : 'req/s'} />
        </figure>
        <figure className="chart" data-testid="chart-latency">
          <figcaption>
            {tcp ? 'Connect time' : 'Latency'} per backend, ms <span className="muted">(solid p50, dashed p99)</span>
          </figcaption>
          <LatencyChart rows={history.rows} ticks={ticks} keys={history.keys} colors={colors} markers={markers} />
        </figure>
        {tcp ? (
          <figure className="chart" data-testid="chart-bytes">
            <figcaption>Bytes/s in and out</figcaption>
            <BytesChart rows={history.rows} ticks={ticks} markers={markers} />
          </figure>
        ) : (
          <figure className="chart" data-testid="chart-status">
            <figcaption>Responses/s by status</figcaption>
            <StatusChart rows={history.rows} ticks={ticks} markers={markers} />
          </figure>
        )}
        <figure className="chart" data-testid="chart-distribution">
          <figcaption title={baseline.help}>
            Share of {tcp ? 'connections' : 'requests'}{' '}
            <span className="muted">{baseline.fixed ? `(last 10 s, against the ${baseline.words === 'by weight' ? 'split by weight' : baseline.words})` : `(last 10 s; ${baseline.words}, no fixed share)`}</span>
          </figcaption>
          <DistributionChart rows={bars} expectedName={baseline.fixed ? baseline.words : null} />
        </figure>
      </div>
    </section>
  );
}
