/**
 * The Compare tab's charts: latency percentiles per strategy on one chart
 * (grouped bars, log scale, since a saturated strategy's p99 is often a
 * hundred times a good one's), and each strategy's split between the
 * backends as one stacked bar. Static results: animation off.
 */
import { memo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CompareRow } from '../../core/lab/compare/result';
import { formatPercent } from '../components/format';
import { seriesColor } from './palette';

const TICK = { fontSize: 11 };
const LEGEND_STYLE = { fontSize: 11 };
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };
const PERCENTILES = [
  ['p50', '#4e79a7'],
  ['p90', '#f28e2b'],
  ['p99', '#e15759'],
] as const;
const msTick = (v: number) => (v >= 1000 ? `${v / 1000} s` : `${v}`);
const msValue = (v: unknown) => (typeof v === 'number' ? `${v} ms` : String(v));
const pctValue = (v: unknown) => (typeof v === 'number' ? formatPercent(v) : String(v));

export const PercentileChart = memo(function PercentileChart({ rows }: { rows: readonly CompareRow[] }) {
  // A log axis cannot show 0: a strategy that answered nothing shows nothing rather than breaking the scale.
  const data = rows.map((r) => ({ strategy: r.strategy, p50: Math.max(r.p50, 0.1), p90: Math.max(r.p90, 0.1), p99: Math.max(r.p99, 0.1) }));
  return (
    <BarChart data={data} responsive style={{ width: '100%', height: 240 }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="strategy" type="category" tick={TICK} interval={0} />
      <YAxis width={48} tick={TICK} scale="log" domain={[1, 'auto']} allowDataOverflow tickFormatter={msTick} />
      <Tooltip isAnimationActive={false} formatter={msValue} />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={LEGEND_STYLE} />
      {PERCENTILES.map(([p, colour]) => (
        <Bar key={p} dataKey={p} name={p} fill={colour} isAnimationActive={false} />
      ))}
    </BarChart>
  );
});

export const ShareChart = memo(function ShareChart({ rows, colours }: { rows: readonly CompareRow[]; colours: Readonly<Record<string, string>> }) {
  const backends = Object.keys(rows[0]?.share ?? {});
  const data = rows.map((r) => ({ strategy: r.strategy, ...r.share }));
  return (
    <BarChart data={data} layout="vertical" responsive style={{ width: '100%', height: 40 + rows.length * 34 }} margin={MARGIN}>
      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
      <XAxis type="number" domain={[0, 1]} tick={TICK} tickFormatter={formatPercent} />
      <YAxis type="category" dataKey="strategy" width={150} tick={TICK} />
      <Tooltip isAnimationActive={false} formatter={pctValue} />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={LEGEND_STYLE} />
      {backends.map((b, i) => (
        <Bar key={b} dataKey={b} stackId="share" fill={colours[b] ?? seriesColor(i)} isAnimationActive={false} />
      ))}
    </BarChart>
  );
});
