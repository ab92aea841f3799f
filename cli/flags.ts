/** Turns `lbw run` flags and backend URLs into a workspace. */
import type { WorkspaceInput } from '../core/model/spec';
import { UsageError } from './usage';

export interface RunFlags {
  listen?: string;
  strategy?: string;
  name?: string;
  'health-path'?: string;
  interval?: string;
}

export function workspaceFromFlags(flags: RunFlags, urls: string[]): WorkspaceInput {
  if (urls.length === 0) throw new UsageError('give a workspace file or at least one backend URL (see lbw run --help)');
  const service: NonNullable<WorkspaceInput['services']>[number] = {
    name: flags.name ?? 'default',
    listen: flags.listen ?? '127.0.0.1:8080',
    strategy: flags.strategy ?? 'round-robin',
    backends: urls.map((url) => ({ url })),
  };
  if (flags['health-path'] !== undefined || flags.interval !== undefined) {
    const interval = flags.interval === undefined ? 1000 : parseIntFlag('--interval', flags.interval);
    service.healthCheck = { path: flags['health-path'] ?? '/health', intervalMs: interval };
  }
  return { services: [service] };
}

export function parseIntFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number of milliseconds, got "${value}"`);
  return Number(value);
}
