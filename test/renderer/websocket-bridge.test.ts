// @vitest-environment node
/**
 * The WebSocket bridge against a real `ws` server on loopback: request/reply
 * matching, pushes, disconnect handling and reconnection.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Push } from '../../core/contract';
import { decodeClientMessage, type ServerMessage } from '../../core/contract/wire';
import { createWebSocketBridge, websocketUrl, type WebSocketBridge } from '../../renderer/bridge/websocket';

let server: WebSocketServer;
let url: string;
let bridge: WebSocketBridge | undefined;
const requests: { url: string | undefined; id: number | null; name?: string; input?: unknown }[] = [];

const send = (ws: WebSocket, msg: ServerMessage | string) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));

beforeEach(async () => {
  requests.length = 0;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?token=t0k`;
  server.on('connection', (ws, req) => {
    ws.on('message', (data) => {
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
  const b = createWebSocketBridge({ url, WebSocket, initialDelayMs: 20, maxDelayMs: 100 });
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
  it('derives ws(s)://host/ws?token= from the page location', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:7070', search: '?token=abc' })).toBe('ws://127.0.0.1:7070/ws?token=abc');
    expect(websocketUrl({ protocol: 'https:', host: 'h:1', search: '?x=1&token=a%2Bb' })).toBe('wss://h:1/ws?token=a%2Bb');
    expect(websocketUrl({ protocol: 'http:', host: 'h', search: '' })).toBe('ws://h/ws?token=');
  });
});

describe('WebSocket bridge', () => {
  it('matches replies to requests by id and sends the token', async () => {
    const b = await connect();
    const [list, strategies] = await Promise.all([b.invoke('services:list', {}), b.invoke('strategies:list', {})]);
    expect(list).toEqual({ ok: true, value: [] });
    expect(strategies).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'none' } });
    expect(requests.map((r) => [r.name, r.input, r.url])).toEqual([
      ['services:list', {}, '/ws?token=t0k'],
      ['strategies:list', {}, '/ws?token=t0k'],
    ]);
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
      const msg = decodeClientMessage(String(d));
      if (!('error' in msg)) send(ws, { id: msg.id, result: { ok: true, value: [] } });
    }));
    await nextConnection(b, true);
    expect(await b.invoke('services:list', {})).toEqual({ ok: true, value: [] });
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
