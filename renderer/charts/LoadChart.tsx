/**
 * The load run as the client sees it: the rate it achieved against the
 * rate it aimed for (open loop), and the client's p99 latency on a second
 * axis. Rows come from the load slice's bounded ring; animations are off.
 */
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LoadRow } from '../store/load-slice';

const MARGIN = { top: 8, right: 4, bottom: 0, left: 0 };

export function LoadChart({ rows, height = 180 }: { rows: LoadRow[]; height?: number }) {
  const hasTarget = rows.some((r) => r.target !== null);
  return (
    <LineChart data={rows} responsive style={{ width: '100%', height }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={(v: number) => `${v} s`} minTickGap={30} tick={{ fontSize: 11 }} />
      <YAxis yAxisId="rate" width={44} tick={{ fontSize: 11 }} allowDecimals={false} />
      <YAxis yAxisId="ms" orientation="right" width={40} tick={{ fontSize: 11 }} allowDecimals={false} />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(v) => `${Number(v).toFixed(1)} s`}
        formatter={(v, name) => (typeof v === 'number' ? `${v.toFixed(1)} ${String(name).includes('p99') ? 'ms' : 'req/s'}` : '–')}
      />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
      <Line yAxisId="rate" type="linear" dataKey="rate" name="achieved req/s" stroke="#4e79a7" strokeWidth={1.8} dot={false} isAnimationActive={false} />
      {hasTarget && (
        <Line yAxisId="rate" type="stepAfter" dataKey="target" name="target req/s" stroke="#8a8f98" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
      )}
      <Line yAxisId="ms" type="linear" dataKey="p99" name="client p99, ms (right)" stroke="#e15759" strokeWidth={1.2} dot={false} connectNulls={false} isAnimationActive={false} />
    </LineChart>
  );
}
