/**
 * Failover matrix, every backend killed a third of the way in: every
 * strategy, two and three backends, 10 and 50 keep-alive clients, 150
 * requests. After the kill each client gets a 502 at once (connects are
 * refused), and no request reaches the backends more than
 * `retries.attempts` times. See matrix.ts for the checks.
 */
import { defineMatrix } from './matrix';

defineMatrix({ section: 'all-broken-killed', kind: 'killed', allBroken: true, backends: [2, 3], clients: [10, 50], requests: 150 });
