/**
 * A backend's running totals in the stats snapshot (issue 16, HAProxy-stats
 * style): requests, errors (5xx answers and attempts failed without a
 * response) and bytes since start, summed exactly over ticks, and downtime:
 * the ticks at whose end it could not take traffic, by their actual length.
 */
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { StatsCollector, type ServiceInfo } from '../../../core/stats/collector';
import type { AttemptOutcome } from '../../../core/stats/types';

const T0 = 1_000_000;

function svc(backends: Backend[]): ServiceInfo {
  return { name: 'web', protocol: 'http', address: '127.0.0.1:8080', strategy: 'round-robin', backends };
}

const ok = (over: Partial<AttemptOutcome> = {}): AttemptOutcome => ({ status: 200, latencyMs: 5, bytesIn: 10, bytesOut: 100, ...over });

describe('backend totals since start', () => {
  it('sums requests, errors and bytes over ticks and counts the time a backend was out as downtime', () => {
    const a = new Backend({ url: 'http://127.0.0.1:3001', weight: 1, state: 'active', backup: false });
    const b = new Backend({ url: 'http://127.0.0.1:3002', weight: 1, state: 'active', backup: false });
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const web = stats.service('web');

    web.attemptEnded(a, ok());
    web.attemptEnded(a, ok({ status: 503, bytesOut: 20 }));
    web.attemptEnded(a, ok({ status: undefined, error: 'refused', bytesIn: 0, bytesOut: 0 }));
    stats.snapshot(T0 + 500, [svc([a, b])]);

    web.attemptEnded(a, ok({ status: 404 })); // a 4xx is the client's, not the backend's error
    web.attemptEnded(a, ok({ status: undefined, error: 'timeout', bytesIn: 10, bytesOut: 0 }));
    b.state = 'disabled'; // out for the next two ticks (730 ms and 500 ms long)
    stats.snapshot(T0 + 1230, [svc([a, b])]);
    const third = stats.snapshot(T0 + 1730, [svc([a, b])]);
    b.state = 'active';
    const fourth = stats.snapshot(T0 + 2230, [svc([a, b])]);

    const [sa, sb] = third.services[0]!.backends;
    expect(sa).toMatchObject({ totalRequests: 5, totalErrors: 3, totalBytesIn: 40, totalBytesOut: 220, downtimeMs: 0 });
    expect(sb).toMatchObject({ totalRequests: 0, totalErrors: 0, totalBytesIn: 0, totalBytesOut: 0, downtimeMs: 1230, available: false });
    // Back in: the downtime stays what it was.
    expect(fourth.services[0]!.backends[1]).toMatchObject({ downtimeMs: 1230, available: true });
    expect(fourth.services[0]!.backends[0]).toMatchObject({ totalRequests: 5, totalErrors: 3 });
  });
});
