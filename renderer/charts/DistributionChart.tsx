/** Where requests went over the last 10 s, next to what the weights imply. */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { DistributionRow } from '../store/series';
import { formatPercent } from '../components/format';

export function DistributionChart({ rows }: { rows: DistributionRow[] }) {
  return (
    <BarChart data={rows} responsive style={{ width: '100%', height: 170 }} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="name" type="category" tick={{ fontSize: 11 }} interval={0} />
      <YAxis width={40} tick={{ fontSize: 11 }} domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v)} />
      <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? formatPercent(v) : String(v))} />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
      <Bar dataKey="share" name="actual" fill="#4e79a7" isAnimationActive={false} />
      <Bar dataKey="expected" name="expected" fill="#bab0ac" isAnimationActive={false} />
    </BarChart>
  );
}
