/**
 * `timeouts.idleMs` on real sockets through a Workbench: a response body that
 * stalls after its headers is cut after about idleMs and counted as a
 * timeout in the stats the UI gets; a slow but steady body is not; idleMs 0
 * never cuts; a WebSocket tunnel with no byte either way for idleMs is closed
 * and counted, one with traffic (either way) stays open.
 *
 * Tolerances: a cut comes no earlier than idleMs - 50 ms (as the client sees
 * it: the proxy's clock starts a little before the client's) and no later
 * than idleMs + 1000 ms (timer slack on a busy 2-core machine). Steady
 * traffic comes every idleMs / 3, leaving two thirds of idleMs for jitter.
 */
import http from 'node:http';
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startHttpBackend } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { sleep, waitFor } from '../../helpers/wait';
import { SERVICE, startWorkbenchService } from './workbench-service';

const cleanup = useCleanup();

const IDLE_MS = 300;
const LATE_MARGIN_MS = 1000;
const EARLY_MARGIN_MS = 50;

interface BodyRead {
  status: number;
  body: string;
  complete: boolean;
  /** From the first body byte to the end (or the cut), ms. */
  sinceFirstByteMs: number;
}

/** GETs `/` and reads the body to its end or until the connection is cut. */
function readBody(port: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      let first: number | undefined;
      res.on('data', (c: Buffer) => {
        first ??= performance.now();
        body += c.toString();
      });
      res.on('error', () => {});
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, body, complete: res.complete, sinceFirstByteMs: first === undefined ? -1 : performance.now() - first }),
      );
    });
    req.on('error', reject);
  });
}

/** A backend that sends its head and `part`, then nothing; notes when the proxy drops its side. */
async function stallingBackend(framing: 'chunked' | 'content-length') {
  const state = { upstreamClosed: false };
  const b = cleanup.track(
    await startHttpBackend({
      name: 'stall',
      handler: (_req, res) => {
        res.writeHead(200, framing === 'chunked' ? { 'content-type': 'text/plain' } : { 'content-type': 'text/plain', 'content-length': 1000 });
        res.write('part-1;');
        res.on('close', () => (state.upstreamClosed = true));
      },
    }),
  );
  return { b, state };
}

describe('timeouts.idleMs: HTTP response bodies', () => {
  for (const framing of ['chunked', 'content-length'] as const) {
    it(`a ${framing} body that stalls after its first bytes is cut after ~idleMs, counted as a timeout`, async () => {
      const { b, state } = await stallingBackend(framing);
      const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'stall' }], timeouts: { idleMs: IDLE_MS } });

      const r = await readBody(s.port);
      expect(r.status).toBe(200);
      expect(r.body).toBe('part-1;');
      expect(r.complete).toBe(false);
      expect(r.sinceFirstByteMs).toBeGreaterThanOrEqual(IDLE_MS - EARLY_MARGIN_MS);
      expect(r.sinceFirstByteMs).toBeLessThan(IDLE_MS + LATE_MARGIN_MS);
      // The upstream side is closed too, not left hanging on the backend.
      await waitFor(() => state.upstreamClosed, { message: 'the backend saw its response closed' });

      const t = await s.waitTotals((x) => x.requests === 1, 'the cut request counted');
      expect(t.errors).toEqual({ refused: 0, reset: 0, timeout: 1, tls: 0, other: 0 });
      expect(s.backendTotals('stall').errors.timeout).toBe(1);
      expect(s.latestBackend('stall')?.lastError?.code).toBe('LB_UPSTREAM_TIMEOUT');
    });
  }

  it('a slow but steady body (a chunk every idleMs / 3, for 4 × idleMs) is not cut', async () => {
    const idleMs = 600;
    const chunks = 12;
    const b = cleanup.track(
      await startHttpBackend({
        name: 'steady',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          let n = 0;
          const timer = setInterval(() => {
            res.write(`c${n};`);
            if (++n === chunks) {
              clearInterval(timer);
              res.end();
            }
          }, idleMs / 3);
          res.on('close', () => clearInterval(timer));
        },
      }),
    );
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'steady' }], timeouts: { idleMs } });

    const r = await readBody(s.port);
    expect(r.complete).toBe(true);
    expect(r.body).toBe(Array.from({ length: chunks }, (_, i) => `c${i};`).join(''));
    const t = await s.waitTotals((x) => x.requests === 1, 'the request counted');
    expect(t.errors.timeout).toBe(0);
    expect(t.status['2xx']).toBe(1);
  });

  it('idleMs 0 never cuts: a body that stalls 5 × 300 ms mid-way arrives whole', async () => {
    const b = cleanup.track(
      await startHttpBackend({
        name: 'pause',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('before;');
          const timer = setTimeout(() => res.end('after'), 5 * IDLE_MS);
          res.on('close', () => clearTimeout(timer));
        },
      }),
    );
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'pause' }], timeouts: { idleMs: 0 } });
    const r = await readBody(s.port);
    expect(r).toMatchObject({ status: 200, body: 'before;after', complete: true });
    const t = await s.waitTotals((x) => x.requests === 1, 'the request counted');
    expect(t.errors.timeout).toBe(0);
  });

  it('a client that stops reading for a while is not the backend\'s timeout: a backend that sent its whole body is not charged', async () => {
    // 8 MB written at once: more than the socket buffers hold, so the proxy must wait on the client, not the backend.
    const size = 8 * 1024 * 1024;
    let backendFinished = false;
    const b = cleanup.track(
      await startHttpBackend({
        name: 'big',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
          res.end(Buffer.alloc(size, 97), () => (backendFinished = true));
        },
      }),
    );
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'big' }], timeouts: { idleMs: IDLE_MS } });
    const read = await new Promise<{ bytes: number; complete: boolean }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: s.port, path: '/', agent: false }, (res) => {
          let bytes = 0;
          let paused = false;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (paused) return;
            paused = true;
            res.pause(); // a slow client: it reads on after 3 × idleMs
            setTimeout(() => res.resume(), 3 * IDLE_MS);
          });
          res.on('error', () => {});
          res.on('close', () => resolve({ bytes, complete: res.complete }));
        })
        .on('error', reject);
    });
    await waitFor(() => backendFinished, { message: 'the backend wrote its whole body' });
    await s.waitTotals((x) => x.requests === 1, 'the request counted');
    // Whatever the proxy does with a slow client, the backend did nothing wrong: no timeout, no error to its name.
    expect(s.backendTotals('big').errors).toEqual({ refused: 0, reset: 0, timeout: 0, tls: 0, other: 0 });
    expect(s.latestBackend('big')?.lastError).toBeNull();
    expect(read.bytes).toBeGreaterThan(0);
  });

  it('idleMs set live from 0 to 300 with services:update: the next stalled body is cut', async () => {
    const { b } = await stallingBackend('chunked');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'stall' }], timeouts: { idleMs: 0 } });
    const updated = await s.invoke('services:update', { service: SERVICE, patch: { timeouts: { idleMs: IDLE_MS } } });
    expect(updated.ok).toBe(true);
    const r = await readBody(s.port);
    expect(r.complete).toBe(false);
    expect(r.sinceFirstByteMs).toBeLessThan(IDLE_MS + LATE_MARGIN_MS);
    await s.waitTotals((x) => x.errors.timeout === 1, 'the cut counted as a timeout');
  });
});

interface WsBackend {
  url: string;
  /** Server-side sockets closed so far. */
  closed: number;
}

/** A WebSocket backend; it echoes each message unless `onConnection` says otherwise. */
async function wsBackend(onConnection?: (ws: WebSocket) => void): Promise<WsBackend> {
  const server = http.createServer((_req, res) => res.end('plain http'));
  const wss = new WebSocketServer({ server });
  const state = { url: '', closed: 0 };
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('close', () => state.closed++);
    if (onConnection) onConnection(ws);
    else ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  cleanup.defer(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(() => r(undefined)));
    server.closeAllConnections();
    await new Promise((r) => server.close(() => r(undefined)));
  });
  return state;
}

function openWs(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    cleanup.defer(() => ws.terminate());
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(String(d))));
}

describe('timeouts.idleMs: WebSocket tunnels', () => {
  it('a tunnel idle for idleMs is closed (both sides) and counted as a timeout', async () => {
    const be = await wsBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: be.url, name: 'ws' }], timeouts: { idleMs: IDLE_MS } });
    const ws = await openWs(s.port);
    ws.on('error', () => {});
    const closed = new Promise<number>((resolve) => ws.once('close', () => resolve(performance.now())));
    const echo = nextMessage(ws);
    ws.send('hello');
    expect(await echo).toBe('hello');
    const lastTraffic = performance.now();

    const closedAt = await closed;
    expect(closedAt - lastTraffic).toBeGreaterThanOrEqual(IDLE_MS - EARLY_MARGIN_MS);
    expect(closedAt - lastTraffic).toBeLessThan(IDLE_MS + LATE_MARGIN_MS);
    await waitFor(() => be.closed === 1, { message: 'the backend side of the tunnel closed' });
    const t = await s.waitTotals((x) => x.errors.timeout === 1, 'the idle tunnel counted as a timeout');
    expect(t.errors).toEqual({ refused: 0, reset: 0, timeout: 1, tls: 0, other: 0 });
    expect(s.backendTotals('ws').errors.timeout).toBe(1);
  });

  it('a tunnel with an echo every idleMs / 3 stays open for 5 × idleMs', async () => {
    const be = await wsBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: be.url, name: 'ws' }], timeouts: { idleMs: IDLE_MS } });
    const ws = await openWs(s.port);
    let closed = false;
    ws.on('close', () => (closed = true));
    // 16 round trips idleMs / 3 apart: at least 5 × idleMs in all.
    const started = performance.now();
    for (let i = 0; i < 16 && !closed; i++) {
      const echo = nextMessage(ws);
      ws.send(`m${i}`);
      // A slow echo is the machine's load, not the property under test: only the tunnel's staying open is.
      expect(await Promise.race([echo, sleep(5000).then(() => 'no echo')])).toBe(`m${i}`);
      await sleep(IDLE_MS / 3);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * IDLE_MS);
    expect(closed).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    await waitFor(() => be.closed === 1);
    expect(s.serviceTotals().errors.timeout).toBe(0);
  });

  it('traffic one way only (the backend pushes every idleMs / 3, the client is silent) keeps the tunnel open', async () => {
    const be = await wsBackend((ws) => {
      const timer = setInterval(() => ws.send('tick'), IDLE_MS / 3);
      ws.on('close', () => clearInterval(timer));
    });
    const s = await startWorkbenchService(cleanup, { backends: [{ url: be.url, name: 'ws' }], timeouts: { idleMs: IDLE_MS } });
    const ws = await openWs(s.port);
    let ticks = 0;
    let closed = false;
    ws.on('message', () => ticks++);
    ws.on('close', () => (closed = true));
    await sleep(5 * IDLE_MS); // the span over which the tunnel must stay open (the property under test)
    expect(closed).toBe(false);
    expect(ticks).toBeGreaterThanOrEqual(8);
    ws.close();
    await waitFor(() => be.closed === 1);
    expect(s.serviceTotals().errors.timeout).toBe(0);
  });
});
