import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadWorkspaceFile,
  parseWorkspace,
  parseWorkspaceText,
  saveWorkspaceFile,
  workspaceJsonSchema,
} from '../../../core/config/workspace-file';
import { LbError } from '../../../core/model/errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-ws-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LbError);
    expect((err as LbError).code).toBe('CONFIG_INVALID');
    return (err as LbError).issues ?? [];
  }
  throw new Error('expected the workspace to be rejected');
}

const example = {
  services: [
    {
      name: 'api',
      protocol: 'http',
      listen: '127.0.0.1:8080',
      strategy: 'round-robin',
      backends: [
        { url: 'http://127.0.0.1:3001', weight: 1 },
        { url: 'http://127.0.0.1:3002', weight: 3 },
      ],
      healthCheck: { path: '/health', intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2 },
    },
  ],
};

describe('workspace validation', () => {
  it('accepts the documented example and fills in defaults', () => {
    const ws = parseWorkspace(example);
    const svc = ws.services[0]!;
    expect(svc.backends.map((b) => [b.url, b.weight, b.state, b.backup])).toEqual([
      ['http://127.0.0.1:3001', 1, 'active', false],
      ['http://127.0.0.1:3002', 3, 'active', false],
    ]);
    expect(svc.healthCheck).toMatchObject({ type: 'http', expectStatus: '200-399', rise: 2, fall: 2 });
    expect(svc.retries).toEqual({ attempts: 3, retryNonIdempotent: false, onStatus: [], budgetPercent: 50, minRetryConcurrency: 10, replayBufferBytes: 65536 });
    expect(svc.timeouts.connectMs).toBe(2000);
    expect(svc.passiveHealth).toBeUndefined();
  });

  it('names the exact path of each problem', () => {
    const bad = structuredClone(example) as { services: Array<Record<string, unknown>> };
    (bad.services[0]!.backends as Array<Record<string, unknown>>)[1]!.url = 'ftp://127.0.0.1:21';
    (bad.services[0]!.backends as Array<Record<string, unknown>>)[0]!.weight = 0;
    bad.services[0]!.listen = 'localhost';
    expect(issuesOf(() => parseWorkspace(bad))).toEqual([
      'services[0].listen: must be host:port, for example 127.0.0.1:8080',
      'services[0].backends[0].weight: Too small: expected number to be >=1',
      'services[0].backends[1].url: must be an http(s) URL, or tcp://host:port in a tcp service',
    ]);
  });

  it('rejects a tcp URL in an http service, duplicate names and a reused listener', () => {
    const issues = issuesOf(() =>
      parseWorkspace({
        services: [
          { name: 'a', listen: '127.0.0.1:8080', backends: [{ url: 'tcp://127.0.0.1:5432' }] },
          { name: 'a', listen: '127.0.0.1:8080', backends: [{ url: 'http://x:1', name: 'n' }, { url: 'http://y:2', name: 'n' }] },
        ],
      }),
    );
    expect(issues).toContain('services[0].backends[0].url: must be an http(s) URL');
    expect(issues).toContain('services[1].backends[1].name: duplicate backend name "n"');
    expect(issues).toContain('services[1].name: duplicate service name "a"');
    expect(issues).toContain('services[1].listen: 127.0.0.1:8080 is already used by another service');
  });

  it('rejects an unknown strategy and bad strategy options with their paths', () => {
    const ws = structuredClone(example);
    (ws.services[0] as Record<string, unknown>).strategy = 'fastest';
    const [issue] = issuesOf(() => parseWorkspace(ws));
    expect(issue).toMatch(/^services\[0\]\.strategy: unknown strategy "fastest"/);

    (ws.services[0] as Record<string, unknown>).strategy = 'ring-hash';
    (ws.services[0] as Record<string, unknown>).strategyOptions = { hashOn: 'header' };
    const [optIssue] = issuesOf(() => parseWorkspace(ws));
    expect(optIssue).toMatch(/^services\[0\]\.strategyOptions/);
  });

  it('reports a JSON syntax error with line and column, not a stack', () => {
    let error: LbError | undefined;
    try {
      parseWorkspaceText('{\n  "services": [\n    { "name": "api", }\n  ]\n}', 'ws.json');
    } catch (err) {
      error = err as LbError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toMatch(/^ws\.json: not valid JSON \(.* at line 3, column \d+\)$/);
  });
});

describe('workspace files', () => {
  it('saves and loads back the same workspace', async () => {
    const path = join(dir, 'round.json');
    const ws = parseWorkspace(example);
    await saveWorkspaceFile(path, ws);
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(text).$schema).toMatch(/workspace\.schema\.json$/);
    const loaded = await loadWorkspaceFile(path);
    expect({ ...loaded, $schema: undefined }).toEqual({ ...ws, $schema: undefined });
  });

  it('names the file and the problem for a missing or invalid file', async () => {
    await expect(loadWorkspaceFile(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('no such file') });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ services: [{ name: 'api', listen: '127.0.0.1:80', backends: [{ url: 'nope' }] }] }));
    await expect(loadWorkspaceFile(bad)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: ['services[0].backends[0].url: must be a URL such as http://127.0.0.1:3001'],
    });
  });

  it('publishes a JSON Schema that matches the validator', async () => {
    const committed = JSON.parse(await readFile(new URL('../../../schema/workspace.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(workspaceJsonSchema());
    const props = (committed.properties.services.items.properties ?? {}) as Record<string, unknown>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['name', 'protocol', 'listen', 'strategy', 'backends', 'healthCheck', 'passiveHealth', 'retries', 'timeouts']));
  });
});
