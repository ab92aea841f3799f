/** The compare commands through a Workbench: built-ins listed, a simulated run answered at once, a real one followed to its end. */
import { afterEach, describe, expect, it } from 'vitest';
import { Workbench } from '../../../../core/workbench';
import { waitFor } from '../../../helpers/wait';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function workbench(): Workbench {
  const wb = new Workbench({ dataPlane: false });
  cleanups.push(() => wb.stop(0));
  return wb;
}

describe('compare commands', () => {
  it('lists the built-in scenarios with what each teaches', async () => {
    const r = await workbench().invoke('compare:builtins', {});
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((b) => b.name)).toEqual(['slow-backend', 'weighted-capacity', 'backend-dies', 'sticky-keys']);
    expect(r.value.every((b) => b.lookFor.length > 50 && typeof b.scenario === 'object')).toBe(true);
  });

  it('runs a built-in scenario simulated and answers with the result; a pasted scenario too', async () => {
    const wb = workbench();
    const r = await wb.invoke('compare:run', { builtin: 'weighted-capacity' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.state).toBe('idle');
    expect(r.value.result?.mode).toBe('simulated');
    expect(r.value.result?.rows.map((x) => x.strategy)).toEqual(['round-robin', 'weighted-round-robin', 'least-connections']);
    const pasted = await wb.invoke('compare:run', {
      scenario: { backends: [{ name: 'a', latency: { ms: 5 } }], load: { mode: 'closed', concurrency: 2, durationMs: 500 }, strategies: ['random'] },
      seed: 7,
    });
    if (!pasted.ok) throw new Error(pasted.error.message);
    expect(pasted.value.result).toMatchObject({ scenario: 'scenario', seed: 7, rows: [{ strategy: 'random', failed: 0, p50: 5, p99: 5 }] });
    const status = await wb.invoke('compare:status', {});
    expect(status.ok && status.value.result?.seed).toBe(7);
  });

  it('refuses a bad scenario, an unknown built-in, and both or neither', async () => {
    const wb = workbench();
    const bad = await wb.invoke('compare:run', { scenario: { backends: [] } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/^backends: Too small.*load: /);
    const unknown = await wb.invoke('compare:run', { builtin: 'nope' });
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
    for (const input of [{}, { builtin: 'slow-backend', scenario: {} }]) {
      const r = await wb.invoke('compare:run', input);
      expect(!r.ok && r.error.message).toBe('give either a scenario or the name of a built-in one');
    }
  });

  it('runs on real sockets in the background: running (a second run is a conflict), then idle with the real result', async () => {
    const wb = workbench();
    const scenario = { name: 'tiny', backends: [{ name: 'a', latency: { ms: 5 } }, { name: 'b', latency: { ms: 5 } }], load: { mode: 'open', rate: 40, durationMs: 1000 }, strategies: ['round-robin'] };
    const r = await wb.invoke('compare:run', { scenario, simulate: false });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ state: 'running', progress: { scenario: 'tiny', strategy: 'round-robin', index: 0, total: 1 }, result: null });
    const again = await wb.invoke('compare:run', { scenario, simulate: false });
    expect(!again.ok && again.error.code).toBe('CONFLICT');
    let last: unknown;
    await waitFor(
      async () => {
        const s = await wb.invoke('compare:status', {});
        last = s.ok && s.value;
        return s.ok && s.value.state === 'idle';
      },
      { timeoutMs: 45_000, intervalMs: 100, message: "the real comparison ends" },
    );
    expect(last).toMatchObject({ state: 'idle', error: null, result: { mode: 'real', scenario: 'tiny', rows: [{ strategy: 'round-robin', failed: 0 }] } });
    const row = (last as { result: { rows: Array<{ requests: number; share: Record<string, number> }> } }).result.rows[0]!;
    expect(row.requests).toBeGreaterThanOrEqual(38);
    expect(row.share.a).toBeCloseTo(0.5, 1);
  }, 60_000);
});
