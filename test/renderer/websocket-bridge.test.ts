// @vitest-environment node
/**
 * The WebSocket bridge against a real `ws` server on loopback: the token in
 * the first frame, request/reply matching, pushes, disconnect handling and
 * reconnection, and a refused token.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Push } from '../../core/contract';
import { decodeAuthMessage, decodeClientMessage, WS_CLOSE_UNAUTHORIZED, type ServerMessage } from '../../core/contract/wire';
import { createWebSocketBridge, websocketUrl, type WebSocketBridge } from '../../renderer/bridge/websocket';

let server: WebSocketServer;
let url: string;
let bridge: WebSocketBridge | undefined;
const requests: { url: string | undefined; id: number | null; name?: string; input?: unknown }[] = [];
/** The first frame of every socket: the token the bridge presented. */
const auths: (string | undefined)[] = [];

const send = (ws: WebSocket, msg: ServerMessage | string) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));

beforeEach(async () => {
  requests.length = 0;
  auths.length = 0;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  server.on('connection', (ws, req) => {
    let authed = false;
    ws.on('message', (data) => {
      if (!authed) {
        // As lbw serve does: the token first, then requests.
        const token = decodeAuthMessage(String(data));
        auths.push(token);
        if (token !== 't0k') return ws.close(WS_CLOSE_UNAUTHORIZED, 'unauthorized: wrong token');
        authed = true;
        return send(ws, { auth: 'ok' });
      }
      const msg = decodeClientMessage(String(data));
      if ('error' in msg) {
        requests.push({ url: req.url, id: msg.id });
        return;
      }
      requests.push({ url: req.url, ...msg });
      if (msg.name === 'services:list') send(ws, { id: msg.id, result: { ok: true, value: [] } });
      if (msg.name === 'strategies:list') {
        // Noise first: the bridge must skip frames that are not its replies.
        send(ws, 'not json');
        send(ws, { id: 9999, result: { ok: true, value: 'stray' } });
        send(ws, JSON.stringify({ push: { channel: 'nope' } }));
        send(ws, { id: msg.id, result: { ok: false, error: { code: 'NOT_FOUND', message: 'none' } } });
      }
      // 'stats:history' is never answered: it stays pending.
    });
  });
});

afterEach(async () => {
  bridge?.close();
  bridge = undefined;
  for (const c of server.clients) c.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function connect(): Promise<WebSocketBridge> {
  const b = createWebSocketBridge({ url, token: 't0k', WebSocket, initialDelayMs: 20, maxDelayMs: 100 });
  bridge = b;
  return new Promise((resolve) => {
    const off = b.onConnection((up) => {
      if (up) {
        queueMicrotask(() => off());
        resolve(b);
      }
    });
  });
}

function nextConnection(b: WebSocketBridge, want: boolean): Promise<void> {
  return new Promise((resolve) => {
    let first = true;
    const off = b.onConnection((up) => {
      if (first) {
        first = false;
        if (up === want) return; // current state; wait for a change back to it
      }
      if (up === want) {
        queueMicrotask(() => off());
        resolve();
      }
    });
  });
}

describe('websocketUrl', () => {
  it('derives ws(s)://host/ws from the page location, with no token in it', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:7070' })).toBe('ws://127.0.0.1:7070/ws');
    expect(websocketUrl({ protocol: 'https:', host: 'h:1' })).toBe('wss://h:1/ws');
  });
});

describe('WebSocket bridge', () => {
  it('presents the token in the first frame, then matches replies to requests by id', async () => {
    const b = await connect();
    const [list, strategies] = await Promise.all([b.invoke('services:list', {}), b.invoke('strategies:list', {})]);
    expect(list).toEqual({ ok: true, value: [] });
    expect(strategies).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'none' } });
    expect(requests.map((r) => [r.name, r.input, r.url])).toEqual([
      ['services:list', {}, '/ws'],
      ['strategies:list', {}, '/ws'],
    ]);
    expect(auths).toEqual(['t0k']);
    expect(new Set(requests.map((r) => r.id)).size).toBe(2);
  });

  it('delivers pushes to every subscriber until it unsubscribes', async () => {
    const b = await connect();
    const a: Push[] = [];
    const c: Push[] = [];
    b.subscribe((p) => a.push(p));
    const off = b.subscribe((p) => c.push(p));
    const push: Push = { channel: 'event', event: { type: 'config:changed', at: 1, cause: 'test' } };
    for (const ws of server.clients) send(ws, { push });
    await expect.poll(() => a.length).toBe(1);
    expect(a[0]).toEqual(push);
    expect(c).toEqual([push]);
    off();
    for (const ws of server.clients) send(ws, { push });
    await expect.poll(() => a.length).toBe(2);
    expect(c).toHaveLength(1);
  });

  it('fails pending invokes when the socket drops, then reconnects by itself', async () => {
    const b = await connect();
    const states: boolean[] = [];
    b.onConnection((up) => states.push(up));
    const pending = b.invoke('stats:history', {});
    await expect.poll(() => requests.length).toBe(1);
    const down = nextConnection(b, false);
    const up = nextConnection(b, true);
    for (const ws of server.clients) ws.terminate();
    expect(await pending).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'disconnected' } });
    await down;
    expect(await b.invoke('services:list', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'disconnected' } });
    await up;
    expect(states).toEqual([true, false, true]);
    expect(await b.invoke('services:list', {})).toEqual({ ok: true, value: [] });
  });

  it('keeps retrying while the server is away and connects when it is back', async () => {
    const b = await connect();
    const port = (server.address() as AddressInfo).port;
    const down = nextConnection(b, false);
    for (const ws of server.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await down;
    await new Promise((r) => setTimeout(r, 150)); // a few refused attempts
    server = new WebSocketServer({ host: '127.0.0.1', port });
    server.on('connection', (ws) => ws.on('message', (d) => {
      if (decodeAuthMessage(String(d)) !== undefined) return send(ws, { auth: 'ok' });
      const msg = decodeClientMessage(String(d));
      if (!('error' in msg)) send(ws, { id: msg.id, result: { ok: true, value: [] } });
    }));
    await nextConnection(b, true);
    expect(await b.invoke('services:list', {})).toEqual({ ok: true, value: [] });
  });

  it('stops and says so when the host refuses the token', async () => {
    let reason: string | undefined;
    const b = createWebSocketBridge({ url, token: 'stale', WebSocket, initialDelayMs: 20, maxDelayMs: 100, onUnauthorized: (r) => (reason = r) });
    bridge = b;
    await expect.poll(() => reason).toBe('unauthorized: wrong token');
    await new Promise((r) => setTimeout(r, 150)); // no reconnect attempts follow
    expect(auths).toEqual(['stale']);
    expect(await b.invoke('services:list', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'disconnected' } });
  });

  it('stops for good on close()', async () => {
    const b = await connect();
    b.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(server.clients.size).toBe(0);
    expect(await b.invoke('services:list', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'disconnected' } });
  });
});

describe('decodeClientMessage', () => {
  it('accepts a request and reports what is wrong with anything else', () => {
    expect(decodeClientMessage('{"id":1,"name":"services:list","input":{}}')).toEqual({ id: 1, name: 'services:list', input: {} });
    expect(decodeClientMessage('{"id":2,"name":"x"}')).toEqual({ id: 2, name: 'x', input: {} });
    expect(decodeClientMessage('nope')).toEqual({ id: null, error: 'a request must be a JSON object' });
    expect(decodeClientMessage('{"name":"x"}')).toEqual({ id: null, error: 'a request needs a numeric id' });
    expect(decodeClientMessage('{"id":3}')).toEqual({ id: 3, error: 'a request needs a command name' });
  });
});
