/** The load generator: open- or closed-loop HTTP load against this machine, run in a worker thread. */
export { LoadGenerator } from './load-generator';
export {
  LOAD_MAX_DURATION_MS,
  LoadSpecSchema,
  OpenLoopSchema,
  ClosedLoopSchema,
  LoadKeySchema,
  RequestMixEntrySchema,
  isLoopbackHost,
  parseLoadSpec,
  type LoadKey,
  type LoadSpec,
  type LoadSpecInput,
  type RequestMixEntry,
} from './spec';
export type { FailureCounts, LoadEndReason, LoadProgress, LoadSummary } from './types';
