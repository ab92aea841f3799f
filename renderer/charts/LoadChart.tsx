/**
 * The load run as the client sees it: the rate it achieved against the
 * rate it aimed for (open loop), and the client's p99 latency on a second
 * axis. Rows come from the load slice's bounded ring; animations are off.
 * Memoized with stable props, like the service's charts (TimeSeriesCharts).
 */
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LoadRow } from '../store/load-slice';

const MARGIN = { top: 8, right: 4, bottom: 0, left: 0 };
const TICK = { fontSize: 11 };
const DOMAIN = ['dataMin', 'dataMax'] as const;
const LEGEND_STYLE = { fontSize: 11 };
const secondsTick = (v: number) => `${v} s`;
const secondsLabel = (v: unknown) => `${Number(v).toFixed(1)} s`;
const valueLabel = (v: unknown, name: unknown) => (typeof v === 'number' ? `${v.toFixed(1)} ${String(name).includes('p99') ? 'ms' : 'req/s'}` : '–');

export const LoadChart = memo(function LoadChart({ rows, height = 180 }: { rows: LoadRow[]; height?: number }) {
  const hasTarget = rows.some((r) => r.target !== null);
  const style = useMemo(() => ({ width: '100%', height }), [height]);
  return (
    <LineChart data={rows} responsive style={style} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="t" type="number" domain={DOMAIN} tickFormatter={secondsTick} minTickGap={30} tick={TICK} />
      <YAxis yAxisId="rate" width={44} tick={TICK} allowDecimals={false} />
      <YAxis yAxisId="ms" orientation="right" width={40} tick={TICK} allowDecimals={false} />
      <Tooltip isAnimationActive={false} labelFormatter={secondsLabel} formatter={valueLabel} />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={LEGEND_STYLE} />
      <Line yAxisId="rate" type="linear" dataKey="rate" name="achieved req/s" stroke="#4e79a7" strokeWidth={1.8} dot={false} isAnimationActive={false} />
      {hasTarget && (
        <Line yAxisId="rate" type="stepAfter" dataKey="target" name="target req/s" stroke="#8a8f98" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
      )}
      <Line yAxisId="ms" type="linear" dataKey="p99" name="client p99, ms (right)" stroke="#e15759" strokeWidth={1.2} dot={false} connectNulls={false} isAnimationActive={false} />
    </LineChart>
  );
});
