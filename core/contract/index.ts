export * from './commands';
export * from './events';
export type { Result } from '../model/result';
export type { ErrorData, ErrorCode } from '../model/errors';
export type { StatsSnapshot, ServiceSnapshot, BackendSnapshot } from '../stats/types';
