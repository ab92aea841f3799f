/**
 * Strict workspaces: a key no schema knows is an error in every section, on
 * its own line with its path and the key probably meant; the published JSON
 * Schema forbids extra keys in the same places.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseWorkspace, workspaceJsonSchema } from '../../../core/config/workspace-file';
import { LbError } from '../../../core/model/errors';
import { closestKey, editDistance, unknownKeyHint } from '../../../core/model/validate';

function issuesOf(value: unknown): string[] {
  try {
    parseWorkspace(value);
  } catch (err) {
    expect(err).toBeInstanceOf(LbError);
    expect((err as LbError).code).toBe('CONFIG_INVALID');
    return (err as LbError).issues ?? [];
  }
  throw new Error('expected the workspace to be rejected');
}

const service = { name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001' }] };
const drill = { name: 'd', service: 'api', durationMs: 1000 };

/** A valid workspace with `extra` merged into the part `at` picks. */
function withTypo(edit: (ws: { services: Array<Record<string, unknown>>; drills: Array<Record<string, unknown>> }) => void): unknown {
  const ws = { services: [structuredClone(service) as Record<string, unknown>], drills: [structuredClone(drill) as Record<string, unknown>] };
  edit(ws);
  return ws;
}

describe('unknown keys', () => {
  it('the issue’s four typos each get a line with the path and the key meant', () => {
    const ws = withTypo(({ services: [svc] }) => {
      svc!.helthCheck = { path: '/health' };
      svc!.stratgey = 'random';
      (svc!.backends as Array<Record<string, unknown>>)[0]!.wieght = 3;
      svc!.retries = { retryNonIdempotant: true };
    });
    expect(issuesOf(ws).sort()).toEqual(
      [
        'services[0].helthCheck: unknown key (did you mean healthCheck?)',
        'services[0].stratgey: unknown key (did you mean strategy?)',
        'services[0].backends[0].wieght: unknown key (did you mean weight?)',
        'services[0].retries.retryNonIdempotant: unknown key (did you mean retryNonIdempotent?)',
      ].sort(),
    );
  });

  // One case per section of the workspace: where the typo goes, and the line it must give.
  const sections: Array<[string, (ws: { services: Array<Record<string, unknown>>; drills: Array<Record<string, unknown>> }) => void, string]> = [
    ['top level', (ws) => Object.assign(ws, { nmae: 'x' }), 'nmae: unknown key (did you mean name?)'],
    ['service', (ws) => (ws.services[0]!.lisen = '127.0.0.1:1'), 'services[0].lisen: unknown key (did you mean listen?)'],
    ['backend', (ws) => ((ws.services[0]!.backends as Array<Record<string, unknown>>)[0]!.bakup = true), 'services[0].backends[0].bakup: unknown key (did you mean backup?)'],
    ['healthCheck', (ws) => (ws.services[0]!.healthCheck = { intervalMS: 500 }), 'services[0].healthCheck.intervalMS: unknown key (did you mean intervalMs?)'],
    ['passiveHealth', (ws) => (ws.services[0]!.passiveHealth = { windowMillis: 5 }), 'services[0].passiveHealth.windowMillis: unknown key (did you mean windowMs?)'],
    ['retries', (ws) => (ws.services[0]!.retries = { attempt: 2 }), 'services[0].retries.attempt: unknown key (did you mean attempts?)'],
    ['timeouts', (ws) => (ws.services[0]!.timeouts = { conectMs: 100 }), 'services[0].timeouts.conectMs: unknown key (did you mean connectMs?)'],
    ['tls', (ws) => (ws.services[0]!.tls = { verfy: false }), 'services[0].tls.verfy: unknown key (did you mean verify?)'],
    ['limits', (ws) => (ws.services[0]!.limits = { maxHeaderByte: 4096 }), 'services[0].limits.maxHeaderByte: unknown key (did you mean maxHeaderBytes?)'],
    [
      'strategyOptions',
      (ws) => Object.assign(ws.services[0]!, { strategy: 'ring-hash', strategyOptions: { hashon: 'client-ip' } }),
      'services[0].strategyOptions.hashon: unknown key (did you mean hashOn?)',
    ],
    ['drill', (ws) => (ws.drills[0]!.restor = false), 'drills[0].restor: unknown key (did you mean restore?)'],
    ['drill load', (ws) => (ws.drills[0]!.load = { rte: 50 }), 'drills[0].load.rte: unknown key (did you mean rate?)'],
    ['drill load requests', (ws) => (ws.drills[0]!.load = { requests: [{ methd: 'GET' }] }), 'drills[0].load.requests[0].methd: unknown key (did you mean method?)'],
    ['drill load key', (ws) => (ws.drills[0]!.load = { key: { header: 'x-user', count: 3, prefx: 'u' } }), 'drills[0].load.key.prefx: unknown key (did you mean prefix?)'],
    ['drill step', (ws) => (ws.drills[0]!.steps = [{ action: 'kill', atMs: 0, backend: 'a', servce: 'api' }]), 'drills[0].steps[0].servce: unknown key (did you mean service?)'],
    [
      'drill step faults',
      (ws) => (ws.drills[0]!.steps = [{ action: 'fault', atMs: 0, backend: 'a', faults: [{ type: 'error', statsu: 502 }] }]),
      'drills[0].steps[0].faults[0].statsu: unknown key (did you mean status?)',
    ],
  ];

  it.each(sections)('in %s', (_section, edit, line) => {
    expect(issuesOf(withTypo(edit))).toEqual([line]);
  });

  it('lists the known keys when nothing is close, and gives each key its own line', () => {
    const ws = withTypo(({ services: [svc] }) => {
      svc!.tls = { colour: 'red', verfy: true };
    });
    expect(issuesOf(ws)).toEqual([
      'services[0].tls.colour: unknown key (known keys: verify, ca, servername)',
      'services[0].tls.verfy: unknown key (did you mean verify?)',
    ]);
  });

  it('says when an object takes no keys at all (a strategy without options)', () => {
    const ws = withTypo(({ services: [svc] }) => Object.assign(svc!, { strategy: 'round-robin', strategyOptions: { hashOn: 'header' } }));
    expect(issuesOf(ws)).toEqual(['services[0].strategyOptions.hashOn: unknown key (no keys are allowed here)']);
  });

  it('reports typos and other problems together, strategy options included', () => {
    const ws = withTypo(({ services: [svc] }) => {
      Object.assign(svc!, { strategy: 'ring-hash', strategyOptions: { hashOn: 'header' }, listen: 'nowhere', wieght: 1 });
    });
    expect(issuesOf(ws).sort()).toEqual(
      [
        'services[0].listen: must be host:port, for example 127.0.0.1:8080',
        'services[0].wieght: unknown key (known keys: name, protocol, listen, strategy, strategyOptions, backends, healthCheck, passiveHealth, retries, timeouts, tls, limits, rewriteRedirects, debugHeaders)',
        'services[0].strategyOptions.key: required when hashOn is "header"',
      ].sort(),
    );
  });

  it('accepts any $schema reference: the old URL, a relative path, a file URL', () => {
    for (const $schema of ['https://lb-workbench.dev/schema/workspace.schema.json', '../schema/workspace.schema.json', 'file:///opt/lbw/schema/workspace.schema.json']) {
      expect(parseWorkspace({ $schema, services: [service] }).services).toHaveLength(1);
    }
  });
});

describe('the suggestion', () => {
  it('finds swaps, a missing or extra letter and case slips, and nothing for far words', () => {
    expect(editDistance('wieght', 'weight')).toBe(1);
    expect(editDistance('stratgey', 'strategy')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestKey('HealthCheck', ['healthCheck', 'passiveHealth'])).toBe('healthCheck');
    expect(closestKey('ms', ['to', 'url'])).toBeUndefined();
    expect(closestKey('retries', ['retries2', 'retry'])).toBe('retries2');
    expect(unknownKeyHint('zzz', ['a', 'b'])).toBe('unknown key (known keys: a, b)');
  });
});

type Node = Record<string, unknown>;

/** Every object schema in the JSON Schema, with its path, where an editor would check keys. */
function objectSchemas(node: unknown, path: string, out: Array<[string, Node]>): Array<[string, Node]> {
  if (Array.isArray(node)) node.forEach((n, i) => objectSchemas(n, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') {
    const n = node as Node;
    if (n.type === 'object') out.push([path, n]);
    for (const [k, v] of Object.entries(n)) objectSchemas(v, `${path}/${k}`, out);
  }
  return out;
}

describe('the JSON Schema', () => {
  const schema = workspaceJsonSchema() as Node;

  it('forbids extra keys in every object but the strategyOptions map, which each strategy closes', () => {
    const objects = objectSchemas(schema, '#', []);
    expect(objects.length).toBeGreaterThan(30);
    const open = objects.filter(([, n]) => n.additionalProperties !== false).map(([p]) => p);
    expect(open).toEqual(['#/properties/services/items/properties/strategyOptions']);

    const props = (n: unknown) => (n as Node).properties as Node;
    const svc = (props(schema).services as Node).items as Node;
    expect(schema.additionalProperties).toBe(false);
    expect(svc.additionalProperties).toBe(false);
    for (const section of ['healthCheck', 'passiveHealth', 'retries', 'timeouts', 'tls', 'limits']) {
      expect((props(svc)[section] as Node).additionalProperties, section).toBe(false);
    }
    expect(((props(svc).backends as Node).items as Node).additionalProperties).toBe(false);
    const drillNode = (props(schema).drills as Node).items as Node;
    expect(drillNode.additionalProperties).toBe(false);
    expect((props(drillNode).load as Node).additionalProperties).toBe(false);
  });

  it('gives strategyOptions per strategy, closed, by an if/then on the strategy', () => {
    const svc = ((schema.properties as Node).services as Node).items as Node;
    const ring = (svc.allOf as Node[]).find((c) => ((c.if as Node).properties as Node).strategy && JSON.stringify(c.if).includes('"ring-hash"'))!;
    const options = ((ring.then as Node).properties as Node).strategyOptions as Node;
    expect(options.additionalProperties).toBe(false);
    expect(Object.keys(options.properties as Node)).toEqual(['hashOn', 'key']);
    // The default strategy applies to a service that names none, so its `if` does not require the key.
    const rr = (svc.allOf as Node[]).find((c) => JSON.stringify(c.if).includes('"round-robin"'))!;
    expect((rr.if as Node).required).toBeUndefined();
  });

  it('is the committed schema/workspace.schema.json (npm run schema)', async () => {
    const committed = JSON.parse(await readFile(new URL('../../../schema/workspace.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(schema);
  });
});
