import { describe, expect, it } from 'vitest';
import { describeEvent, renderTable } from '../../cli/table';
import { Backend } from '../../core/model/backend';
import { StatsCollector } from '../../core/stats/collector';

describe('lbw run live table', () => {
  it('shows one row per backend with its health, share and expected share', () => {
    const a = new Backend({ url: 'http://127.0.0.1:3001', name: 'alpha', weight: 1, state: 'active', backup: false });
    const b = new Backend({ url: 'http://127.0.0.1:3002', name: 'bravo', weight: 3, state: 'drain', backup: true });
    a.health = 'healthy';
    b.ejected = true;
    const stats = new StatsCollector({ tickMs: 500, startedAt: 0 });
    const svc = stats.service('api');
    for (let i = 0; i < 4; i++) svc.attemptEnded(a, { status: 200, latencyMs: 12, bytesIn: 0, bytesOut: 10 });
    const snap = stats.snapshot(500, [{ name: 'api', protocol: 'http', address: '127.0.0.1:8080', strategy: 'round-robin', backends: [a, b] }]);
    const lines = renderTable(snap, ['12:00:00.000 api/bravo ejected for 10 s (5 consecutive 5xx)']).split('\n');
    expect(lines[0]).toMatch(/^api {2}127\.0\.0\.1:8080 {2}round-robin/);
    const alpha = lines.find((l) => l.trimStart().startsWith('alpha'))!;
    expect(alpha.split(/\s+/).filter(Boolean)).toEqual(['alpha', 'healthy', 'active', '1', '8', '0', '12', '12', '0', '100%', '100%']);
    const bravo = lines.find((l) => l.trimStart().startsWith('bravo'))!;
    expect(bravo.split(/\s+/).filter(Boolean).slice(0, 4)).toEqual(['bravo', 'ejected', 'drain*', '3']);
    expect(lines).toContain('  12:00:00.000 api/bravo ejected for 10 s (5 consecutive 5xx)');
  });

  it('describes events in one line', () => {
    expect(describeEvent({ type: 'health:changed', at: Date.UTC(2026, 0, 1, 12), service: 'api', backend: 'a', backendId: '#1', from: 'healthy', to: 'unhealthy', cause: 'check failed: ECONNREFUSED' })).toBe(
      '12:00:00.000 api/a healthy -> unhealthy (check failed: ECONNREFUSED)',
    );
  });
});
