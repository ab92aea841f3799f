/**
 * The Prometheus text exposition format, version 0.0.4: metric families
 * rendered as `# HELP` and `# TYPE` lines followed by their samples, one
 * uninterrupted group per family, every line ending in `\n`. Label values
 * escape backslash, double quote and line feed; HELP texts escape backslash
 * and line feed. Pure: the admin API's /metrics serves what this returns.
 */

/** What Prometheus is told about a family; `histogram` families hold `_bucket`, `_sum` and `_count` samples. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  /** Appended to the family's name: `_bucket`, `_sum`, `_count` for histograms; empty otherwise. */
  suffix?: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total`. */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** The Content-Type of this format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as Go's ParseFloat reads it: `+Inf`, `-Inf`, `NaN`, or the shortest decimal form. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k]!)}"`).join(',')}}`;
}

/** Renders the families in the order given. Throws on a name the format does not allow (a bug, not input). */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      for (const k of Object.keys(s.labels)) if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(k)}`);
      lines.push(`${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * A histogram's samples for one label set: cumulative `_bucket` counts for
 * each upper bound (ascending) and `+Inf`, then `_sum` and `_count`.
 */
export function histogramSamples(labels: Readonly<Record<string, string>>, bounds: readonly number[], cumulative: ArrayLike<number>, sum: number, count: number): Sample[] {
  const out: Sample[] = bounds.map((le, i) => ({ suffix: '_bucket', labels: { ...labels, le: formatValue(le) }, value: cumulative[i]! }));
  out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: count });
  out.push({ suffix: '_sum', labels, value: sum });
  out.push({ suffix: '_count', labels, value: count });
  return out;
}
