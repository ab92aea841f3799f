/**
 * Failover matrix, a backend that reads requests and never answers, among
 * 2 backends: every strategy, 10 and 50 keep-alive clients. Each try at the
 * hanging backend costs the 500 ms response timeout, so these cells take
 * longer than the others; the two backend counts are separate files so that
 * vitest runs them side by side. See matrix.ts for the checks.
 */
import { defineMatrix } from './matrix';

defineMatrix({ section: 'hang-2-backends', kind: 'hang', backends: [2], clients: [10, 50], requests: 300 });
