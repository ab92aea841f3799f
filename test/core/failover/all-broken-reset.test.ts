/**
 * Failover matrix, every backend resetting every connection: every strategy,
 * two and three backends, 10 and 50 keep-alive clients, 150 requests (enough
 * to count attempts; nothing here waits on a timeout). Each client gets a
 * 502 at once and the backends see no more than `retries.attempts`
 * connections per client request. See matrix.ts for the checks.
 */
import { defineMatrix } from './matrix';

defineMatrix({ section: 'all-broken-reset', kind: 'reset', allBroken: true, backends: [2, 3], clients: [10, 50], requests: 150 });
