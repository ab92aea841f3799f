/**
 * Browser mode's host on loopback: static files without secrets and without
 * cookies, the old `?token=` URL moved into the fragment, a WebSocket that
 * wants the page's own Origin and the token in its first frame, and an
 * answer to every frame, malformed or too big included.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../cli/browser/host';
import { WS_MAX_MESSAGE_BYTES } from '../../core/contract/wire';
import { Workbench } from '../../core/workbench';
import { send } from '../helpers/http-client';
import { waitFor } from '../helpers/wait';
import { handshakeStatus, openAuthed, openSocket, request } from './browser-socket';

let dir: string;
let host: BrowserHost;
let workbench: Workbench;
/** How long the host waits for the token here (10 s in lbw serve). */
const AUTH_TIMEOUT_MS = 400;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-host-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>LB Workbench</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1)');
  workbench = new Workbench({ dataPlane: false, workspace: { services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }] }] } });
  host = await startBrowserHost({ workbench, host: '127.0.0.1', port: 0, staticDir: dir, authTimeoutMs: AUTH_TIMEOUT_MS });
});
afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

const own = () => `http://127.0.0.1:${host.port}`;
const weight = () => workbench.getWorkspace().services[0]!.backends[0]!.weight;

describe('browser mode host: HTTP', () => {
  it('prints a URL with the token in its fragment only', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('refuses a port in use with PORT_IN_USE and what to try instead', async () => {
    const second = startBrowserHost({ workbench, host: '127.0.0.1', port: host.port, staticDir: dir });
    await expect(second).rejects.toMatchObject({ code: 'PORT_IN_USE', message: `port ${host.port} on 127.0.0.1 is already in use (try --port 0)` });
  });

  it('serves the static files without a token and never sets a cookie', async () => {
    for (const path of ['/', '/index.html', '/app.js']) {
      const res = await send(host.port, { path });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    }
    const page = await send(host.port, { path: '/' });
    expect(page.body).toContain('LB Workbench');
    expect(page.body).not.toContain(host.token);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('refuses another Host (DNS rebinding), paths outside the UI and methods other than GET/HEAD', async () => {
    expect((await send(host.port, { path: '/', headers: { host: `evil.example:${host.port}` } })).status).toBe(403);
    expect((await send(host.port, { path: '/', headers: { host: `127.0.0.1:${host.port + 1}` } })).status).toBe(403);
    expect((await send(host.port, { path: '/../../etc/passwd' })).status).toBe(404);
    expect((await send(host.port, { path: '/', method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('moves the old ?token= form into the fragment (303) and refuses a wrong one (401), setting no cookie', async () => {
    const moved = await send(host.port, { path: `/?token=${host.token}` });
    expect(moved.status).toBe(303);
    expect(moved.headers.location).toBe(`/#token=${host.token}`);
    expect(moved.headers['set-cookie']).toBeUndefined();
    const wrong = await send(host.port, { path: `/?token=${host.token.slice(1)}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain(host.token);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });
});

describe('browser mode host: who may open the socket', () => {
  it('refuses a foreign Origin, a rebinding Host and another path with 403/404 before any socket exists', async () => {
    const foreign = [
      'https://evil.example',
      `http://127.0.0.1:${host.port + 1}`, // another port on this machine: a backend's page, another lbw
      `http://localhost:${host.port}`, // a loopback name, but not the one this handshake's Host names
      `https://127.0.0.1:${host.port}`,
      'null', // sandboxed frames, file:// pages
      `${own()}/`,
    ];
    for (const origin of foreign) expect({ origin, status: await handshakeStatus(host.port, { headers: { origin } }) }).toEqual({ origin, status: 403 });
    expect(await handshakeStatus(host.port, { headers: { host: `evil.example:${host.port}`, origin: `http://evil.example:${host.port}` } })).toBe(403);
    expect(await handshakeStatus(host.port, { headers: { host: `evil.example:${host.port}` } })).toBe(403);
    expect(await handshakeStatus(host.port, { path: '/other', headers: { origin: own() } })).toBe(404);
    // The page's own origin, and a client that is no browser (no Origin), get as far as the token check.
    expect(await handshakeStatus(host.port, { headers: { origin: own() } })).toBe(101);
    expect(await handshakeStatus(host.port, { headers: { origin: `http://localhost:${host.port}`, host: `localhost:${host.port}` } })).toBe(101);
    expect(await handshakeStatus(host.port)).toBe(101);
  });

  it('closes a socket with 4401 and a reason, having sent nothing, when the first frame is not the token', async () => {
    const before = weight();
    const cases: Array<[string, string | Buffer]> = [
      ['a command instead of the token', JSON.stringify({ id: 1, name: 'backends:update', input: { service: 'api', backend: 'a', patch: { weight: 9 } } })],
      ['a wrong token of the same length', JSON.stringify({ auth: `${host.token[0] === 'A' ? 'B' : 'A'}${host.token.slice(1)}` })],
      ['a token cut short', JSON.stringify({ auth: host.token.slice(1) })],
      ['an empty token', JSON.stringify({ auth: '' })],
      ['the token as a bare string', JSON.stringify(host.token)],
      ['the token in a binary frame', Buffer.from(JSON.stringify({ auth: host.token }))],
    ];
    for (const [what, frame] of cases) {
      const s = await openSocket(host.port, { headers: { origin: own() } });
      s.ws.send(frame);
      // A command sent right behind the refused frame is not run either.
      s.ws.send(JSON.stringify({ id: 2, name: 'backends:update', input: { service: 'api', backend: 'a', patch: { weight: 7 } } }));
      const closed = await s.closed;
      expect({ what, code: closed.code }).toEqual({ what, code: 4401 });
      expect(closed.reason).toMatch(/^unauthorized: open the URL that lbw serve printed/);
      expect(s.frames).toEqual([]);
    }
    expect(weight()).toBe(before);
  });

  it('closes a socket that presents no token in time, even with the token in its URL query', async () => {
    const s = await openSocket(host.port, { path: `/ws?token=${host.token}` });
    const t0 = Date.now();
    const closed = await s.closed;
    expect(closed).toEqual({ code: 4401, reason: 'unauthorized: no token presented in time' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50);
    expect(s.frames).toEqual([]);
  });

  it('accepts the token in the first frame, then carries commands and pushes', async () => {
    const s = await openAuthed(host.port, host.token, { headers: { origin: own() } });
    expect(s.frames[0]).toEqual({ auth: 'ok' });
    const reply = await request(s, 1, 'backends:update', { service: 'api', backend: 'a', patch: { weight: 5 } });
    expect(reply.result).toMatchObject({ ok: true, value: { weight: 5 } });
    await waitFor(() => s.frames.some((f) => (f as { push?: { event?: { type: string } } }).push?.event?.type === 'config:changed'));
    workbench.tick();
    await waitFor(() => s.frames.some((f) => (f as { push?: { channel: string } }).push?.channel === 'stats'));
    await request(s, 2, 'backends:update', { service: 'api', backend: 'a', patch: { weight: 1 } });
    s.ws.close();
  });

  it('carries workspace:export (the files and warnings, as the page downloads them), and refuses an unknown engine', async () => {
    const s = await openAuthed(host.port, host.token, { headers: { origin: own() } });
    const reply = await request(s, 1, 'workspace:export', { engine: 'traefik' });
    expect(reply.result).toMatchObject({ ok: true, value: { engine: 'traefik', files: [{ name: 'traefik.yml' }, { name: 'dynamic.yml' }] } });
    const text = (reply.result as { value: { files: Array<{ text: string }> } }).value.files[1]!.text;
    expect(text).toContain('- url: http://127.0.0.1:3001');
    const bad = await request(s, 2, 'workspace:export', { engine: 'apache' });
    expect(bad.result).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    s.ws.close();
  });
});

describe('browser mode host: every frame gets an answer', () => {
  it('answers malformed requests with INPUT_INVALID or UNKNOWN_COMMAND, with their id or id null', async () => {
    const s = await openAuthed(host.port, host.token);
    const unreadable: Array<[string, string | Buffer, string]> = [
      ['not JSON', 'not json', 'a request must be a JSON object'],
      ['an array', '[1,2]', 'a request must be a JSON object'],
      ['a number', '42', 'a request must be a JSON object'],
      ['null', 'null', 'a request must be a JSON object'],
      ['no id', JSON.stringify({ name: 'services:list', input: {} }), 'a request needs a numeric id'],
      ['a string id', JSON.stringify({ id: '7', name: 'services:list', input: {} }), 'a request needs a numeric id'],
      ['a binary frame', Buffer.from(JSON.stringify({ id: 8, name: 'services:list', input: {} })), 'binary frames are not read: send each request as one JSON text frame'],
    ];
    for (const [, frame] of unreadable) s.ws.send(frame);
    await waitFor(() => s.replies(null).length === unreadable.length, { message: 'an id-null reply to each unreadable frame' });
    expect(s.replies(null).map((r) => r.result.error)).toEqual(unreadable.map(([, , message]) => ({ code: 'INPUT_INVALID', message })));

    expect((await request(s, 10, 'nope:nope', {})).result.error?.code).toBe('UNKNOWN_COMMAND');
    s.ws.send(JSON.stringify({ id: 11, name: 42 }));
    await waitFor(() => s.replies(11)[0]);
    expect(s.replies(11)[0]!.result.error).toEqual({ code: 'INPUT_INVALID', message: 'a request needs a command name' });
    // Wrong input types: validated by the Workbench, answered with the same id.
    for (const [id, input] of [[12, 'x'], [13, [1]], [14, { service: 5, backend: 'a', patch: { weight: 'heavy' } }]] as const) {
      const r = await request(s, id, 'backends:update', input);
      expect({ id, code: r.result.error?.code }).toEqual({ id, code: 'INPUT_INVALID' });
    }
    // Well typed but out of range: the workspace's own rules answer.
    expect((await request(s, 15, 'backends:update', { service: 'api', backend: 'a', patch: { weight: -1 } })).result.error?.code).toBe('CONFIG_INVALID');
    expect(weight()).toBe(1);
    // Still open, still answering.
    expect((await request(s, 16, 'services:list', {})).result.ok).toBe(true);
    s.ws.close();
  });

  it('reads a message of exactly 1 MiB and closes on a bigger one with 1009 and a reason', async () => {
    const s = await openAuthed(host.port, host.token);
    const req = JSON.stringify({ id: 1, name: 'services:list', input: {} });
    s.ws.send(req + ' '.repeat(WS_MAX_MESSAGE_BYTES - req.length));
    await waitFor(() => s.replies(1)[0]);
    expect(s.replies(1)[0]!.result.ok).toBe(true);
    s.ws.send(req + ' '.repeat(WS_MAX_MESSAGE_BYTES - req.length + 1));
    expect(await s.closed).toEqual({ code: 1009, reason: `message too big: at most ${WS_MAX_MESSAGE_BYTES} bytes per message` });
    // The host is still there for the next page.
    const next = await openAuthed(host.port, host.token);
    expect((await request(next, 1, 'services:list', {})).result.ok).toBe(true);
    next.ws.close();
  });

  it('closes on a text frame that is not UTF-8 with 1007 and a reason', async () => {
    const s = await openAuthed(host.port, host.token);
    s.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await s.closed).toEqual({ code: 1007, reason: 'a text frame must be valid UTF-8' });
  });
});
