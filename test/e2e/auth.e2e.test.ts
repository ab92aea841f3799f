/**
 * Browser mode's token: `/` and the WebSocket upgrade answer 401 without the
 * per-run token or with a wrong one, and work with it. Plain HTTP from the
 * test against the real `lbw serve` process; no browser needed.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUILD_TIMEOUT_MS, E2E_TIMEOUT_MS, ensureRendererBuilt, Stack, startServe, writeWorkspace, type ServeProcess } from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** A WebSocket handshake by hand: the status the server answers (101 when it upgrades). */
function upgrade(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The token with one character changed, same length (so the comparison itself is exercised). */
function wrong(token: string): string {
  return (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
}

describe('the token of lbw serve', () => {
  let serve: ServeProcess;

  it('answers 401 without the token or with a wrong one, 200 with it', async () => {
    serve = await startServe(stack, writeWorkspace(stack, { services: [] }));
    const { port, token } = serve;

    for (const path of ['/', '/index.html', `/?token=`, `/?token=${wrong(token)}`, `/?token=${token.slice(1)}`, `/?tok=${token}`]) {
      const res = await get(port, path);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).not.toMatch(/<html/i);
    }
    // A wrong token in the cookie is no better.
    expect((await get(port, '/', { cookie: `lbw_token=${wrong(token)}` })).status).toBe(401);

    const ok = await get(port, `/?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/html/);
    expect(ok.body).toMatch(/<div id="root">/);
    // The page's own assets then load with the cookie the first answer set.
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe(`lbw_token=${token}`);
    expect((await get(port, '/', { cookie })).status).toBe(200);
  });

  it('refuses the WebSocket upgrade with 401 without the token or with a wrong one, and upgrades with it', async () => {
    serve = await startServe(stack, writeWorkspace(stack, { services: [] }));
    const { port, token } = serve;

    expect(await upgrade(port, '/ws')).toBe(401);
    expect(await upgrade(port, '/ws?token=')).toBe(401);
    expect(await upgrade(port, `/ws?token=${wrong(token)}`)).toBe(401);
    expect(await upgrade(port, `/other?token=${token}`)).toBe(401); // right token, wrong path
    expect(await upgrade(port, `/ws?token=${token}`)).toBe(101);
  });
});
