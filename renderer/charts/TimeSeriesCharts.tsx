/**
 * The time-series charts of a service: requests (or TCP connections) per
 * second per backend, latency (or connect time) per backend, responses by
 * status class for HTTP and bytes per second for TCP. Rows come from
 * the stats slice (one flat row per tick, bounded); animations are off because the
 * data moves every tick.
 *
 * Drawing is the renderer's main cost, so every chart is memoized and
 * everything it hands recharts is stable: series read string fields of the
 * rows (recharts caches its derived data per dataKey and would recompute it
 * all for a function made anew on each render), and axes, styles and
 * formatters are module constants. A chart redraws only when its rows,
 * series or markers change.
 */
import { memo } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesKey, StatusField, TickRow } from '../store/series';
import { formatBytesRate, formatTime } from '../components/format';
import type { Marker } from './markers';
import { MARKER_COLORS, seriesColor, STATUS_COLORS } from './palette';

const HEIGHT = 170;
/** Right margin: half a time label ("12:34:56" at 11 px is about 46 px wide), since the newest tick can sit on the plot's right edge and its label is centred on it. */
const MARGIN = { top: 8, right: 28, bottom: 0, left: 0 };
const STYLE = { width: '100%', height: HEIGHT };
const TICK = { fontSize: 11 };
const TIME_DOMAIN = ['dataMin', 'dataMax'] as const;
const LEGEND_STYLE = { fontSize: 11 };

interface Props {
  rows: TickRow[];
  /** The time axis's ticks (timeTicks over the rows' window). */
  ticks: number[];
  keys: SeriesKey[];
  /** A colour per key, the backend's own (./colours); seriesColor(i) where missing. */
  colors?: string[];
  markers: Marker[];
  /** The tooltip's unit for the rates: req/s or conn/s. */
  unit?: string;
}

const colorAt = (colors: string[] | undefined, i: number) => colors?.[i] ?? seriesColor(i);

const timeLabel = (v: unknown) => formatTime(Number(v));

/** Tooltip value formatters by unit, made once each. */
const formatters = new Map<string, (v: unknown) => string>();
function formatterFor(unit: string): (v: unknown) => string {
  let f = formatters.get(unit);
  if (!f) {
    f = (v) => (typeof v === 'number' ? `${v.toFixed(1)} ${unit}` : String(v ?? '–'));
    formatters.set(unit, f);
  }
  return f;
}
const bytesFormatter = (v: unknown) => (typeof v === 'number' ? formatBytesRate(v) : String(v ?? '–'));

function timeAxis(ticks: number[]) {
  return <XAxis dataKey="at" type="number" scale="time" domain={TIME_DOMAIN} ticks={ticks} interval={0} tickFormatter={formatTime} tick={TICK} />;
}

function markerLines(markers: Marker[]) {
  return markers.map((m) => (
    <ReferenceLine key={m.key} x={m.at} stroke={MARKER_COLORS[m.kind]} strokeDasharray={m.kind === 'config' ? '2 3' : '4 2'} strokeWidth={1.5} />
  ));
}

function tooltip(formatter: (v: unknown) => string) {
  return <Tooltip isAnimationActive={false} labelFormatter={timeLabel} formatter={formatter} />;
}

export const RpsChart = memo(function RpsChart({ rows, ticks, keys, colors, markers, unit = 'req/s' }: Props) {
  return (
    <AreaChart data={rows} responsive style={STYLE} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis(ticks)}
      <YAxis width={40} tick={TICK} allowDecimals={false} />
      {tooltip(formatterFor(unit))}
      {keys.map((k, i) => (
        <Area
          key={k.id}
          type="linear"
          stackId="rps"
          name={k.name}
          dataKey={k.rps}
          stroke={colorAt(colors, i)}
          fill={colorAt(colors, i)}
          fillOpacity={0.35}
          isAnimationActive={false}
          dot={false}
        />
      ))}
      {markerLines(markers)}
    </AreaChart>
  );
});

export const LatencyChart = memo(function LatencyChart({ rows, ticks, keys, colors, markers }: Props) {
  return (
    <LineChart data={rows} responsive style={STYLE} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis(ticks)}
      <YAxis width={40} tick={TICK} />
      {tooltip(formatterFor('ms'))}
      {keys.flatMap((k, i) => [
        <Line
          key={`${k.id}:p50`}
          type="linear"
          name={`${k.name} p50`}
          dataKey={k.p50}
          stroke={colorAt(colors, i)}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />,
        <Line
          key={`${k.id}:p99`}
          type="linear"
          name={`${k.name} p99`}
          dataKey={k.p99}
          stroke={colorAt(colors, i)}
          strokeDasharray="4 3"
          strokeWidth={1}
          dot={false}
          isAnimationActive={false}
        />,
      ])}
      {markerLines(markers)}
    </LineChart>
  );
});

/** Stacking order, bottom up: the usual answers first. */
const STATUS_STACK: readonly StatusField[] = ['2xx', '3xx', '4xx', '5xx', 'errors', '1xx'];

/** The status classes seen in the window (2xx always): an empty class costs a series of zeros to draw. */
function statusFieldsIn(rows: readonly TickRow[]): StatusField[] {
  return STATUS_STACK.filter((f) => f === '2xx' || rows.some((r) => r[f] > 0));
}

export const StatusChart = memo(function StatusChart({ rows, ticks, markers }: Omit<Props, 'keys'>) {
  return (
    <AreaChart data={rows} responsive style={STYLE} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis(ticks)}
      <YAxis width={40} tick={TICK} allowDecimals={false} />
      {tooltip(formatterFor('/s'))}
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={LEGEND_STYLE} />
      {statusFieldsIn(rows).map((s) => (
        <Area
          key={s}
          type="linear"
          stackId="status"
          name={s === 'errors' ? 'no response' : s}
          dataKey={s}
          stroke={STATUS_COLORS[s]}
          fill={STATUS_COLORS[s]}
          fillOpacity={0.45}
          isAnimationActive={false}
          dot={false}
        />
      ))}
      {markerLines(markers)}
    </AreaChart>
  );
});

const BYTES_SERIES = [
  { key: 'bytesIn', name: 'in (from clients)', color: '#4e79a7' },
  { key: 'bytesOut', name: 'out (to clients)', color: '#f28e2b' },
] as const;

function bytesTick(v: number): string {
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(v >= 10 * 1024 * 1024 ? 0 : 1)}M`;
  if (v >= 1024) return `${(v / 1024).toFixed(v >= 10 * 1024 ? 0 : 1)}K`;
  return String(Math.round(v));
}

/** A TCP service's bytes per second, in from clients and out to them. */
export const BytesChart = memo(function BytesChart({ rows, ticks, markers }: Omit<Props, 'keys'>) {
  return (
    <LineChart data={rows} responsive style={STYLE} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis(ticks)}
      <YAxis width={44} tick={TICK} tickFormatter={bytesTick} />
      {tooltip(bytesFormatter)}
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={LEGEND_STYLE} />
      {BYTES_SERIES.map((b) => (
        <Line
          key={b.key}
          type="linear"
          name={b.name}
          dataKey={b.key}
          stroke={b.color}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      ))}
      {markerLines(markers)}
    </LineChart>
  );
});
