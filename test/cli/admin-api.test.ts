/**
 * The admin API on real sockets: a Workbench with two real backends behind a
 * service, the admin server started the way `--admin` starts it, and raw
 * HTTP requests (so Host, Origin and Authorization are exactly what the test
 * says). Every command of the contract is called through HTTP, generated from
 * the contract's own list; /metrics is read with a strict exposition parser
 * and checked against the requests the test sent.
 */
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandNames, type CommandInput, type CommandName, type Push } from '../../core/contract';
import { Workbench } from '../../core/workbench';
import { startAdmin, type StartedAdmin } from '../../cli/admin/start';
import { startAdminServer, statusOf } from '../../cli/admin/server';
import { startHttpBackend, type HttpBackend } from '../helpers/backends';
import { send, type Answer } from '../helpers/http-client';
import { waitFor } from '../helpers/wait';
import { parseExposition, sampleValue, type ParsedFamily } from './admin/exposition';

const TOKEN = 'test-token_0123456789';
let dir: string;
let a: HttpBackend;
let b: HttpBackend;
let wb: Workbench;
let admin: StartedAdmin;
let proxyPort: number;
const printed = new PassThrough();
let printedText = '';
printed.on('data', (d: Buffer) => (printedText += d.toString()));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-admin-'));
  a = await startHttpBackend({ name: 'alpha' });
  b = await startHttpBackend({ name: 'bravo' });
  wb = new Workbench({
    workspace: {
      services: [{ name: 'api', listen: '127.0.0.1:0', backends: [{ url: a.url, name: 'a' }, { url: b.url, name: 'b' }] }],
      drills: [{ name: 'keep', service: 'api', durationMs: 500, load: { rate: 20 } }],
    },
    tickMs: 50,
  });
  await wb.start();
  admin = await startAdmin('test', '127.0.0.1:0', wb, { out: printed, err: printed }, { LBW_ADMIN_TOKEN: TOKEN });
  const list = await wb.invoke('services:list', {});
  if (!list.ok) throw new Error(list.error.message);
  proxyPort = Number(list.value[0]!.address!.split(':').pop());
});

afterAll(async () => {
  await admin?.close();
  await wb?.stop(0);
  await a?.close();
  await b?.close();
  await rm(dir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${TOKEN}` });

function post(name: string, body: unknown, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
  return send(admin.port, { method: 'POST', path: `/api/${name}`, headers: { ...auth(), 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function json(answer: Answer): { ok: boolean; value?: unknown; error?: { code: string; message: string } } {
  return JSON.parse(answer.body);
}

async function scrape(): Promise<Map<string, ParsedFamily>> {
  const res = await send(admin.port, { path: '/metrics', headers: auth() });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(res.body);
}

describe('admin API listener', () => {
  it('refuses a port in use with PORT_IN_USE and what to try instead', async () => {
    const port = Number(new URL(admin.url).port);
    await expect(startAdmin('test', `127.0.0.1:${port}`, wb, { out: printed, err: printed }, { LBW_ADMIN_TOKEN: TOKEN })).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: `port ${port} on 127.0.0.1 is already in use (the admin API's; try --admin 127.0.0.1:0)`,
    });
  });
});

describe('start', () => {
  it('says where it listens, and not the token when it came from LBW_ADMIN_TOKEN', () => {
    expect(printedText).toBe(`lbw test: admin API on http://127.0.0.1:${admin.port} (token from LBW_ADMIN_TOKEN)\n`);
  });

  it('makes and prints a fresh token without LBW_ADMIN_TOKEN, and warns beyond loopback', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const other = await startAdmin('test', '127.0.0.1:0', wb, { out, err: out }, {});
    try {
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(text).toBe(`lbw test: admin API on http://127.0.0.1:${other.port} (token: ${other.token})\n`);
      expect((await send(other.port, { path: '/metrics', headers: { authorization: `Bearer ${other.token}` } })).status).toBe(200);
      expect((await send(other.port, { path: '/metrics', headers: auth() })).status).toBe(401);
    } finally {
      await other.close();
    }
    // 192.0.2.1 (TEST-NET-1) is on no interface: the warning comes first, then the bind fails.
    const warned = new PassThrough();
    let warning = '';
    warned.on('data', (d: Buffer) => (warning += d.toString()));
    await expect(startAdmin('test', '192.0.2.1:0', wb, { out: warned, err: warned }, { LBW_ADMIN_TOKEN: TOKEN })).rejects.toThrow(/EADDRNOTAVAIL/);
    expect(warning).toBe('lbw test: warning: the admin API listens on 192.0.2.1:0: anyone who can reach this machine and has the token can control the workbench (use 127.0.0.1:0 to keep it on this machine)\n');
  });
});

describe('auth', () => {
  const endpoints = [
    { method: 'POST', path: '/api/services:list' },
    { method: 'GET', path: '/api/events' },
    { method: 'GET', path: '/metrics' },
    { method: 'GET', path: '/nowhere' },
  ];

  it.each(endpoints)('$method $path: 401 without a token, with a wrong one and with a malformed header', async ({ method, path }) => {
    const cases: Array<[http.OutgoingHttpHeaders, string]> = [
      [{}, 'Bearer realm="lbw admin"'],
      [{ authorization: 'Bearer wrong-token' }, 'Bearer realm="lbw admin", error="invalid_token", error_description="not this run\'s admin token"'],
      [{ authorization: `Bearer ${TOKEN}x` }, 'Bearer realm="lbw admin", error="invalid_token", error_description="not this run\'s admin token"'],
      [{ authorization: TOKEN }, 'Bearer realm="lbw admin", error="invalid_request", error_description="use Authorization: Bearer <token>"'],
      [{ authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, 'Bearer realm="lbw admin", error="invalid_request", error_description="use Authorization: Bearer <token>"'],
      [{ authorization: `Bearer ${TOKEN} extra` }, 'Bearer realm="lbw admin", error="invalid_request", error_description="use Authorization: Bearer <token>"'],
      [{ authorization: 'Bearer' }, 'Bearer realm="lbw admin", error="invalid_request", error_description="use Authorization: Bearer <token>"'],
    ];
    for (const [headers, challenge] of cases) {
      const res = await send(admin.port, { method, path, headers, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toBe(challenge);
      expect(json(res)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('takes the scheme in any case', async () => {
    expect((await send(admin.port, { path: '/metrics', headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('403 for a Host that is not the admin address (DNS rebinding) and for a foreign Origin, even with the token', async () => {
    const host = { host: `evil.example:${admin.port}` };
    for (const headers of [host, { host: `127.0.0.1:${admin.port + 1}` }]) {
      const res = await send(admin.port, { path: '/metrics', headers: { ...auth(), ...headers } });
      expect(res.status).toBe(403);
      expect(json(res).error).toEqual({ code: 'FORBIDDEN', message: 'forbidden host: use the address lbw printed' });
    }
    for (const origin of ['http://evil.example', `http://127.0.0.1:${admin.port + 1}`, 'null', `https://127.0.0.1:${admin.port}`]) {
      const res = await post('services:list', {}, { origin });
      expect(res.status, origin).toBe(403);
      expect(json(res).error?.code).toBe('FORBIDDEN');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    // The admin address's own origin and the loopback names are fine.
    expect((await post('services:list', {}, { origin: `http://127.0.0.1:${admin.port}` })).status).toBe(200);
    expect((await send(admin.port, { path: '/metrics', headers: { ...auth(), host: `localhost:${admin.port}` } })).status).toBe(200);
  });
});

describe('POST /api/<command>', () => {
  it('answers the envelope with the HTTP status of its outcome', async () => {
    const ok = await post('faults:list', { service: 'api' });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(ok)).toEqual({ ok: true, value: [expect.objectContaining({ backend: 'a', faults: [] }), expect.objectContaining({ backend: 'b', faults: [] })] });

    const notFound = await post('faults:set', { service: 'api', backend: 'zzz', faults: [] });
    expect(notFound.status).toBe(404);
    expect(json(notFound).error?.code).toBe('NOT_FOUND');

    const invalid = await post('faults:set', { service: 'api', backend: 'a', faults: [{ type: 'error', status: 200 }] });
    expect(invalid.status).toBe(400);
    expect(json(invalid).error?.code).toBe('INPUT_INVALID');

    const foreign = join(dir, 'foreign.json');
    await writeFile(foreign, '{"not":"lbw"}\n');
    const conflict = await post('workspace:save', { path: foreign });
    expect(conflict.status).toBe(409);
    expect(json(conflict).error?.code).toBe('CONFLICT');
  });

  it('404 for an unknown command or path, 405 for a wrong method, 415 for a body that is not JSON, 400 for bad JSON', async () => {
    const unknown = await post('nope:nope', {});
    expect(unknown.status).toBe(404);
    expect(json(unknown).error).toEqual({ code: 'UNKNOWN_COMMAND', message: 'unknown command "nope:nope"' });
    const nowhere = await send(admin.port, { path: '/api', headers: auth() });
    expect(nowhere.status).toBe(404);

    const get = await send(admin.port, { path: '/api/services:list', headers: auth() });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const postMetrics = await send(admin.port, { method: 'POST', path: '/metrics', headers: auth(), body: '' });
    expect(postMetrics.status).toBe(405);
    expect(postMetrics.headers.allow).toBe('GET, HEAD');
    const postEvents = await send(admin.port, { method: 'DELETE', path: '/api/events', headers: auth() });
    expect(postEvents.status).toBe(405);

    const text = await send(admin.port, { method: 'POST', path: '/api/services:list', headers: { ...auth(), 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).toBe(415);
    const none = await send(admin.port, { method: 'POST', path: '/api/services:list', headers: auth(), body: '{}' });
    expect(none.status).toBe(415);

    const bad = await send(admin.port, { method: 'POST', path: '/api/services:list', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(json(bad).error?.code).toBe('INPUT_INVALID');

    // No body at all is the empty input; the name may be percent-encoded.
    const empty = await send(admin.port, { method: 'POST', path: '/api/services%3Alist', headers: auth() });
    expect(empty.status).toBe(200);
    expect(json(empty).ok).toBe(true);
  });

  it('413 for a body over 1 MiB, declared or chunked, and the connection is closed', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const declared = await send(admin.port, { method: 'POST', path: '/api/services:list', headers: { ...auth(), 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    const chunked = await send(admin.port, {
      method: 'POST',
      path: '/api/services:list',
      headers: { ...auth(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(chunked.status).toBe(413);
    // Exactly 1 MiB is read (and is not JSON here: 400, not 413).
    const edge = await send(admin.port, { method: 'POST', path: '/api/services:list', headers: { ...auth(), 'content-type': 'application/json' }, body: Buffer.alloc(1024 * 1024, 0x20) });
    expect(edge.status).toBe(400);
  });
});

describe('every command of the contract', () => {
  it('is routed to its own handler: input that is not an object gets that command’s INPUT_INVALID, never a 404', async () => {
    expect(commandNames.length).toBeGreaterThan(30);
    for (const name of commandNames) {
      const res = await post(name, 'not an object');
      const direct = await wb.invoke(name, 'not an object');
      expect(res.status, name).toBe(400);
      expect(json(res), name).toEqual(JSON.parse(JSON.stringify(direct)));
    }
  });

  /**
   * A valid input per command, and what it answers here (ok, or the code a
   * valid input gets in this state). Commands added to the contract later
   * have no entry until someone writes one: the routing test above still
   * covers them, and this test lists them.
   */
  const samples: { [K in CommandName]?: { input: CommandInput<K> | (() => CommandInput<K>); expect?: string; before?: () => Promise<unknown> } } = {
    'workspace:get': { input: {} },
    'workspace:replace': { input: () => ({ workspace: wb.getWorkspace() }) },
    'workspace:save': { input: () => ({ path: join(dir, 'saved.json') }) },
    'workspace:open': { input: () => ({ path: join(dir, 'opened.json') }), before: () => writeFile(join(dir, 'opened.json'), JSON.stringify(wb.getWorkspace())) },
    // Valid input, refused here: the service listens on port 0, which nginx cannot take (422).
    'workspace:export': { input: { engine: 'nginx' }, expect: 'EXPORT_UNSUPPORTED' },
    'services:list': { input: {} },
    'services:add': { input: () => ({ service: { name: 'extra', listen: '127.0.0.1:0', backends: [{ url: a.url }] } }) },
    'services:update': { input: { service: 'extra', patch: { rewriteRedirects: false } } },
    'services:remove': { input: { service: 'extra' } },
    'backends:add': { input: { service: 'api', backend: { url: 'http://127.0.0.1:9', name: 'tmp' } } },
    'backends:update': { input: { service: 'api', backend: 'tmp', patch: { weight: 3 } } },
    'backends:remove': { input: { service: 'api', backend: 'tmp' } },
    'strategy:set': { input: { service: 'api', strategy: 'round-robin' } },
    'strategies:list': { input: {} },
    'stats:history': { input: { sinceTick: 0 } },
    'events:history': { input: {} },
    'faults:set': { input: { service: 'api', backend: 'a', faults: [{ type: 'latency', ms: 1 }] } },
    'faults:clear': { input: { service: 'api' } },
    'faults:list': { input: {} },
    'demo:add': { input: { service: 'api', spec: { name: 'zulu' } } },
    'demo:remove': { input: { name: 'zulu' } },
    'demo:list': { input: {} },
    'load:start': { input: { service: 'api', spec: { mode: 'open', rate: 20, durationMs: 60_000 } } },
    'load:stop': { input: {} },
    'load:status': { input: {}, before: () => waitFor(async () => (await wb.invoke('load:status', {})).ok && ((await wb.invoke('load:status', {})) as { value: { state: string } }).value.state === 'idle', 20_000) },
    'drills:list': { input: {} },
    'drills:save': { input: { drill: { name: 'scratch', service: 'api', durationMs: 500 } } },
    'drills:remove': { input: { name: 'scratch' } },
    'drills:run': { input: { name: 'keep' } },
    'drills:stop': { input: {} },
    'drills:status': { input: {}, before: () => waitFor(async () => ((await wb.invoke('drills:status', {})) as { value: { state: string } }).value.state === 'idle', 20_000) },
    'drills:report': { input: {} },
    'drills:export': { input: () => ({ format: 'json', path: join(dir, 'report.json') }) },
    'compare:builtins': { input: {} },
    'compare:status': { input: {} },
    'strategy:preview': { input: { service: 'api', count: 4 } },
    'strategy:decisions': { input: { service: 'api' } },
    'strategy:keyspace': { input: { service: 'api' } },
    'compare:run': { input: { builtin: 'slow-backend', simulate: true } },
    'workspace:status': { input: {} },
    'workspace:file': { input: {} },
  };

  it('answers a valid input through HTTP with the status of its outcome', async () => {
    const missing: string[] = [];
    for (const name of commandNames) {
      const sample = samples[name] as { input: unknown; expect?: string; before?: () => Promise<unknown> } | undefined;
      if (!sample) {
        missing.push(name);
        continue;
      }
      await sample.before?.();
      const input = typeof sample.input === 'function' ? (sample.input as () => unknown)() : sample.input;
      const res = await post(name, input);
      const body = json(res);
      expect(res.status, `${name}: ${res.body}`).toBe(statusOf(body as never));
      if (sample.expect) expect(body.error?.code, name).toBe(sample.expect);
      else expect(body, `${name}: ${res.body}`).toMatchObject({ ok: true });
    }
    // A command added to the contract needs a sample here, so the API is proven on it too.
    expect(missing).toEqual([]);
    // Every sample names a command of the contract (a renamed command shows up here).
    expect(Object.keys(samples).filter((n) => !(commandNames as string[]).includes(n))).toEqual([]);
    expect(missing.length).toBeLessThan(commandNames.length / 4);
  }, 60_000);
});

/** Reads server-sent events from a raw response; `next(type)` waits for the next one of that name. */
function openEvents(port: number, query = '', headers: http.OutgoingHttpHeaders = auth()) {
  const events: Array<{ event: string; data: unknown }> = [];
  let raw = '';
  let status = 0;
  const req = http.get({ host: '127.0.0.1', port, path: `/api/events${query}`, headers, agent: false });
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (d: string) => {
        raw += d;
        buffer += d;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
      });
      resolve(res);
    });
    req.on('error', reject);
  });
  return {
    opened,
    events,
    raw: () => raw,
    status: () => status,
    close: () => req.destroy(),
  };
}

describe('GET /api/events', () => {
  it('streams the event a command causes, named by its type', async () => {
    const stream = openEvents(admin.port);
    const res = await stream.opened;
    try {
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      await waitFor(() => stream.raw().startsWith(': lbw events\nretry: 3000\n\n'), 10_000);
      expect((await post('faults:set', { service: 'api', backend: 'b', faults: [{ type: 'error', status: 502 }] })).status).toBe(200);
      const got = await waitFor(() => stream.events.find((e) => e.event === 'faults:changed'), 10_000);
      expect(got.data).toMatchObject({ type: 'faults:changed', service: 'api', backend: 'b', labels: ['error 502'] });
      // No stats ticks unless asked for.
      expect(stream.events.some((e) => e.event === 'stats')).toBe(false);
    } finally {
      stream.close();
      await post('faults:clear', {});
    }
  });

  it('adds stats ticks with ?stats=1', async () => {
    const stream = openEvents(admin.port, '?stats=1');
    try {
      const tick = await waitFor(() => stream.events.find((e) => e.event === 'stats'), 10_000);
      expect(tick.data).toMatchObject({ services: [expect.objectContaining({ name: 'api' })] });
    } finally {
      stream.close();
    }
  });

  it('sends keep-alive comments, and drops a client that stops reading once its buffer is full', async () => {
    const listeners = new Set<(p: Push) => void>();
    const fake = {
      invoke: () => Promise.resolve({ ok: true as const, value: null }),
      subscribe: (l: (p: Push) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const server = await startAdminServer({ workbench: fake, metrics: () => '', host: '127.0.0.1', port: 0, token: TOKEN, keepAliveMs: 50, sseMaxBufferedBytes: 256 * 1024 });
    try {
      const alive = openEvents(server.port);
      await alive.opened;
      await waitFor(() => alive.raw().split(': keep-alive\n\n').length >= 3, 10_000);
      alive.close();
      await waitFor(() => listeners.size === 0, 10_000);

      // Two clients under the same flood: one reads, one never does. The kernel's buffers fill, then
      // the server's for the stuck one, and only that one is dropped.
      const reader = openEvents(server.port);
      await reader.opened;
      const stuck = openEvents(server.port);
      const res = await stuck.opened;
      res.pause();
      await waitFor(() => listeners.size === 2, 10_000);
      const big = { type: 'config:changed', at: 0, cause: 'x'.repeat(64 * 1024) } as const;
      let sent = 0;
      await waitFor(
        () => {
          sent++;
          for (const l of listeners) l({ channel: 'event', event: big });
          return listeners.size === 1;
        },
        { timeoutMs: 30_000, intervalMs: 2 },
      );
      // Dropped after at least its buffer's worth, long before an unbounded buffer would have (64 KiB each).
      expect(sent * 64 * 1024).toBeGreaterThanOrEqual(256 * 1024);
      expect(sent).toBeLessThan(2000);
      await waitFor(() => reader.events.length === sent, 10_000);
      expect(listeners.size).toBe(1);
      reader.close();
      stuck.close();
    } finally {
      await server.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts exactly the requests sent through the proxy, per service and backend, with a consistent histogram', async () => {
    const before = await scrape();
    const base = (name: string, labels: Record<string, string>) => sampleValue(before, name, labels) ?? 0;
    const svc = { service: 'api' };
    const la = { service: 'api', backend: 'a' };
    const lb = { service: 'api', backend: 'b' };
    const start = {
      requests: base('lbw_service_requests_total', svc),
      ok: base('lbw_service_responses_total', { ...svc, code: '2xx' }),
      s5xx: base('lbw_service_responses_total', { ...svc, code: '5xx' }),
      a: base('lbw_backend_requests_total', la),
      b: base('lbw_backend_requests_total', lb),
      sent: base('lbw_service_sent_bytes_total', svc),
      count: base('lbw_service_request_duration_seconds_count', svc),
    };

    b.status = 503;
    const N = 40;
    let okCount = 0;
    let failCount = 0;
    let bytes = 0;
    try {
      for (let i = 0; i < N; i++) {
        const res = await send(proxyPort, { path: '/' });
        if (res.status === 200) okCount++;
        else if (res.status === 503) failCount++;
        bytes += Buffer.byteLength(res.body);
      }
    } finally {
      b.status = 200;
    }
    expect(okCount + failCount).toBe(N);
    expect(okCount).toBe(N / 2); // round robin over two backends

    const after = await waitFor(
      async () => {
        const m = await scrape();
        return (sampleValue(m, 'lbw_service_requests_total', svc) ?? 0) - start.requests === N ? m : undefined;
      },
      { timeoutMs: 10_000, message: 'the service counter reaches the requests sent' },
    );
    const v = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) ?? NaN;
    expect(v('lbw_service_responses_total', { ...svc, code: '2xx' }) - start.ok).toBe(okCount);
    expect(v('lbw_service_responses_total', { ...svc, code: '5xx' }) - start.s5xx).toBe(failCount);
    expect(v('lbw_backend_requests_total', la) - start.a).toBe(N / 2);
    expect(v('lbw_backend_requests_total', lb) - start.b).toBe(N / 2);
    expect(v('lbw_service_sent_bytes_total', svc) - start.sent).toBe(bytes);
    expect(v('lbw_service_request_duration_seconds_count', svc) - start.count).toBe(N);
    expect(v('lbw_service_request_duration_seconds_count', svc)).toBe(v('lbw_service_requests_total', svc));
    expect(v('lbw_backend_request_duration_seconds_count', la)).toBe(v('lbw_backend_requests_total', la));
    expect(v('lbw_service_request_duration_seconds_sum', svc)).toBeGreaterThan(0);
    expect(v('lbw_service_in_flight', svc)).toBe(0);
    expect(v('lbw_backend_healthy', la)).toBe(1);
    expect(v('lbw_backend_ejected', lb)).toBe(0);
    expect(v('lbw_backend_weight', la)).toBe(1);
    expect(v('lbw_service_up', svc)).toBe(1);

    // Types, help, label sets.
    const types: Record<string, string> = {};
    for (const f of after.values()) {
      types[f.name] = f.type;
      expect(f.help.length, f.name).toBeGreaterThan(0);
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
      for (const s of f.samples) {
        const keys = Object.keys(s.labels).filter((k) => k !== 'le').sort();
        if (f.name.startsWith('lbw_service_')) expect(keys.filter((k) => k !== 'code' && k !== 'kind')).toEqual(['service']);
        if (f.name.startsWith('lbw_backend_')) expect(keys.filter((k) => k !== 'code' && k !== 'kind')).toEqual(['backend', 'service']);
      }
    }
    expect(types).toMatchObject({
      lbw_service_requests_total: 'counter',
      lbw_service_responses_total: 'counter',
      lbw_service_errors_total: 'counter',
      lbw_service_retries_total: 'counter',
      lbw_service_in_flight: 'gauge',
      lbw_service_received_bytes_total: 'counter',
      lbw_service_sent_bytes_total: 'counter',
      lbw_service_request_duration_seconds: 'histogram',
      lbw_backend_requests_total: 'counter',
      lbw_backend_responses_total: 'counter',
      lbw_backend_errors_total: 'counter',
      lbw_backend_retries_total: 'counter',
      lbw_backend_in_flight: 'gauge',
      lbw_backend_request_duration_seconds: 'histogram',
      lbw_backend_healthy: 'gauge',
      lbw_backend_ejected: 'gauge',
      lbw_backend_weight: 'gauge',
      lbw_load_requests_total: 'counter',
    });
    const codes = after.get('lbw_backend_responses_total')!.samples.filter((s) => s.labels.backend === 'a').map((s) => s.labels.code);
    expect(codes).toEqual(['1xx', '2xx', '3xx', '4xx', '5xx']);
    const kinds = after.get('lbw_backend_errors_total')!.samples.filter((s) => s.labels.backend === 'a').map((s) => s.labels.kind);
    expect(kinds).toEqual(['refused', 'reset', 'timeout', 'tls', 'other']);

    // Counters never go down between scrapes.
    const later = await scrape();
    for (const f of after.values()) {
      if (f.type !== 'counter' && f.type !== 'histogram') continue;
      for (const s of f.samples) {
        const now = sampleValue(later, s.name, s.labels);
        if (now !== undefined) expect(now, `${s.name}${JSON.stringify(s.labels)}`).toBeGreaterThanOrEqual(s.value);
      }
    }
  });

  it('shows errors by kind, retries, ejection and health as they happen', async () => {
    // A port that was just free: connecting to it is refused.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const edge = { name: 'edge', listen: '127.0.0.1:0', passiveHealth: { consecutiveErrors: 2 }, backends: [{ url: a.url, name: 'up' }, { url: deadUrl, name: 'dead' }] };
    const checked = { name: 'checked', listen: '127.0.0.1:0', healthCheck: { intervalMs: 100, fall: 1, rise: 1 }, backends: [{ url: a.url, name: 'up' }, { url: deadUrl, name: 'dead' }] };
    for (const service of [edge, checked]) expect((await post('services:add', { service })).status).toBe(200);
    try {
      const added = (json(await post('services:list', {})).value as Array<{ name: string; address: string }>).find((x) => x.name === 'edge')!;
      const port = Number(added.address.split(':').pop());
      const N = 20;
      for (let i = 0; i < N; i++) expect((await send(port, { path: '/' })).status).toBe(200);

      const e = { service: 'edge' };
      const dead = { service: 'edge', backend: 'dead' };
      const m = await waitFor(async () => {
        const got = await scrape();
        return sampleValue(got, 'lbw_service_requests_total', e) === N && sampleValue(got, 'lbw_backend_healthy', { service: 'checked', backend: 'dead' }) === 0 ? got : undefined;
      }, 10_000);
      const v = (name: string, labels: Record<string, string>) => sampleValue(m, name, labels);
      expect(v('lbw_service_responses_total', { ...e, code: '2xx' })).toBe(N);
      // Every refused attempt on "dead" was retried on "up"; two in a row ejected it.
      const refused = v('lbw_backend_errors_total', { ...dead, kind: 'refused' })!;
      expect(refused).toBe(2);
      expect(v('lbw_backend_retries_total', dead)).toBe(refused);
      expect(v('lbw_service_retries_total', e)).toBe(refused);
      expect(v('lbw_backend_requests_total', { service: 'edge', backend: 'up' })).toBe(N);
      expect(v('lbw_backend_errors_total', { ...dead, kind: 'reset' })).toBe(0);
      expect(v('lbw_backend_ejected', dead)).toBe(1);
      expect(v('lbw_backend_ejections_total', dead)).toBe(1);
      expect(v('lbw_backend_available', dead)).toBe(0);
      expect(v('lbw_backend_healthy', dead)).toBe(1); // no active checks on this service
      // The active checker marks the other service's dead backend unhealthy, and only that one.
      expect(v('lbw_backend_healthy', { service: 'checked', backend: 'up' })).toBe(1);
      expect(v('lbw_backend_ejected', { service: 'checked', backend: 'dead' })).toBe(0);
    } finally {
      for (const service of ['edge', 'checked']) await post('services:remove', { service });
    }
    const gone = await waitFor(async () => {
      const got = await scrape();
      return sampleValue(got, 'lbw_service_up', { service: 'edge' }) === undefined ? got : undefined;
    }, 10_000);
    expect(sampleValue(gone, 'lbw_backend_requests_total', { service: 'edge', backend: 'up' })).toBeUndefined();
  }, 30_000);

  it('counts the load generator’s requests over its runs, streams its progress with ?load=1, and answers HEAD without a body', async () => {
    const before = sampleValue(await scrape(), 'lbw_load_requests_total', {}) ?? 0;
    await waitFor(async () => ((await wb.invoke('load:status', {})) as { value: { state: string } }).value.state === 'idle', 20_000);
    const progress = openEvents(admin.port, '?load=1');
    await progress.opened;
    const start = await post('load:start', { service: 'api', spec: { mode: 'open', rate: 40, durationMs: 500, progressIntervalMs: 100 } });
    expect(start.status).toBe(200);
    const first = await waitFor(() => progress.events.find((e) => e.event === 'load'), 10_000);
    expect(first.data).toMatchObject({ sent: expect.any(Number), inFlight: expect.any(Number) });
    progress.close();
    const running = await waitFor(async () => {
      const m = await scrape();
      return sampleValue(m, 'lbw_load_running', {}) === 1 ? m : undefined;
    }, 10_000);
    expect(sampleValue(running, 'lbw_load_in_flight', {})).toBeGreaterThanOrEqual(0);
    await waitFor(async () => ((await wb.invoke('load:status', {})) as { value: { state: string } }).value.state === 'idle', 20_000);
    const status = await wb.invoke('load:status', {});
    const sent = (status as { value: { last: { sent: number } } }).value.last.sent;
    expect(sent).toBeGreaterThan(0);
    const m = await scrape();
    expect(sampleValue(m, 'lbw_load_requests_total', {})! - before).toBe(sent);
    expect(sampleValue(m, 'lbw_load_running', {})).toBe(0);
    expect(sampleValue(m, 'lbw_load_in_flight', {})).toBeUndefined();

    const head = await send(admin.port, { method: 'HEAD', path: '/metrics', headers: auth() });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
  }, 40_000);
});
