/**
 * Failover matrix, killed backends: every strategy, one backend of two or
 * three killed (listener and connections gone) a third of the way into the
 * cell's load, 10 and 50 keep-alive clients. See matrix.ts for the checks.
 */
import { defineMatrix } from './matrix';

defineMatrix({ section: 'killed', kind: 'killed', backends: [2, 3], clients: [10, 50], requests: 300 });
