/**
 * How TCP connections land in the stats snapshot (the mapping described in
 * core/proxy/tcp-service.ts), counted straight into a StatsCollector.
 */
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { StatsCollector } from '../../../core/stats/collector';

const T0 = 1_000_000;

function backend(port: number): Backend {
  return new Backend({ url: `tcp://127.0.0.1:${port}`, weight: 1, state: 'active', backup: false });
}

describe('TCP connections in the stats', () => {
  it('counts connections when they settle, bytes as they flow, and keeps open connections in flight', () => {
    const a = backend(1);
    const b = backend(2);
    const stats = new StatsCollector({ tickMs: 500, startedAt: T0 });
    const db = stats.service('db');
    const info = [{ name: 'db', protocol: 'tcp' as const, address: '127.0.0.1:5432', strategy: 'round-robin', backends: [a, b] }];

    // Tick 1: three clients arrive. One connects to a at once; one is refused by b and retried on a;
    // one finds no backend.
    for (let i = 0; i < 3; i++) db.requestStarted();
    db.attemptEnded(a, { latencyMs: 2, bytesIn: 0, bytesOut: 0 });
    db.connectionSettled({ latencyMs: 2, bytesIn: 0, bytesOut: 0 });
    db.attemptEnded(b, { latencyMs: 1, error: 'refused', bytesIn: 0, bytesOut: 0 });
    db.retried(b);
    db.attemptEnded(a, { latencyMs: 4, bytesIn: 0, bytesOut: 0 });
    db.connectionSettled({ latencyMs: 5, bytesIn: 0, bytesOut: 0 });
    db.connectionSettled({ latencyMs: 0, noBackend: true, bytesIn: 0, bytesOut: 0 });
    db.connectionClosed();
    db.transferred(a, 100, 0);
    db.transferred(a, 0, 250);
    a.inFlight = 2;

    const s1 = stats.snapshot(T0 + 500, info).services[0]!;
    expect(s1).toMatchObject({ requests: 3, rps: 6, inFlight: 2, bytesIn: 100, bytesOut: 250, retries: 1, noBackend: 1 });
    expect(s1.errors).toEqual({ refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 });
    expect(s1.status).toEqual({ '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 });
    expect(s1.latency?.max).toBe(5);
    const [sa, sb] = s1.backends;
    expect(sa).toMatchObject({ requests: 2, inFlight: 2, bytesIn: 100, bytesOut: 250, totalRequests: 2 });
    expect(sa!.latency?.max).toBe(4);
    expect(sb).toMatchObject({ requests: 1, inFlight: 0, retries: 1, totalRequests: 1 });
    expect(sb!.errors.refused).toBe(1);

    // Tick 2: no new connection; the open ones move bytes, then one breaks (the backend reset it).
    db.transferred(a, 4096, 8192);
    db.connectionBroke(a, 'reset');
    db.connectionClosed();
    a.inFlight = 1;
    const s2 = stats.snapshot(T0 + 1000, info).services[0]!;
    expect(s2).toMatchObject({ requests: 0, inFlight: 1, bytesIn: 4096, bytesOut: 8192, latency: null });
    expect(s2.errors.reset).toBe(1);
    expect(s2.backends[0]).toMatchObject({ requests: 0, inFlight: 1, bytesIn: 4096, bytesOut: 8192, totalRequests: 2 });
    expect(s2.backends[0]!.errors.reset).toBe(1);
  });
});
