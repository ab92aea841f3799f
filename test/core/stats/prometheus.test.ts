/**
 * The Prometheus text format as rendered, read back by the tests' strict
 * parser: escaping, grouping, histograms; the stats histogram's cumulative
 * counts at bounds and its sum; and the totals that turn per-tick counts
 * into counters that only go up.
 */
import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, formatValue, histogramSamples, renderExposition } from '../../../core/stats/prometheus';
import { MetricsTotals } from '../../../core/stats/metric-totals';
import { renderMetrics } from '../../../core/stats/metric-families';
import { TickCounters } from '../../../core/stats/counters';
import { LatencyHistogram } from '../../../core/stats/histogram';
import { parseExposition, sampleValue } from '../../cli/admin/exposition';

describe('renderExposition', () => {
  it('escapes label values and HELP texts as the format says, and reads back the same', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('x\\y\nz "q"')).toBe('x\\\\y\\nz "q"');
    const text = renderExposition([
      { name: 'lbw_x_total', type: 'counter', help: 'line one\nline "two" \\ three', samples: [{ labels: { service: 'we"ird\\na\nme' }, value: 3 }] },
      { name: 'lbw_g', type: 'gauge', help: 'g', samples: [{ labels: {}, value: Infinity }, { labels: { k: 'v' }, value: NaN }] },
    ]);
    expect(text).toBe(
      '# HELP lbw_x_total line one\\nline "two" \\\\ three\n# TYPE lbw_x_total counter\nlbw_x_total{service="we\\"ird\\\\na\\nme"} 3\n' +
        '# HELP lbw_g g\n# TYPE lbw_g gauge\nlbw_g +Inf\nlbw_g{k="v"} NaN\n',
    );
    const parsed = parseExposition(text);
    expect(parsed.get('lbw_x_total')!.help).toBe('line one\nline "two" \\ three');
    expect(sampleValue(parsed, 'lbw_x_total', { service: 'we"ird\\na\nme' })).toBe(3);
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(0.25)).toBe('0.25');
  });

  it('refuses names the format does not allow', () => {
    expect(() => renderExposition([{ name: 'lbw-x', type: 'gauge', help: '', samples: [] }])).toThrow(/invalid metric name/);
    expect(() => renderExposition([{ name: 'lbw_x', type: 'gauge', help: '', samples: [{ labels: { 'a-b': '1' }, value: 1 }] }])).toThrow(/invalid label name/);
    expect(() => renderExposition([{ name: 'lbw_x', type: 'gauge', help: '', samples: [{ labels: { __name: '1' }, value: 1 }] }])).toThrow(/invalid label name/);
  });

  it('renders a histogram with ascending le, +Inf equal to _count, then _sum and _count', () => {
    const text = renderExposition([{ name: 'h_seconds', type: 'histogram', help: 'h', samples: histogramSamples({ s: 'a' }, [0.1, 1], [2, 5], 7.5, 6) }]);
    expect(text).toBe(
      '# HELP h_seconds h\n# TYPE h_seconds histogram\n' +
        'h_seconds_bucket{s="a",le="0.1"} 2\nh_seconds_bucket{s="a",le="1"} 5\nh_seconds_bucket{s="a",le="+Inf"} 6\nh_seconds_sum{s="a"} 7.5\nh_seconds_count{s="a"} 6\n',
    );
    expect(() => parseExposition(text)).not.toThrow();
    // The parser is strict: a decreasing bucket or a wrong +Inf is refused.
    expect(() => parseExposition(text.replace('le="1"} 5', 'le="1"} 1'))).toThrow(/decrease/);
    expect(() => parseExposition(text.replace('le="+Inf"} 6', 'le="+Inf"} 7'))).toThrow(/is not _count/);
  });
});

describe('LatencyHistogram bounds and sum', () => {
  it('counts the samples at or below each bound, to the histogram’s resolution, and sums them', () => {
    const h = new LatencyHistogram();
    for (const ms of [0.05, 0.5, 0.9, 2, 2, 7, 40, 900, 20_000]) h.record(ms);
    const out = new Float64Array(5);
    h.addCountsAtOrBelow([0.1, 1, 5, 50, 1000], out);
    expect([...out]).toEqual([1, 3, 5, 7, 8]);
    // Added, not overwritten: a second tick accumulates.
    h.addCountsAtOrBelow([0.1, 1, 5, 50, 1000], out);
    expect([...out]).toEqual([2, 6, 10, 14, 16]);
    expect(h.sum).toBeCloseTo(0.05 + 0.5 + 0.9 + 2 + 2 + 7 + 40 + 900 + 20_000, 9);
    const other = new LatencyHistogram();
    other.record(3);
    h.merge(other);
    expect(h.sum).toBeCloseTo(20_955.45, 9);
    h.reset();
    expect(h.sum).toBe(0);
    const empty = new Float64Array(2);
    h.addCountsAtOrBelow([1, 2], empty);
    expect([...empty]).toEqual([0, 0]);
  });
});

describe('MetricsTotals', () => {
  it('adds every tick to totals that only go up, and forgets what the snapshot no longer has', () => {
    const totals = new MetricsTotals();
    const tick = new TickCounters();
    const snapshot = (tickNo: number, backends: Array<{ id: string; name: string }>) => ({
      channel: 'stats' as const,
      snapshot: {
        tick: tickNo,
        at: 0,
        intervalMs: 500,
        services: [{ name: 'api', address: '127.0.0.1:1', inFlight: 0, noBackend: 1, backends: backends.map((b) => ({ ...b, inFlight: 0, health: 'healthy', ejected: false, available: true, weight: 2, ejections: 0 })) }],
      } as never,
    });
    for (let t = 1; t <= 3; t++) {
      tick.count(3, 200, undefined, 10, 100);
      tick.count(30, 503, undefined, 0, 5);
      totals.observe('service', 'api', tick);
      totals.observe('backend', '#1', tick);
      tick.clear();
      totals.push(snapshot(t, [{ id: '#1', name: 'a' }]));
    }
    const m = parseExposition(renderMetrics(totals));
    const svc = { service: 'api' };
    expect(sampleValue(m, 'lbw_service_requests_total', svc)).toBe(6);
    expect(sampleValue(m, 'lbw_service_responses_total', { ...svc, code: '5xx' })).toBe(3);
    expect(sampleValue(m, 'lbw_service_sent_bytes_total', svc)).toBe(315);
    expect(sampleValue(m, 'lbw_service_no_backend_total', svc)).toBe(3);
    expect(sampleValue(m, 'lbw_service_request_duration_seconds_bucket', { ...svc, le: '0.005' })).toBe(3);
    expect(sampleValue(m, 'lbw_service_request_duration_seconds_bucket', { ...svc, le: '0.025' })).toBe(3);
    expect(sampleValue(m, 'lbw_service_request_duration_seconds_bucket', { ...svc, le: '0.05' })).toBe(6);
    expect(sampleValue(m, 'lbw_service_request_duration_seconds_sum', svc)).toBeCloseTo(0.099, 9);
    expect(sampleValue(m, 'lbw_backend_requests_total', { service: 'api', backend: 'a' })).toBe(6);
    expect(sampleValue(m, 'lbw_backend_weight', { service: 'api', backend: 'a' })).toBe(2);

    // The backend is removed: its series go; the service's stay.
    totals.push(snapshot(4, []));
    const after = parseExposition(renderMetrics(totals));
    expect(sampleValue(after, 'lbw_backend_requests_total', { service: 'api', backend: 'a' })).toBeUndefined();
    expect(sampleValue(after, 'lbw_service_requests_total', svc)).toBe(6);
  });

  it('sums the load generator’s runs; progress between runs is not counted twice', () => {
    const totals = new MetricsTotals();
    const failed = { status4xx: 0, status5xx: 1, refused: 0, reset: 0, timeout: 0, other: 0 };
    const progress = (sent: number) => ({ channel: 'load' as const, progress: { sent, ok: sent - 1, failed, skipped: 0, inFlight: 2, targetRate: 50 } as never });
    const event = (e: object) => ({ channel: 'event' as const, event: { at: 0, service: 'api', drill: null, ...e } as never });
    totals.push(event({ type: 'load:started', target: 'x' }));
    totals.push(progress(10));
    expect(totals.load().sent).toBe(10);
    expect(totals.loadNow()).toEqual({ running: true, inFlight: 2, targetRate: 50 });
    totals.push(event({ type: 'load:done', summary: { sent: 12, ok: 11, failed, skipped: 0 } }));
    totals.push(progress(12)); // late: ignored
    expect(totals.load()).toMatchObject({ sent: 12, ok: 11 });
    expect(totals.loadNow().running).toBe(false);
    totals.push(event({ type: 'load:started', target: 'x' }));
    totals.push(progress(5));
    expect(totals.load()).toMatchObject({ sent: 17, ok: 15, failed: { status5xx: 2 } });
  });
});
