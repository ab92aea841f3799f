/**
 * The time-series charts of a service: requests (or TCP connections) per
 * second per backend, latency (or connect time) per backend, responses by
 * status class for HTTP and bytes per second for TCP. Rows come from
 * the stats slice (one per tick, bounded); animations are off because the
 * data moves every tick.
 */
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesKey, TickRow } from '../store/series';
import { formatBytesRate, formatTime } from '../components/format';
import type { Marker } from './markers';
import { MARKER_COLORS, seriesColor, STATUS_COLORS } from './palette';

const HEIGHT = 170;
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };

interface Props {
  rows: TickRow[];
  keys: SeriesKey[];
  /** A colour per key (demo backends keep their own); seriesColor(i) where missing. */
  colors?: string[];
  markers: Marker[];
  /** The tooltip's unit for the rates: req/s or conn/s. */
  unit?: string;
}

const colorAt = (colors: string[] | undefined, i: number) => colors?.[i] ?? seriesColor(i);

function timeAxis() {
  return (
    <XAxis
      dataKey="at"
      type="number"
      scale="time"
      domain={['dataMin', 'dataMax']}
      tickFormatter={formatTime}
      minTickGap={40}
      tick={{ fontSize: 11 }}
    />
  );
}

function markerLines(markers: Marker[]) {
  return markers.map((m) => (
    <ReferenceLine key={m.key} x={m.at} stroke={MARKER_COLORS[m.kind]} strokeDasharray={m.kind === 'config' ? '2 3' : '4 2'} strokeWidth={1.5} />
  ));
}

function tooltip(unit: string) {
  return (
    <Tooltip
      isAnimationActive={false}
      labelFormatter={(v) => formatTime(Number(v))}
      formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)} ${unit}` : String(v ?? '–'))}
    />
  );
}

export function RpsChart({ rows, keys, colors, markers, unit = 'req/s' }: Props) {
  return (
    <AreaChart data={rows} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis()}
      <YAxis width={40} tick={{ fontSize: 11 }} allowDecimals={false} />
      {tooltip(unit)}
      {keys.map((k, i) => (
        <Area
          key={k.id}
          type="linear"
          stackId="rps"
          name={k.name}
          dataKey={(r: TickRow) => r.rps[k.id] ?? 0}
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
}

export function LatencyChart({ rows, keys, colors, markers }: Props) {
  return (
    <LineChart data={rows} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis()}
      <YAxis width={40} tick={{ fontSize: 11 }} />
      {tooltip('ms')}
      {keys.flatMap((k, i) => [
        <Line
          key={`${k.id}:p50`}
          type="linear"
          name={`${k.name} p50`}
          dataKey={(r: TickRow) => r.p50[k.id] ?? null}
          stroke={colorAt(colors, i)}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />,
        <Line
          key={`${k.id}:p99`}
          type="linear"
          name={`${k.name} p99`}
          dataKey={(r: TickRow) => r.p99[k.id] ?? null}
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
}

const STATUS_KEYS = ['2xx', '3xx', '4xx', '5xx', 'errors', '1xx'] as const;

export function StatusChart({ rows, markers }: Omit<Props, 'keys'>) {
  return (
    <AreaChart data={rows} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis()}
      <YAxis width={40} tick={{ fontSize: 11 }} allowDecimals={false} />
      {tooltip('/s')}
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
      {STATUS_KEYS.map((s) => (
        <Area
          key={s}
          type="linear"
          stackId="status"
          name={s === 'errors' ? 'no response' : s}
          dataKey={(r: TickRow) => r.status[s]}
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
}

const BYTES_SERIES = [
  { key: 'in', name: 'in (from clients)', color: '#4e79a7' },
  { key: 'out', name: 'out (to clients)', color: '#f28e2b' },
] as const;

function bytesTick(v: number): string {
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(v >= 10 * 1024 * 1024 ? 0 : 1)}M`;
  if (v >= 1024) return `${(v / 1024).toFixed(v >= 10 * 1024 ? 0 : 1)}K`;
  return String(Math.round(v));
}

/** A TCP service's bytes per second, in from clients and out to them. */
export function BytesChart({ rows, markers }: Omit<Props, 'keys'>) {
  return (
    <LineChart data={rows} responsive style={{ width: '100%', height: HEIGHT }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      {timeAxis()}
      <YAxis width={44} tick={{ fontSize: 11 }} tickFormatter={bytesTick} />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(v) => formatTime(Number(v))}
        formatter={(v) => (typeof v === 'number' ? formatBytesRate(v) : String(v ?? '–'))}
      />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
      {BYTES_SERIES.map((b) => (
        <Line
          key={b.key}
          type="linear"
          name={b.name}
          dataKey={(r: TickRow) => r.bytes[b.key]}
          stroke={b.color}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      ))}
      {markerLines(markers)}
    </LineChart>
  );
}
