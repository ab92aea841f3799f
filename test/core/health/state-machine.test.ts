import { describe, expect, it } from 'vitest';
import type { HealthState } from '../../../core/model/backend';
import { HealthStateMachine } from '../../../core/health/state-machine';

/** `P` is a pass, `F` a fail; each step lists the state after it and whether it changed. */
function run(m: HealthStateMachine, steps: string): Array<[HealthState, boolean]> {
  return [...steps].map((c) => {
    const r = m.record(c === 'P');
    return [r.to, r.changed];
  });
}

const U = 'unknown';
const H = 'healthy';
const D = 'unhealthy';

describe('HealthStateMachine', () => {
  it.each<[string, number, number, HealthState, string, Array<[HealthState, boolean]>]>([
    ['unknown: first pass is healthy', 2, 2, U, 'PP', [[H, true], [H, false]]],
    ['unknown: fall fails are unhealthy', 2, 3, U, 'FFF', [[U, false], [U, false], [D, true]]],
    ['unknown: a pass breaks the fail streak', 2, 2, U, 'FPFF', [[U, false], [H, true], [H, false], [D, true]]],
    ['healthy: fall=2 needs two in a row', 2, 2, H, 'FPFF', [[H, false], [H, false], [H, false], [D, true]]],
    ['unhealthy: rise=3 needs three in a row', 3, 2, D, 'PPFPPP', [[D, false], [D, false], [D, false], [D, false], [D, false], [H, true]]],
    ['rise=1 fall=1 flips every time', 1, 1, H, 'FPFP', [[D, true], [H, true], [D, true], [H, true]]],
    ['round trip', 2, 2, U, 'PFFPPF', [[H, true], [H, false], [D, true], [D, false], [H, true], [H, false]]],
    ['fails past fall change nothing more', 1, 2, H, 'FFFF', [[H, false], [D, true], [D, false], [D, false]]],
  ])('%s', (_name, rise, fall, initial, steps, expected) => {
    expect(run(new HealthStateMachine({ rise, fall }, initial), steps)).toEqual(expected);
  });

  it('starts unknown by default and reports from/to', () => {
    const m = new HealthStateMachine({ rise: 2, fall: 2 });
    expect(m.state).toBe('unknown');
    expect(m.record(true)).toEqual({ changed: true, from: 'unknown', to: 'healthy' });
    expect(m.record(false)).toEqual({ changed: false, from: 'healthy', to: 'healthy' });
    expect(m.record(false)).toEqual({ changed: true, from: 'healthy', to: 'unhealthy' });
  });

  it('reports each transition exactly once over a long run', () => {
    const m = new HealthStateMachine({ rise: 3, fall: 2 }, 'healthy');
    const seq = 'FFFFFPPPPPPFPFFPP';
    const changes = [...seq].map((c) => m.record(c === 'P')).filter((r) => r.changed);
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['healthy->unhealthy', 'unhealthy->healthy', 'healthy->unhealthy']);
    expect(m.state).toBe('unhealthy');
  });

  it('keeps the streak across configure and applies new thresholds from the next record', () => {
    const m = new HealthStateMachine({ rise: 5, fall: 5 }, 'healthy');
    m.record(false);
    m.record(false);
    m.configure({ rise: 5, fall: 3 });
    expect(m.record(false)).toEqual({ changed: true, from: 'healthy', to: 'unhealthy' });
  });

  it('reset forgets the streak', () => {
    const m = new HealthStateMachine({ rise: 2, fall: 2 }, 'healthy');
    m.record(false);
    m.reset('healthy');
    expect(m.streak).toEqual({ passes: 0, fails: 0 });
    expect(m.record(false).changed).toBe(false);
  });

  it('rejects thresholds below 1 with CONFIG_INVALID', () => {
    expect(() => new HealthStateMachine({ rise: 0, fall: 1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new HealthStateMachine({ rise: 1, fall: 1.5 })).toThrow(/fall/);
  });
});
