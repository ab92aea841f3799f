/**
 * Failover matrix, every backend hanging: every strategy, two and three
 * backends, 50 keep-alive clients, 100 requests (two rounds of clients; a
 * request may spend up to `retries.attempts` response timeouts, so more
 * rounds or fewer clients would only make the cells slower). Each client
 * gets a 504 within the attempts' timeouts plus a margin, and no request
 * reaches the backends more than `retries.attempts` times. See matrix.ts.
 */
import { defineMatrix } from './matrix';

defineMatrix({ section: 'all-broken-hang', kind: 'hang', allBroken: true, backends: [2, 3], clients: [50], requests: 100 });
