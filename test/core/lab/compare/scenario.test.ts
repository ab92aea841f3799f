/** Scenario files: every built-in one parses, and a wrong one says what is wrong and where, one problem per line. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, builtinNames, builtinScenario } from '../../../../core/lab/compare/builtin';
import { parseScenario, parseScenarioText } from '../../../../core/lab/compare/scenario';
import { LbError } from '../../../../core/model/errors';

const base = {
  backends: [{ name: 'a' }, { name: 'b' }],
  load: { mode: 'open', rate: 10, durationMs: 1000 },
  strategies: ['round-robin'],
};

function problems(input: unknown): string[] {
  try {
    parseScenario(input);
  } catch (err) {
    expect(err).toBeInstanceOf(LbError);
    expect((err as LbError).code).toBe('INPUT_INVALID');
    return (err as LbError).issues ?? [];
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario', () => {
  it('parses every built-in scenario, each with a description and what to look for', () => {
    expect(builtinNames()).toEqual(['slow-backend', 'weighted-capacity', 'backend-dies', 'sticky-keys']);
    for (const name of builtinNames()) {
      const s = builtinScenario(name);
      expect(s.name).toBe(name);
      expect(s.lookFor?.length).toBeGreaterThan(50);
      expect(s.description?.length).toBeGreaterThan(20);
    }
    expect(() => builtinScenario('nope')).toThrow(/no built-in scenario "nope"; built in: slow-backend/);
    expect(Object.keys(BUILTIN_SCENARIOS)).toHaveLength(4);
  });

  it('fills in defaults: weight 1, seed 1, retries and passive health on, checks every second', () => {
    const s = parseScenario(base);
    expect(s.backends[0]).toMatchObject({ name: 'a', weight: 1, capacity: 100, errorRate: 0, latency: { distribution: 'fixed', ms: 10 } });
    expect(s.seed).toBe(1);
    expect(s.strategies).toEqual([{ name: 'round-robin', options: {}, label: 'round-robin' }]);
    expect(s.service.retries.attempts).toBe(3);
    expect(s.service.passiveHealth.enabled).toBe(true);
    expect(s.service.healthCheck).toEqual({ intervalMs: 1000, rise: 2, fall: 2 });
    expect(s.load).toMatchObject({ mode: 'open', rate: 10, durationMs: 1000, timeoutMs: 10_000, maxInFlight: 256 });
  });

  it('names each problem with its path', () => {
    expect(
      problems({
        ...base,
        backends: [{ name: 'a', capacity: 0 }, { name: 'a' }],
        strategies: ['round-robin', 'fastest', { name: 'ring-hash', options: { hashOn: 'header' } }, 'round-robin'],
        events: [
          { at: 100, action: 'kill', backend: 'zulu' },
          { at: 100, action: 'slow', backend: 'a' },
          { at: 5000, action: 'weight', backend: 'a', value: 2.5 },
        ],
      }),
    ).toEqual([
      'backends[0].capacity: Too small: expected number to be >=1',
      'backends[1].name: "a" is named twice',
      expect.stringMatching(/^strategies\[1\]: unknown strategy "fastest"; known: round-robin, weighted-round-robin, /),
      'strategies[2].options: strategyOptions.key: required when hashOn is "header"',
      'strategies[3]: "round-robin" is listed twice; give one a label',
      'events[0].backend: no backend named "zulu"',
      'events[1].value: required for slow',
      'events[2].value: a weight is a whole number from 1 to 1000',
      'events[2].at: is after the load ends (1000 ms)',
    ]);
  });

  it('refuses unknown keys with the key meant, a load with a target, and a pool that starts empty', () => {
    expect(problems({ ...base, strategy: ['round-robin'] })).toContain('strategy: unknown key (did you mean strategies?)');
    expect(problems({ ...base, load: { ...base.load, target: 'http://127.0.0.1:1' } })).toEqual([expect.stringMatching(/^load\.target: unknown key \(known keys: mode, rate, /)]);
    expect(problems({ ...base, backends: [{ name: 'a' }], events: [{ at: 0, action: 'add', backend: 'a' }] })).toEqual([
      'events: at least one backend must be in the pool from the start (not named by an add event)',
    ]);
    expect(problems({ ...base, load: { mode: 'open', rate: 10 } })).toEqual(['load.durationMs: Invalid input: expected number, received undefined']);
  });

  it('says when the text is not JSON', () => {
    expect(() => parseScenarioText('{ "backends": ')).toThrow(/the scenario is not valid JSON/);
  });
});
