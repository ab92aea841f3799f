import { describe, expect, it } from 'vitest';
import { LbError } from '../../../core/model/errors';
import { createStrategy, findStrategy, getStrategy, listStrategies, strategyInfo } from '../../../core/strategies/registry';
import { backends, none, req, seeded } from './helpers';

const NAMES = ['round-robin', 'weighted-round-robin', 'least-connections', 'random', 'power-of-two', 'peak-ewma', 'ring-hash', 'maglev'];

describe('strategy registry', () => {
  it('lists every strategy by name, in display order', () => {
    expect(listStrategies().map((d) => d.name)).toEqual(NAMES);
    for (const name of NAMES) expect(getStrategy(name).name).toBe(name);
    expect(findStrategy('nope')).toBeUndefined();
  });

  it('names the known strategies when asked for an unknown one', () => {
    expect(() => getStrategy('least-conn')).toThrow(`unknown strategy "least-conn"; known strategies: ${NAMES.join(', ')}`);
    try {
      getStrategy('least-conn');
    } catch (e) {
      expect(e).toBeInstanceOf(LbError);
      expect((e as LbError).code).toBe('CONFIG_INVALID');
    }
  });

  it('creates working strategies with default options', () => {
    const list = backends('a b');
    for (const name of NAMES) {
      const s = createStrategy(name, undefined, seeded());
      expect(['a', 'b']).toContain(s.pick(list, req(), none)?.id);
    }
  });

  it.each([
    ['ring-hash', { hashOn: 'header' }, 'strategyOptions.key: required when hashOn is "header"'],
    ['ring-hash', { hashOn: 'body' }, 'strategyOptions.hashOn: Invalid option: expected one of "client-ip"|"header"|"cookie"'],
    ['ring-hash', { hashOn: 'cookie', key: '  ' }, 'strategyOptions.key: must not be empty'],
    ['maglev', { tableSize: 1000 }, 'strategyOptions.tableSize: must be a prime number, such as 65537 or 5003'],
    ['round-robin', { hashOn: 'header' }, 'strategyOptions.hashOn: unknown key (no keys are allowed here)'],
    ['ring-hash', { hashon: 'header' }, 'strategyOptions.hashon: unknown key (did you mean hashOn?)'],
  ])('rejects %s options %j with "%s"', (name, options, message) => {
    expect(() => createStrategy(name, options, seeded())).toThrow(message);
  });

  it('describes every strategy for the UI, without its schema or factory', () => {
    const info = strategyInfo();
    expect(info.map((i) => i.name)).toEqual(NAMES);
    for (const i of info) {
      expect(Object.keys(i).sort()).toEqual(['description', 'label', 'layer4', 'name', 'params', 'weighted', 'whenToUse']);
      expect(i.label.length).toBeGreaterThan(0);
      expect(i.description.length).toBeGreaterThan(0);
      expect(i.whenToUse.length).toBeGreaterThan(0);
    }
    expect(info.find((i) => i.name === 'maglev')!.params.map((p) => p.name)).toEqual(['hashOn', 'key', 'tableSize']);
    expect(info.find((i) => i.name === 'peak-ewma')!.layer4).toBe(true);
    expect(info.find((i) => i.name === 'ring-hash')!.layer4).toBe(true);
    expect(info.filter((i) => !i.weighted).map((i) => i.name)).toEqual(['round-robin', 'peak-ewma']);
  });

  it('gives each parameter a default that the options accept', () => {
    for (const d of listStrategies()) {
      const defaults = Object.fromEntries(d.params.filter((p) => p.default !== undefined).map((p) => [p.name, p.default]));
      expect(d.options.safeParse(defaults).success).toBe(true);
    }
  });
});
