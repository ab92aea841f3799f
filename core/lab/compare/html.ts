/**
 * A comparison as one self-contained HTML page, as drill reports are (see
 * core/drills/html.ts): inline CSS and SVG, no script, no external asset, so
 * it opens anywhere and can be attached to a ticket. It holds the table, the
 * latency percentiles per strategy (grouped bars on a log scale, as a slow
 * strategy's p99 is often a hundred times a fast one's) and each strategy's
 * split between the backends.
 */
import type { CompareResult } from './result';

/** Marks the page as lbw's own. */
export const COMPARE_GENERATOR = 'LB Workbench strategy comparison';

const PERCENTILES = [
  ['p50', '#4e79a7'],
  ['p90', '#f28e2b'],
  ['p99', '#e15759'],
] as const;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1000px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#666;margin:0 0 16px}.note{background:#f5f7fb;border:1px solid #c5d0e6;border-radius:6px;padding:10px 14px}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{text-align:right;padding:4px 8px;border-bottom:1px solid #e5e5e5}
th:first-child,td:first-child{text-align:left}th{font-weight:600;background:#fafafa}
svg text{font:11px system-ui,sans-serif;fill:#555}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px;vertical-align:-1px}
.bar{display:flex;height:18px;border-radius:3px;overflow:hidden;margin:2px 0 10px}.bar div{height:100%}
`;

export interface CompareHtmlExtra {
  description?: string | undefined;
  lookFor?: string | undefined;
  /** Backend colours by name (the scenario's). */
  colours?: Readonly<Record<string, string>>;
}

export function compareHtml(r: CompareResult, extra: CompareHtmlExtra = {}): string {
  const backends = Object.keys(r.rows[0]?.share ?? {});
  const colour = (name: string, i: number) => extra.colours?.[name] ?? PALETTE[i % PALETTE.length]!;
  const keys = r.rows.some((row) => row.keysMoved !== undefined);
  const head = ['strategy', 'requests', 'failed', 'retries', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'imbalance', ...(keys ? ['keys moved'] : []), ...backends.map((b) => `${b} share`)];
  const rows = r.rows.map((row) =>
    [
      esc(row.strategy),
      row.requests,
      row.failed,
      row.retries,
      row.p50,
      row.p90,
      row.p99,
      row.max,
      row.imbalance,
      ...(keys ? [row.keysMoved == null ? '–' : pct(row.keysMoved)] : []),
      ...backends.map((b) => pct(row.share[b] ?? 0)),
    ]
      .map((v) => `<td>${v}</td>`)
      .join(''),
  );
  const shares = r.rows
    .map(
      (row) =>
        `<div>${esc(row.strategy)}</div><div class="bar">${backends
          .map((b, i) => `<div style="width:${((row.share[b] ?? 0) * 100).toFixed(2)}%;background:${colour(b, i)}" title="${esc(b)} ${pct(row.share[b] ?? 0)}"></div>`)
          .join('')}</div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="${COMPARE_GENERATOR}">
<title>Strategies compared: ${esc(r.scenario)}</title><style>${CSS}</style></head><body>
<h1>Strategies compared: ${esc(r.scenario)}</h1>
<p class="sub">${r.mode === 'simulated' ? 'simulated on a virtual clock' : 'run on real sockets'} · seed ${r.seed}${extra.description ? ` · ${esc(extra.description)}` : ''}</p>
${extra.lookFor ? `<p class="note"><strong>What to look for:</strong> ${esc(extra.lookFor)}</p>` : ''}
<h2>Results</h2>
<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${rows.map((tr) => `<tr>${tr}</tr>`).join('\n')}</table>
<p class="sub">Latency is what the clients saw, retries included. Imbalance: the largest share / weight share − 1 (0 follows the weights exactly).</p>
<h2>Latency percentiles (log scale)</h2>
${legend(PERCENTILES.map(([p, c]) => [p, c]))}
${percentileChart(r)}
<h2>Share of answers by backend</h2>
${legend(backends.map((b, i) => [b, colour(b, i)]))}
${shares}
</body></html>
`;
}

/** Grouped bars, one group per strategy, one bar per percentile, on a log scale from 1 ms. */
function percentileChart(r: CompareResult): string {
  const W = 960;
  const H = 240;
  const pad = { left: 50, right: 10, top: 10, bottom: 30 };
  const top = Math.max(10, ...r.rows.map((row) => row.p99));
  const decades = Math.ceil(Math.log10(top));
  const y = (v: number) => pad.top + (H - pad.top - pad.bottom) * (1 - Math.log10(Math.max(1, v)) / decades);
  const groupW = (W - pad.left - pad.right) / Math.max(1, r.rows.length);
  const barW = Math.min(40, (groupW * 0.7) / PERCENTILES.length);
  const parts: string[] = [];
  for (let d = 0; d <= decades; d++) {
    const v = 10 ** d;
    parts.push(`<line x1="${pad.left}" x2="${W - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  r.rows.forEach((row, g) => {
    const x0 = pad.left + g * groupW + (groupW - barW * PERCENTILES.length) / 2;
    PERCENTILES.forEach(([p, c], i) => {
      const v = row[p];
      const yTop = y(v);
      parts.push(`<rect x="${(x0 + i * barW).toFixed(1)}" y="${yTop.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(H - pad.bottom - yTop).toFixed(1)}" fill="${c}"><title>${esc(row.strategy)} ${p} ${v} ms</title></rect>`);
    });
    parts.push(`<text x="${(pad.left + g * groupW + groupW / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle">${esc(row.strategy)}</text>`);
  });
  return `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="latency percentiles per strategy">${parts.join('')}</svg>`;
}

function legend(items: ReadonlyArray<readonly [string, string]>): string {
  return `<div class="legend">${items.map(([n, c]) => `<span><i style="background:${c}"></i>${esc(n)}</span>`).join('')}</div>`;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
