/**
 * Failover matrix, a backend that resets every connection before reading a
 * byte: every strategy, two or three backends, 10 and 50 keep-alive clients.
 * See matrix.ts for the checks.
 */
import { defineMatrix } from './matrix';

defineMatrix({ section: 'reset', kind: 'reset', backends: [2, 3], clients: [10, 50], requests: 300 });
