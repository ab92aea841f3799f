/**
 * Browser mode's host on loopback: the token guards pages and the WebSocket,
 * the Host and Origin checks refuse other sites, and commands and pushes
 * cross the socket as the contract says.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../cli/browser/host';
import { Workbench } from '../../core/workbench';
import { send } from '../helpers/http-client';
import { waitFor } from '../helpers/wait';

let dir: string;
let host: BrowserHost;
let workbench: Workbench;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-host-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>LB Workbench</title>');
  workbench = new Workbench({ dataPlane: false, workspace: { services: [{ name: 'api', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }] }] } });
  host = await startBrowserHost({ workbench, host: '127.0.0.1', port: 0, staticDir: dir });
});
afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

function upgrade(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('browser mode host', () => {
  it('answers 401 without the token and serves the page with it', async () => {
    expect((await send(host.port, { path: '/' })).status).toBe(401);
    expect((await send(host.port, { path: '/?token=wrong' })).status).toBe(401);
    const ok = await send(host.port, { path: `/?token=${host.token}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('LB Workbench');
    expect(ok.headers['content-security-policy']).toContain("script-src 'self'");
    // The cookie set with the page lets the page's own assets load.
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    expect((await send(host.port, { path: '/index.html', headers: { cookie } })).status).toBe(200);
  });

  it('refuses another Host (DNS rebinding) and paths outside the UI', async () => {
    expect((await send(host.port, { path: `/?token=${host.token}`, headers: { host: `evil.example:${host.port}` } })).status).toBe(403);
    expect((await send(host.port, { path: `/../../etc/passwd?token=${host.token}` })).status).toBe(404);
  });

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    expect(await upgrade('/ws')).toBe(401);
    expect(await upgrade('/ws?token=nope')).toBe(401);
    expect(await upgrade(`/ws?token=${host.token}`, { origin: 'https://evil.example' })).toBe(401);
    expect(await upgrade(`/ws?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` })).toBe(101);
    // A page reopened without ?token= still has the cookie its first load set.
    expect(await upgrade('/ws', { cookie: `lbw_token=${host.token}`, origin: `http://127.0.0.1:${host.port}` })).toBe(101);
    expect(await upgrade('/ws', { cookie: 'lbw_token=nope' })).toBe(401);
  });

  it('carries commands, malformed frames and pushes over the socket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ id: 1, name: 'backends:update', input: { service: 'api', backend: 'a', patch: { weight: 5 } } }));
    ws.send('not json');
    ws.send(JSON.stringify({ id: 2, name: 42 }));
    ws.send(JSON.stringify({ id: 3, name: 'nope:nope', input: {} }));
    await waitFor(() => messages.filter((m) => (m as { id?: number }).id !== undefined).length === 3);
    const byId = (id: number) => messages.find((m) => (m as { id?: number }).id === id) as { result: { ok: boolean; value?: { weight: number }; error?: { code: string } } };
    expect(byId(1).result.ok).toBe(true);
    expect(byId(1).result.value!.weight).toBe(5);
    expect(byId(2).result.error!.code).toBe('INPUT_INVALID');
    expect(byId(3).result.error!.code).toBe('UNKNOWN_COMMAND');
    expect(messages).toContainEqual({ push: expect.objectContaining({ channel: 'event', event: expect.objectContaining({ type: 'config:changed' }) }) });
    workbench.tick();
    await waitFor(() => messages.some((m) => (m as { push?: { channel: string } }).push?.channel === 'stats'));
    expect(messages.some((m) => (m as { push?: { channel: string } }).push?.channel === 'stats')).toBe(true);
    ws.close();
  });
});
