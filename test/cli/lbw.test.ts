/**
 * `lbw` as a user runs it: a real child process, real backends on loopback,
 * exit codes and the lines a person reads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend } from '../helpers/backends';
import { send } from '../helpers/http-client';
import { useLbw, type Running } from '../helpers/lbw-process';
import { waitFor } from '../helpers/wait';

let dir: string;
const spawnLbw = useLbw();
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});


function lbw(...args: string[]): Running {
  return spawnLbw(args);
}

describe('lbw validate', () => {
  it('says ok for a valid file', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify({ services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001' }] }] }));
    const run = lbw('validate', file);
    expect(await run.exit).toBe(0);
    expect(run.out()).toBe(`ok: ${file}: 1 service(s), 1 backend(s)\n`);
  });

  it('lists each problem by path and exits 2', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001' }, { url: 'tcp://127.0.0.1:3002' }] }] }));
    const run = lbw('validate', file);
    expect(await run.exit).toBe(2);
    expect(run.err()).toBe(`${file}: 1 problem(s)\n  services[0].backends[1].url: must be an http(s) URL\n`);
  });
});

describe('lbw validate: strict keys', () => {
  it('names each unknown key with its path and the key meant, and exits 2', async () => {
    const file = join(dir, 'typos.json');
    const service = {
      name: 'api',
      listen: '127.0.0.1:8080',
      stratgey: 'random',
      helthCheck: { path: '/health' },
      backends: [{ url: 'http://127.0.0.1:3001', wieght: 2 }],
      retries: { retryNonIdempotant: true },
    };
    await writeFile(file, JSON.stringify({ services: [service] }));
    const run = lbw('validate', file);
    expect(await run.exit).toBe(2);
    expect(run.err()).toBe(
      `${file}: 4 problem(s)\n` +
        '  services[0].backends[0].wieght: unknown key (did you mean weight?)\n' +
        '  services[0].retries.retryNonIdempotant: unknown key (did you mean retryNonIdempotent?)\n' +
        '  services[0].stratgey: unknown key (did you mean strategy?)\n' +
        '  services[0].helthCheck: unknown key (did you mean healthCheck?)\n',
    );
  });
});

describe('non-loopback listen addresses', () => {
  // 192.0.2.1 (TEST-NET-1) is on no interface: the bind fails, so nothing is ever exposed, but the warning comes first.
  const exposed = { services: [{ name: 'lan', listen: '192.0.2.1:0', backends: [{ url: 'http://127.0.0.1:1' }] }] };
  const line = 'warning: service "lan" listens on 192.0.2.1:0: an address other machines may reach (use 127.0.0.1:0 to keep it on this machine)\n';

  it('lbw run warns on stderr, naming the service and the address', async () => {
    const file = join(dir, 'exposed-run.json');
    await writeFile(file, JSON.stringify(exposed));
    const run = lbw('run', file, '--plain');
    expect(await run.exit).toBe(2);
    expect(run.err()).toBe(`lbw run: ${line}lbw run: cannot listen on 192.0.2.1:0: listen EADDRNOTAVAIL: address not available 192.0.2.1\n`);

    const local = lbw('run', '--listen', '127.0.0.1:0', '--name', 'api', 'http://127.0.0.1:1');
    await waitFor(() => /api listening on/.test(local.out()), { timeoutMs: 20_000 });
    local.child.kill('SIGINT');
    await local.exit;
    expect(local.err()).not.toContain('warning');
  });

  it('lbw serve warns on stderr too', async () => {
    const file = join(dir, 'exposed-serve.json');
    await writeFile(file, JSON.stringify(exposed));
    const run = lbw('serve', file, '--port', '0');
    await waitFor(() => run.err().includes(line) || run.child.exitCode !== null, { timeoutMs: 20_000 });
    expect(run.err().startsWith(`lbw serve: ${line}`)).toBe(true);
    run.child.kill('SIGINT');
    await run.exit;
  });
});

describe('lbw run', () => {
  it('rejects bad flags and missing backends with one line and exit 2', async () => {
    const bogus = lbw('run', '--bogus');
    expect(await bogus.exit).toBe(2);
    expect(bogus.err().trim().split('\n')).toHaveLength(1);
    expect(bogus.err()).toMatch(/^lbw run: .*--bogus/);

    const none = lbw('run');
    expect(await none.exit).toBe(2);
    expect(none.err()).toBe('lbw run: give a workspace file or at least one backend URL (see lbw run --help)\n');

    const badUrl = lbw('run', 'http://127.0.0.1:1', 'ftp://x');
    expect(await badUrl.exit).toBe(2);
    expect(badUrl.err()).toMatch(/^lbw run: invalid workspace: services\[0\]\.backends\[1\]\.url: must be an http\(s\) URL/);
  });

  it('names the port when it is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as net.AddressInfo).port;
    const run = lbw('run', '--listen', `127.0.0.1:${port}`, 'http://127.0.0.1:1');
    expect(await run.exit).toBe(1);
    expect(run.err()).toBe(`lbw run: port ${port} on 127.0.0.1 is already in use\n`);
  });

  it('balances, logs plain lines off a terminal, and on SIGINT lets in-flight requests finish then exits 0', async () => {
    const slow = await startHttpBackend({ name: 'slow', delayMs: 1200 });
    cleanups.push(() => slow.close());
    const run = lbw('run', '--listen', '127.0.0.1:0', '--name', 'api', slow.url);
    const address = await waitFor(() => /api listening on (127\.0\.0\.1:\d+)/.exec(run.out())?.[1], { timeoutMs: 20_000 });
    const port = Number(address.split(':')[1]);
    expect((await send(port)).headers['x-backend']).toBe('slow');

    const inFlight = send(port);
    await waitFor(() => slow.hits === 2);
    run.child.kill('SIGINT');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await run.exit).toBe(0);
    expect(run.err()).toMatch(/SIGINT: finishing in-flight requests/);
    expect(run.out()).toMatch(/api stopped/);
  });

  it('--retry-on sends GETs answered with those statuses on to another backend', async () => {
    const failing = await startHttpBackend({ name: 'failing', status: 503 });
    const healthy = await startHttpBackend({ name: 'healthy' });
    cleanups.push(() => failing.close(), () => healthy.close());
    const run = lbw('run', '--listen', '127.0.0.1:0', '--name', 'api', '--retry-on', '502,503', failing.url, healthy.url);
    const address = await waitFor(() => /api listening on (127\.0\.0\.1:\d+)/.exec(run.out())?.[1], { timeoutMs: 20_000 });
    const port = Number(address.split(':')[1]);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send(port));
    expect(answers.map((a) => [a.status, a.headers['x-backend']])).toEqual(Array(6).fill([200, 'healthy']));
    expect(failing.hits).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);

    const bad = lbw('run', '--retry-on', '503,oops', healthy.url);
    expect(await bad.exit).toBe(2);
    expect(bad.err()).toContain('--retry-on takes HTTP statuses separated by commas');
    const outOfRange = lbw('run', '--retry-on', '200', healthy.url);
    expect(await outOfRange.exit).toBe(2);
    expect(outOfRange.err()).toMatch(/retries\.onStatus/);
  });

  it('prints help', async () => {
    const run = lbw('run', '--help');
    expect(await run.exit).toBe(0);
    expect(run.out()).toContain('Usage: lbw run [workspace.json] [options] [BACKEND_URL...]');
    const main = lbw('--help');
    expect(await main.exit).toBe(0);
    expect(main.out()).toContain('serve [workspace.json]');
  });
});

describe('lbw load', () => {
  it('sends the asked mix to a loopback URL, stops by itself and summarises', async () => {
    const target = await startHttpBackend({ name: 'target' });
    cleanups.push(() => target.close());
    const run = lbw('load', target.url, '--concurrency', '2', '--duration', '2', '--mix', 'GET /a:1,POST /b:1', '--body', '10');
    expect(await run.exit).toBe(0);
    const done = /done \(duration\) after [\d.]+ s: sent (\d+), ok (\d+), failed 0/.exec(run.out());
    expect(done).not.toBeNull();
    expect(Number(done![1])).toBe(Number(done![2]));
    expect(target.hits).toBe(Number(done![1]));
    const methods = new Set(target.requests.map((r) => `${r.method} ${r.url}`));
    expect(methods).toEqual(new Set(['GET /a', 'POST /b']));
  });

  it('refuses a target off this machine', async () => {
    const run = lbw('load', 'http://192.0.2.1:80');
    expect(await run.exit).toBe(2);
    expect(run.err()).toMatch(/must be a loopback address/);
  });
});

