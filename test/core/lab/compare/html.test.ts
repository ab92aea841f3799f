/** The comparison as a self-contained page: no script, no external asset, names escaped, every row and percentile drawn. */
import { describe, expect, it } from 'vitest';
import { compareHtml, COMPARE_GENERATOR } from '../../../../core/lab/compare/html';
import type { CompareResult } from '../../../../core/lab/compare/result';

const result: CompareResult = {
  scenario: 'a<b>',
  mode: 'simulated',
  seed: 3,
  rows: [
    { strategy: 'round-robin', requests: 10, failed: 1, retries: 2, p50: 20, p90: 30, p99: 4000, max: 5000, share: { alpha: 0.5, 'b&b': 0.5 }, imbalance: 0 },
    { strategy: 'ring-hash', requests: 10, failed: 0, retries: 0, p50: 20, p90: 25, p99: 28, max: 30, share: { alpha: 0.7, 'b&b': 0.3 }, imbalance: 0.4, keysMoved: 0.25 },
  ],
};

describe('compareHtml', () => {
  it('is one page with the table, the percentile bars and the share bars, escaped and self-contained', () => {
    const html = compareHtml(result, { lookFor: 'watch <p99>', colours: { alpha: '#123456' } });
    expect(html).toContain(`<meta name="generator" content="${COMPARE_GENERATOR}">`);
    expect(html).toContain('<title>Strategies compared: a&lt;b&gt;</title>');
    expect(html).toContain('<strong>What to look for:</strong> watch &lt;p99&gt;');
    expect(html).not.toMatch(/<script|<link|src=/);
    // Two rows, the keys column with a dash for the strategy without keys.
    expect(html.match(/<tr><td>/g)).toHaveLength(2);
    expect(html).toContain('<td>ring-hash</td>');
    expect(html).toContain('<td>25.0%</td>');
    expect(html).toContain('<td>–</td>');
    // Three bars per strategy, titled with their value; log scale up to 10 s for a 4 s p99.
    expect(html.match(/<rect /g)).toHaveLength(6);
    expect(html).toContain('<title>round-robin p99 4000 ms</title>');
    expect(html).toContain('>10 s</text>');
    expect(html).toContain('background:#123456');
    expect(html).toContain('title="b&amp;b 30.0%"');
  });
});
