import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { waitFor } from '../../helpers/wait';
import { connectionCount, startService, type TestService } from './helpers';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface WsBackend {
  url: string;
  server: http.Server;
  wss: WebSocketServer;
}

/** A WebSocket backend; by default it echoes every message. */
async function wsBackend(onConnection?: (ws: WebSocket, req: http.IncomingMessage) => void): Promise<WsBackend> {
  const server = http.createServer((_req, res) => res.end('plain http'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    if (onConnection) onConnection(ws, req);
    else ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  cleanup.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(() => r(undefined)));
    server.closeAllConnections();
    await new Promise((r) => server.close(() => r(undefined)));
  });
  return { url: `http://127.0.0.1:${port}`, server, wss };
}

async function service(urls: string[]): Promise<TestService> {
  const s = await startService(urls);
  cleanup.push(() => s.close());
  return s;
}

function open(port: number, path = '/chat'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    cleanup.push(async () => ws.terminate());
  });
}

function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('HttpService: WebSocket', () => {
  it('echoes through the proxy, text and binary', async () => {
    let seenHeaders: http.IncomingHttpHeaders = {};
    const b = await wsBackend((ws, req) => {
      seenHeaders = req.headers;
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
    const s = await service([b.url]);
    const ws = await open(s.port);
    const reply = new Promise<string>((r) => ws.once('message', (d) => r(String(d))));
    ws.send('hello through the proxy');
    expect(await reply).toBe('hello through the proxy');

    const bin = Buffer.from([0, 1, 2, 255]);
    const binReply = new Promise<Buffer>((r) => ws.once('message', (d) => r(d as Buffer)));
    ws.send(bin);
    expect(Buffer.compare(await binReply, bin)).toBe(0);

    expect(seenHeaders['x-forwarded-for']).toBe('127.0.0.1');
    expect(seenHeaders.upgrade).toBe('websocket');
    expect(s.backends[0]!.inFlight).toBe(1);
    expect(s.rec.attempts.map((a) => a.outcome.status)).toEqual([101]);

    ws.close();
    await closed(ws);
    await waitFor(() => s.backends[0]!.inFlight === 0, { message: 'tunnel closed' });
    await waitFor(async () => (await connectionCount(b.server)) === 0, { message: 'backend side closed' });
    await waitFor(() => s.service.socketCounts().client === 0, { message: 'client side closed' });
  });

  it('a backend that errors mid-connection does not crash: both sockets go', async () => {
    const b = await wsBackend((ws) => {
      ws.on('message', () => (ws as unknown as { _socket: net.Socket })._socket.resetAndDestroy());
    });
    const s = await service([b.url]);
    for (let i = 0; i < 3; i++) {
      const ws = await open(s.port);
      ws.on('error', () => {});
      const done = closed(ws);
      ws.send('boom');
      await done;
    }
    await waitFor(() => s.backends[0]!.inFlight === 0, { message: 'tunnels closed' });
    await waitFor(() => s.service.socketCounts().client === 0 && s.service.socketCounts().upstream === 0, { message: 'no sockets left' });
    // Still serving.
    const ws = await open(s.port);
    ws.close();
    await closed(ws);
  });

  it('a client that vanishes closes the backend side', async () => {
    const b = await wsBackend();
    const s = await service([b.url]);
    const ws = await open(s.port);
    await waitFor(async () => (await connectionCount(b.server)) === 1);
    ws.terminate();
    await waitFor(() => s.backends[0]!.inFlight === 0, { message: 'tunnel closed' });
    await waitFor(async () => (await connectionCount(b.server)) === 0, { message: 'backend side closed' });
  });

  it('answers 503 to an upgrade with no backend, and 502 when the backend is down', async () => {
    const none = await service([]);
    const err = await open(none.port).catch((e: Error) => e);
    expect(String(err)).toMatch(/503/);
    expect(none.rec.ended).toEqual([expect.objectContaining({ status: 503, noBackend: true })]);

    const dead = await wsBackend();
    const deadUrl = dead.url;
    await cleanup.pop()!(); // close it now
    const down = await service([deadUrl]);
    const err2 = await open(down.port).catch((e: Error) => e);
    expect(String(err2)).toMatch(/502/);
    expect(down.rec.attempts.map((a) => a.outcome.error)).toEqual(['refused']);
    await waitFor(() => down.backends[0]!.inFlight === 0);
  });
});
