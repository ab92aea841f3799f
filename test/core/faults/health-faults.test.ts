/**
 * The active health checker meets a backend's faults as the proxy does: its
 * probes go through the same FaultSet, so a `down`, failing or hanging path
 * is marked unhealthy, and healthy again once healed.
 */
import { describe, expect, it } from 'vitest';
import type { FaultInput } from '../../../core/faults/spec';
import { startHttpBackend, type HttpBackend } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { faultFixtures, type Lab } from './helpers';

const { track, startLab } = faultFixtures();

const CHECK = { path: '/', intervalMs: 100, timeoutMs: 300, rise: 2, fall: 2 };

async function lab(): Promise<{ lab: Lab; backends: HttpBackend[] }> {
  const backends = await Promise.all([startHttpBackend({ name: 'web0' }), startHttpBackend({ name: 'web1' })]);
  for (const b of backends) track(b);
  const l = await startLab(backends, { healthCheck: CHECK });
  await waitFor(() => l.wb.service('api')!.backends.every((b) => b.health === 'healthy'), { message: 'both healthy' });
  return { lab: l, backends };
}

const health = (l: Lab, name: string) => l.wb.service('api')!.findBackend(name);

async function set(l: Lab, faults: FaultInput[]): Promise<void> {
  expect((await l.wb.invoke('faults:set', { service: 'api', backend: 'web0', faults })).ok).toBe(true);
}

describe('active health checks through faults', () => {
  it.each([
    ['down', [{ type: 'down' }], 'ECONNREFUSED'],
    ['a 100% 500', [{ type: 'error', status: 500 }], '500 (expected 200-399)'],
    ['a hang', [{ type: 'hang' }], 'timeout after 300 ms'],
    ['a reset', [{ type: 'reset' }], 'ECONNRESET'],
  ] as const)('marks a backend with %s unhealthy, and healthy again after faults:clear', async (_name, faults, detail) => {
    const { lab: l, backends } = await lab();
    const probesBefore = backends[0]!.hits;
    await set(l, [...faults]);
    await waitFor(() => health(l, 'web0').health === 'unhealthy', { timeoutMs: 5000, message: 'web0 unhealthy' });
    expect(health(l, 'web0').lastCheck?.detail).toBe(detail);
    const down = l.events.find((e) => e.type === 'health:changed' && e.backend === 'web0' && e.to === 'unhealthy');
    expect(down && down.type === 'health:changed' && down.cause).toBe(`check failed: ${detail}`);
    // The faulty probes never reached the backend (at most one was in flight when the fault was set).
    expect(backends[0]!.hits - probesBefore).toBeLessThanOrEqual(1);
    expect(health(l, 'web1').health, JSON.stringify(health(l, 'web1').lastCheck)).toBe('healthy');

    expect((await l.wb.invoke('faults:clear', { service: 'api' })).ok).toBe(true);
    await waitFor(() => health(l, 'web0').health === 'healthy', { timeoutMs: 5000, message: 'web0 healthy again' });
  });

  it('adds the latency to the probe: +150 ms shows in lastCheck.latencyMs, and past the timeout it fails', async () => {
    const { lab: l } = await lab();
    await set(l, [{ type: 'latency', ms: 150 }]);
    await waitFor(() => (health(l, 'web0').lastCheck?.latencyMs ?? 0) >= 150, { message: 'a probe with the latency' });
    expect(health(l, 'web0').health).toBe('healthy');
    await set(l, [{ type: 'latency', ms: 400 }]);
    await waitFor(() => health(l, 'web0').health === 'unhealthy', { message: 'slower than the check timeout' });
    expect(health(l, 'web0').lastCheck?.detail).toBe('timeout after 300 ms');
  });

  it('a disabled fault does not touch the checks', async () => {
    const { lab: l } = await lab();
    await set(l, [{ type: 'down', enabled: false }]);
    const checked = health(l, 'web0').lastCheck!.at;
    await waitFor(() => health(l, 'web0').lastCheck!.at > checked + 250, { message: 'a few more checks' });
    expect(health(l, 'web0').health).toBe('healthy');
  });
});
