/** Turns `lbw run` flags and backend URLs into a workspace. */
import type { WorkspaceInput } from '../core/model/spec';
import { UsageError } from './usage';

export interface RunFlags {
  listen?: string;
  strategy?: string;
  name?: string;
  'health-path'?: string;
  interval?: string;
  'retry-on'?: string;
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
  if (flags['retry-on'] !== undefined) service.retries = { onStatus: parseStatusList('--retry-on', flags['retry-on']) };
  return { services: [service] };
}

/** "502,503, 504" → [502, 503, 504]; the workspace schema then checks the range. */
export function parseStatusList(name: string, value: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d{3}$/.test(s))) throw new UsageError(`${name} takes HTTP statuses separated by commas, e.g. 502,503,504; got "${value}"`);
  return items.map(Number);
}

export function parseIntFlag(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number of milliseconds, got "${value}"`);
  return Number(value);
}
