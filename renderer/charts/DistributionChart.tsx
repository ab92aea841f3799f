/**
 * Where requests went over the last 10 s, next to the strategy's fixed
 * baseline (even split or by weight; components/baseline) when it has one.
 * Memoized with stable props (see TimeSeriesCharts): the rows keep their
 * reference while the shares do not change.
 */
import { memo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { DistributionRow } from '../store/series';
import { formatPercent } from '../components/format';

const STYLE = { width: '100%', height: 170 };
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };
const TICK = { fontSize: 11 };
const DOMAIN = [0, 1];
const LEGEND_STYLE = { fontSize: 11 };
const percentTick = (v: number) => formatPercent(v);
const percentValue = (v: unknown) => (typeof v === 'number' ? formatPercent(v) : String(v));

/** `expectedName` names the baseline's bars ("even split", "by weight"); null draws the shares alone. */
export const DistributionChart = memo(function DistributionChart({ rows, expectedName }: { rows: DistributionRow[]; expectedName: string | null }) {
  return (
    <BarChart data={rows} responsive style={STYLE} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="name" type="category" tick={TICK} interval={0} />
      <YAxis width={40} tick={TICK} domain={DOMAIN} tickFormatter={percentTick} />
      <Tooltip isAnimationActive={false} formatter={percentValue} />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={LEGEND_STYLE} />
      <Bar dataKey="share" name="actual" fill="#4e79a7" isAnimationActive={false} />
      {expectedName !== null && <Bar dataKey="expected" name={expectedName} fill="#bab0ac" isAnimationActive={false} />}
    </BarChart>
  );
});
