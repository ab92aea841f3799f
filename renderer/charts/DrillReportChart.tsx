/**
 * A finished drill's traffic: requests per second per backend, stacked,
 * with the client-visible failures per tick on top and the steps marked
 * where they were applied. Drawn from the report's samples (one per stats
 * tick), so it is the same picture the exported HTML shows.
 */
import { Area, ComposedChart, CartesianGrid, Legend, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { DrillReport } from '../../core/contract';
import { backendColours } from './colours';

interface Row {
  t: number;
  failures: number;
  [backend: string]: number;
}

export function DrillReportChart({ report, colourOf }: { report: DrillReport; colourOf(name: string): string | undefined }) {
  const names = [...new Set(report.samples.flatMap((s) => s.backends.map((b) => b.name)))];
  // Keyed by index (b0, b1...), since backend names such as 127.0.0.1:3001 read as paths to chart libraries.
  const rows: Row[] = report.samples.map((s, i) => {
    const prev = report.samples[i - 1];
    const dt = prev ? (s.tMs - prev.tMs) / 1000 : 0.5;
    const failed = s.errors + s.status5xx;
    const row: Row = { t: Math.round(s.tMs / 100) / 10, failures: dt > 0 ? Math.round((failed / dt) * 10) / 10 : failed };
    names.forEach((n, i) => {
      row[`b${i}`] = s.backends.find((b) => b.name === n)?.rps ?? 0;
    });
    return row;
  });
  const steps = report.steps.filter((s) => s.appliedAtMs !== null);
  // The colours the live charts give these backends (./colours).
  const colours = backendColours(report.service, names, names.map(colourOf));
  return (
    <ComposedChart data={rows} responsive style={{ width: '100%', height: 200 }} margin={{ top: 16, right: 12, bottom: 0, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="t" type="number" domain={[0, Math.round(report.durationMs / 100) / 10]} tickFormatter={(v: number) => `${v} s`} tick={{ fontSize: 11 }} />
      <YAxis width={40} tick={{ fontSize: 11 }} allowDecimals={false} />
      <Tooltip isAnimationActive={false} labelFormatter={(v) => `${Number(v).toFixed(1)} s`} formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}/s` : '–')} />
      <Legend verticalAlign="top" height={20} iconSize={10} wrapperStyle={{ fontSize: 11 }} />
      {names.map((n, i) => (
        <Area
          key={n}
          type="linear"
          stackId="rps"
          dataKey={`b${i}`}
          name={n}
          stroke={colours[i]}
          fill={colours[i]}
          fillOpacity={0.35}
          isAnimationActive={false}
          dot={false}
        />
      ))}
      <Line type="linear" dataKey="failures" name="failures/s" stroke="#e15759" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      {steps.map((s) => (
        <ReferenceLine
          key={s.index}
          x={Math.round(s.appliedAtMs! / 100) / 10}
          stroke="#8a8f98"
          strokeDasharray="4 2"
          label={{ value: s.label, position: 'insideTopLeft', fontSize: 10, fill: '#8a8f98' }}
        />
      ))}
    </ComposedChart>
  );
}
