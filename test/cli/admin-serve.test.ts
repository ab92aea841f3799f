/**
 * `lbw serve --admin` as a child process: the admin API next to browser
 * mode, with a token made for the run and printed once, the same Workbench
 * behind both (a change through the API is what the page's WebSocket sees).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startHttpBackend, type HttpBackend } from '../helpers/backends';
import { send } from '../helpers/http-client';
import { waitFor } from '../helpers/wait';

const LBW = join(__dirname, '..', '..', 'bin', 'lbw.js');
let child: ChildProcess | undefined;
let backend: HttpBackend | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await backend?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('serves the admin API beside the UI, with a printed token, until SIGINT', async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-admin-serve-'));
  backend = await startHttpBackend({ name: 'a' });
  const file = join(dir, 'ws.json');
  await writeFile(file, JSON.stringify({ services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: backend.url, name: 'a' }] }] }));
  const env = { ...process.env };
  delete env.LBW_ADMIN_TOKEN;
  child = spawn(process.execPath, [LBW, 'serve', file, '--port', '0', '--no-watch', '--admin', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));

  const m = await waitFor(() => /lbw serve: admin API on http:\/\/127\.0\.0\.1:(\d+) \(token: ([A-Za-z0-9_-]{24})\)\n/.exec(out) ?? (child!.exitCode !== null ? 'exited' : null), {
    timeoutMs: 40_000,
    message: 'lbw serve prints the admin address and token',
  });
  if (m === 'exited') throw new Error(`lbw serve exited: ${err}`);
  const [, port, token] = m;
  // Printed once; loopback: no warning.
  expect(out.split(token!).length).toBe(2);
  expect(err).not.toContain('warning');

  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', host: `localhost:${port}` };
  const set = await send(Number(port), { method: 'POST', path: '/api/backends:update', headers, body: JSON.stringify({ service: 'web', backend: 'a', patch: { weight: 7 } }) });
  expect(set.status).toBe(200);
  expect(JSON.parse(set.body)).toMatchObject({ ok: true, value: { name: 'a', weight: 7 } });
  const metrics = await waitFor(async () => {
    const res = await send(Number(port), { path: '/metrics', headers });
    return /lbw_backend_weight\{service="web",backend="a"\} 7\n/.test(res.body) ? res : undefined;
  }, 10_000);
  expect(metrics.status).toBe(200);

  child.kill('SIGINT');
  expect(await exit).toBe(0);
}, 60_000);
