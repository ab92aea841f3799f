/**
 * The admin API's CLI clients as a user runs them: `lbw run --admin` as a
 * child process in front of real backends, and `lbw fault`, `lbw backend`
 * and `lbw drill run` as further child processes talking to it, with the
 * token and address from the environment. Exit codes and printed lines are
 * checked exactly; the drill's exit code is what a CI job gates on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { startHttpBackend, type HttpBackend } from '../helpers/backends';
import { send } from '../helpers/http-client';
import { useLbw, type Running } from '../helpers/lbw-process';
import { waitFor } from '../helpers/wait';
import { parseExposition, sampleValue } from './admin/exposition';

const TOKEN = 'cli-test-token-42';
let dir: string;
let backends: HttpBackend[] = [];
const spawnLbw = useLbw('all');
let server: Running;
let adminPort: number;


function lbw(args: string[], env: Record<string, string | undefined> = {}): Running {
  return spawnLbw(args, { env: { LBW_ADMIN: undefined, LBW_ADMIN_TOKEN: undefined, ...env } });
}

/** A client command against the running instance; resolves when it exits. */
async function client(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const run = lbw(args, { LBW_ADMIN: `127.0.0.1:${adminPort}`, LBW_ADMIN_TOKEN: TOKEN, ...env });
  const code = await run.exit;
  return { code, out: run.out(), err: run.err() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-admin-cli-'));
  backends = await Promise.all(['a', 'b', 'c'].map((name) => startHttpBackend({ name })));
  const [a, b, c] = backends as [HttpBackend, HttpBackend, HttpBackend];
  const workspace = {
    services: [
      { name: 'api', listen: '127.0.0.1:0', backends: [{ url: a.url, name: 'a' }, { url: b.url, name: 'b' }] },
      { name: 'solo', listen: '127.0.0.1:0', backends: [{ url: c.url, name: 'c' }] },
    ],
    drills: [
      // Nothing breaks: every GET is answered.
      { name: 'calm', service: 'api', durationMs: 1500, load: { rate: 40 }, steps: [{ action: 'weight', atMs: 300, backend: 'a', weight: 2 }] },
      // The only backend answers 503 from 300 ms on, with no other backend to retry on: GETs fail.
      { name: 'broken', service: 'solo', durationMs: 1500, load: { rate: 40 }, steps: [{ action: 'fault', atMs: 300, backend: 'c', faults: [{ type: 'error', status: 503 }] }] },
    ],
  };
  const file = join(dir, 'workspace.json');
  await writeFile(file, JSON.stringify(workspace));
  server = lbw(['run', file, '--plain', '--no-watch', '--admin', '127.0.0.1:0'], { LBW_ADMIN_TOKEN: TOKEN });
  const line = await waitFor(() => /lbw run: admin API on http:\/\/127\.0\.0\.1:(\d+) \(token from LBW_ADMIN_TOKEN\)\n/.exec(server.out()) ?? (server.child.exitCode !== null ? 'exited' : null), {
    timeoutMs: 30_000,
    message: 'lbw run prints the admin address',
  });
  if (line === 'exited') throw new Error(`lbw run exited: ${server.err()}`);
  adminPort = Number(line[1]);
}, 40_000);

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('lbw run --admin', () => {
  it('serves the API and /metrics for the running workspace', async () => {
    const list = await send(adminPort, { method: 'POST', path: '/api/services:list', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).value.map((s: { name: string }) => s.name)).toEqual(['api', 'solo']);
    const metrics = await waitFor(async () => {
      const res = await send(adminPort, { path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      return res.body.includes('lbw_backend_weight{') ? res : undefined;
    }, 10_000);
    const families = parseExposition(metrics.body);
    expect(sampleValue(families, 'lbw_service_up', { service: 'solo' })).toBe(1);
    expect(sampleValue(families, 'lbw_backend_healthy', { service: 'api', backend: 'b' })).toBe(1);
    expect((await send(adminPort, { path: '/metrics' })).status).toBe(401);
  });

  it('refuses a bad --admin as a usage error (exit 2)', async () => {
    const run = lbw(['run', '--listen', '127.0.0.1:0', 'http://127.0.0.1:1', '--admin', 'nowhere']);
    expect(await run.exit).toBe(2);
    expect(run.err()).toBe('lbw run: --admin takes HOST:PORT, e.g. 127.0.0.1:9901; got "nowhere"\n');
  });
});

describe('lbw fault', () => {
  it('sets, lists and clears faults', async () => {
    expect(await client(['fault', 'set', '--service', 'api', '--backend', 'a', '--type', 'error', '--status', '503', '--probability', '0.5'])).toEqual({
      code: 0,
      out: 'api/a: error 503 @ 50%\n',
      err: '',
    });
    const json = JSON.stringify([{ type: 'latency', ms: 200 }, { type: 'reset', when: 'mid-body', enabled: false }]);
    expect(await client(['fault', 'set', '--service', 'api', '--backend', 'b', '--json', json])).toEqual({ code: 0, out: 'api/b: latency +200 ms\n', err: '' });
    expect(await client(['fault', 'list', '--service', 'api'])).toEqual({ code: 0, out: 'api/a: error 503 @ 50%\napi/b: latency +200 ms (1 disabled)\n', err: '' });
    expect(await client(['fault', 'clear', '--service', 'api'])).toEqual({ code: 0, out: 'healed api/a\nhealed api/b\n', err: '' });
  }, 60_000);

  // The error cases run the same client code in this process (no child per case: each costs seconds on a busy machine).
  async function inProcess(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
    const saved = { LBW_ADMIN: process.env.LBW_ADMIN, LBW_ADMIN_TOKEN: process.env.LBW_ADMIN_TOKEN };
    const full = { LBW_ADMIN: `127.0.0.1:${adminPort}`, LBW_ADMIN_TOKEN: TOKEN, ...env };
    for (const [k, v] of Object.entries(full)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    let out = '';
    let err = '';
    try {
      const code = await main(argv, { out: { write: (t: string) => ((out += t), true) } as never, err: { write: (t: string) => ((err += t), true) } as never });
      return { code, out, err };
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  it('asks for the service when there are several, and reports the admin API’s refusal: invalid input exits 2, an unknown backend 1', async () => {
    expect(await inProcess(['fault', 'set', '--backend', 'a', '--type', 'down'], {})).toEqual({ code: 2, out: '', err: 'lbw fault: name the service with --service (there are 2: api, solo)\n' });
    const invalid = await inProcess(['fault', 'set', '--service', 'api', '--backend', 'a', '--type', 'error', '--status', '200'], {});
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/^lbw fault set: INPUT_INVALID: .*faults\[0\]\.status/);
    expect(await inProcess(['fault', 'set', '--service', 'api', '--backend', 'zz', '--type', 'down'], {})).toEqual({ code: 1, out: '', err: 'lbw fault set: NOT_FOUND: no backend "zz" in service "api"\n' });
    expect(await inProcess(['backend', 'weigh', '--service', 'api', 'b'], {})).toEqual({ code: 2, out: '', err: 'lbw backend: unknown verb "weigh": use drain, enable, disable or weight\n' });
  });

  it('needs the token and the address, and says when the token is wrong or nothing listens', async () => {
    expect(await inProcess(['fault', 'list'], { LBW_ADMIN_TOKEN: undefined })).toEqual({ code: 2, out: '', err: 'lbw fault: set LBW_ADMIN_TOKEN to the admin token "lbw run --admin" printed\n' });
    expect(await inProcess(['fault', 'list'], { LBW_ADMIN: undefined })).toEqual({
      code: 2,
      out: '',
      err: 'lbw fault: give --admin HOST:PORT (the address "lbw run --admin" printed) or set LBW_ADMIN\n',
    });
    expect(await inProcess(['fault', 'list'], { LBW_ADMIN_TOKEN: 'wrong' })).toEqual({ code: 1, out: '', err: 'lbw fault list: UNAUTHORIZED: unauthorized: not the admin token of this run\n' });
    // --admin wins over LBW_ADMIN; a port just freed has no listener.
    const free = await freePort();
    expect(await inProcess(['fault', 'list', '--admin', `127.0.0.1:${free}`], {})).toEqual({ code: 1, out: '', err: `lbw fault: cannot reach the admin API at http://127.0.0.1:${free}: ECONNREFUSED\n` });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('lbw backend', () => {
  it('drains, weighs and enables a backend', async () => {
    expect(await client(['backend', 'drain', '--service', 'api', '--backend', 'b'])).toEqual({ code: 0, out: 'api/b: state drain, weight 1\n', err: '' });
    expect(await client(['backend', 'weight', '--service', 'api', 'a', '3'])).toEqual({ code: 0, out: 'api/a: state active, weight 3\n', err: '' });
    expect(await client(['backend', 'enable', '--service', 'api', 'b'])).toEqual({ code: 0, out: 'api/b: state active, weight 1\n', err: '' });
    // What the balancer now runs, read back through the API.
    const list = await send(adminPort, { method: 'POST', path: '/api/services:list', headers: { authorization: `Bearer ${TOKEN}` } });
    const api = JSON.parse(list.body).value[0];
    expect(api.backends.map((b: { name: string; state: string; weight: number }) => [b.name, b.state, b.weight])).toEqual([
      ['a', 'active', 3],
      ['b', 'active', 1],
    ]);
  }, 60_000);
});

describe('lbw drill run', () => {
  it('exits 0 for a clean drill and prints its verdict', async () => {
    const r = await client(['drill', 'run', 'calm']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('drill "calm" started (1.5 s)\n');
    expect(r.out).toContain('  +300 ms  weight a → 2\n');
    expect(r.out).toMatch(/drill "calm" completed: \d+ requests, \d+ ok, 0 failed/);
    expect(r.out).toContain('  No GET failed (');
    expect(r.out.endsWith('verdict: clean (failed GETs 0, POSTs that may have run twice 0)\n')).toBe(true);
  }, 60_000);

  it('exits 1 when GETs failed, with the count in the verdict', async () => {
    const r = await client(['drill', 'run', 'broken']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const m = /verdict: NOT clean \(failed GETs (\d+), POSTs that may have run twice 0\)\n$/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(r.out).toMatch(new RegExp(`  ${m![1]} of \\d+ GETs failed`));
  }, 60_000);

  it('exits 1 for a drill that does not exist, naming it', async () => {
    const r = await client(['drill', 'run', 'nope']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^lbw drill run: NOT_FOUND: .*nope/);
  }, 30_000);
});

describe('lbw run --admin, stopping', () => {
  it('closes the admin API with the balancer on SIGINT', async () => {
    server.child.kill('SIGINT');
    expect(await server.exit).toBe(0);
    await expect(send(adminPort, { path: '/metrics' })).rejects.toThrow(/ECONNREFUSED/);
  }, 30_000);
});
