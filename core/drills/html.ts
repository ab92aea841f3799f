/**
 * A drill report as one self-contained HTML page: inline CSS, inline SVG
 * charts, no script and no external asset, so it can be mailed or attached
 * to a ticket and opens anywhere. Charts: requests per second by backend,
 * the service's latency, and failures per tick, each with the steps marked.
 */
import type { DrillReport, DrillSample, MethodOutcomes } from './report';
import { eventTypeWords } from '../contract/words';

/** The generator marker every exported report carries (here as a <meta>), so lbw knows the file for its own when exporting over it. */
export const REPORT_GENERATOR = 'LB Workbench drill report';

export type ReportFormat = 'json' | 'html';

/** A report's file text in a format: what drills:export writes and what a browser page downloads. */
export function reportText(report: DrillReport, format: ReportFormat): string {
  return format === 'json' ? `${JSON.stringify({ generator: REPORT_GENERATOR, ...report }, null, 2)}\n` : reportHtml(report);
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#666;margin:0 0 16px}
.verdict{padding:12px 16px;border-radius:6px;margin:12px 0}
.clean{background:#e8f5e9;border:1px solid #66bb6a}.dirty{background:#ffebee;border:1px solid #ef5350}
.verdict ul{margin:6px 0 0;padding-left:20px}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{text-align:right;padding:4px 8px;border-bottom:1px solid #e5e5e5}
th:first-child,td:first-child,td.l,th.l{text-align:left}
th{font-weight:600;background:#fafafa}
svg{display:block;margin:4px 0 0}
svg text{font:11px system-ui,sans-serif;fill:#555}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px;vertical-align:-1px}
.err{color:#c62828}
`;

export function reportHtml(r: DrillReport): string {
  const backendNames = [...new Set(r.samples.flatMap((s) => s.backends.map((b) => b.name)))];
  const colour = (name: string) => PALETTE[backendNames.indexOf(name) % PALETTE.length]!;
  const markers = r.steps.filter((s) => s.appliedAtMs !== null).map((s) => ({ x: s.appliedAtMs!, label: s.label }));
  const xMax = Math.max(r.durationMs, ...r.samples.map((s) => s.tMs), 1);

  const rpsChart = lineChart({
    series: backendNames.map((name) => ({ name, colour: colour(name), points: r.samples.map((s) => [s.tMs, backendRps(s, name)] as const) })),
    xMax,
    yLabel: 'req/s',
    markers,
  });
  const latencyChart = lineChart({
    series: [
      { name: 'p50', colour: '#4e79a7', points: points(r.samples, (s) => s.p50) },
      { name: 'p99', colour: '#e15759', points: points(r.samples, (s) => s.p99) },
    ],
    xMax,
    yLabel: 'ms',
    markers,
  });
  const failureChart = lineChart({
    series: [
      { name: 'connection errors', colour: '#e15759', points: r.samples.map((s) => [s.tMs, s.errors] as const) },
      { name: '5xx', colour: '#f28e2b', points: r.samples.map((s) => [s.tMs, s.status5xx] as const) },
      { name: 'retries', colour: '#76b7b2', points: r.samples.map((s) => [s.tMs, s.retries] as const) },
    ],
    xMax,
    yLabel: 'per tick',
    markers,
  });

  const methods = Object.entries(r.requests.byMethod);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill ${esc(r.drill)}: ${r.verdict.clean ? 'clean' : 'not clean'}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="${REPORT_GENERATOR}"><style>${CSS}</style></head>
<body>
<h1>Drill “${esc(r.drill)}” on service ${esc(r.service)}</h1>
<p class="sub">${esc(new Date(r.startedAt).toISOString())} · ${(r.durationMs / 1000).toFixed(1)} s · ${esc(r.result)} · ${r.load.rate} req/s offered, ${r.load.achievedRate} req/s sent${r.description ? ` · ${esc(r.description)}` : ''}</p>
<div class="verdict ${r.verdict.clean ? 'clean' : 'dirty'}"><strong>${r.verdict.clean ? 'Clean: no GET failed and no POST was sent twice.' : 'Not clean.'}</strong>
<ul>${r.verdict.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>

<h2>Requests</h2>
<table><tr><th>method</th><th>sent</th><th>ok</th><th>failed</th><th>4xx</th><th>5xx</th><th>refused</th><th>reset</th><th>timeout</th><th>other</th><th>cancelled</th></tr>
${methods.map(([m, o]) => outcomeRow(m, o)).join('\n')}
${methods.length > 1 ? outcomeRow('all', r.requests.total) : ''}</table>
<p>Retries by the proxy: ${r.retries} · sent again after reaching a backend: ${r.resent.idempotent} idempotent, ${r.resent.nonIdempotent} non-idempotent · ejections: ${r.ejections} · health transitions: ${r.healthTransitions} · client latency p50 ${r.load.latency.p50} ms, p99 ${r.load.latency.p99} ms, max ${r.load.latency.max} ms</p>

<h2>Steps</h2>
<table><tr><th class="l">step</th><th>planned</th><th>applied</th><th>time to detect</th><th class="l">detected by</th><th>time to recover</th><th>failures after</th></tr>
${r.steps
  .map(
    (s) =>
      `<tr><td>${esc(s.label)}${s.error ? ` <span class="err">(${esc(s.error.message)})</span>` : ''}</td><td>${seconds(s.atMs)}</td><td>${s.appliedAtMs === null ? '–' : seconds(s.appliedAtMs)}</td><td>${ms(s.detectMs)}</td><td class="l">${esc(s.detectedBy ?? '–')}</td><td>${ms(s.recoverMs)}</td><td>${s.failuresAfter}</td></tr>`,
  )
  .join('\n')}</table>

<h2>Requests per second by backend</h2>
${legend(backendNames.map((n) => [n, colour(n)]))}${rpsChart}
<h2>Service latency</h2>
${legend([['p50', '#4e79a7'], ['p99', '#e15759']])}${latencyChart}
<h2>Failures and retries per tick</h2>
${legend([['connection errors', '#e15759'], ['5xx', '#f28e2b'], ['retries', '#76b7b2']])}${failureChart}

<h2>Events</h2>
<table><tr><th>t</th><th class="l">event</th><th class="l">backend</th><th class="l">detail</th></tr>
${r.events.map((e) => `<tr><td>${seconds(e.tMs)}</td><td class="l">${esc(eventTypeWords(e.type))}</td><td class="l">${esc(e.backend)}</td><td class="l">${esc(e.detail)}</td></tr>`).join('\n')}</table>
</body></html>
`;
}

function outcomeRow(method: string, o: MethodOutcomes): string {
  const f = o.failed;
  return `<tr><td>${esc(method)}</td><td>${o.sent}</td><td>${o.ok}</td><td>${o.failedTotal}</td><td>${f.status4xx}</td><td>${f.status5xx}</td><td>${f.refused}</td><td>${f.reset}</td><td>${f.timeout}</td><td>${f.other}</td><td>${o.cancelled}</td></tr>`;
}

function backendRps(s: DrillSample, name: string): number {
  return s.backends.find((b) => b.name === name)?.rps ?? 0;
}

function points(samples: readonly DrillSample[], pick: (s: DrillSample) => number | null): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (const s of samples) {
    const v = pick(s);
    if (v !== null) out.push([s.tMs, v]);
  }
  return out;
}

interface Chart {
  series: Array<{ name: string; colour: string; points: ReadonlyArray<readonly [number, number]> }>;
  xMax: number;
  yLabel: string;
  markers: Array<{ x: number; label: string }>;
}

const W = 960;
const H = 220;
const PAD = { left: 48, right: 12, top: 22, bottom: 26 };

/** A small line chart as inline SVG: axes with a few ticks, one polyline per series, dashed lines at the steps. */
function lineChart(c: Chart): string {
  const yMaxRaw = Math.max(0, ...c.series.flatMap((s) => s.points.map((p) => p[1])));
  const yMax = niceCeil(yMaxRaw || 1);
  const x = (v: number) => PAD.left + (v / c.xMax) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  const xStep = niceCeil(c.xMax / 8);
  for (let t = 0; t <= c.xMax; t += xStep) parts.push(`<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${fmt(t / 1000)} s</text>`);
  parts.push(`<text x="6" y="14">${esc(c.yLabel)}</text>`);
  for (const m of c.markers) {
    parts.push(`<line x1="${x(m.x).toFixed(1)}" x2="${x(m.x).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#999" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${(x(m.x) + 3).toFixed(1)}" y="${PAD.top - 6}">${esc(m.label)}</text>`);
  }
  for (const s of c.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="1.8" points="${d}"><title>${esc(s.name)}</title></polyline>`);
  }
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function legend(items: Array<[string, string]>): string {
  return `<div class="legend">${items.map(([n, c]) => `<span><i style="background:${c}"></i>${esc(n)}</span>`).join('')}</div>`;
}

/** 1, 2 or 5 times a power of ten, at least `v`. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 1 : 0);
}

function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(2)} s`;
}

function ms(v: number | null): string {
  return v === null ? '–' : `${v} ms`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
