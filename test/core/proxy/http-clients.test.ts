/**
 * What the proxy does with clients that misbehave or ask odd things, on real
 * sockets through a Workbench: `timeouts.clientHeadersMs` against a client
 * that dribbles its request head (slowloris), `limits.maxHeaderBytes` and its
 * live change, and the requests the proxy answers itself (CONNECT, `OPTIONS *`,
 * any other method on `*`).
 *
 * Also: h2c (non-WebSocket) upgrade offers served as plain requests on a
 * kept-alive connection.
 *
 * Tolerances: Node looks for slow heads every 500 ms, so a 408 comes between
 * clientHeadersMs - 50 ms and clientHeadersMs + 1000 ms after the first byte.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHttpBackend, type HttpBackend } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { send } from '../../helpers/http-client';
import { sleep } from '../../helpers/wait';
import { countConnections } from './helpers';
import { RawSocket, statusLines } from './raw-socket';
import { SERVICE, startWorkbenchService } from './workbench-service';

const cleanup = useCleanup();

/** Answers with the request's method, url and headers as JSON. */
function echoHeaders(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
}

async function echoBackend(): Promise<HttpBackend> {
  const b = cleanup.track(await startHttpBackend({ name: 'echo', handler: echoHeaders }));
  // The backend itself takes big heads, so what is measured is the proxy's limit.
  (b.server as http.Server & { maxHeaderSize: number }).maxHeaderSize = 256 * 1024;
  return b;
}

function rawOpen(port: number): Promise<RawSocket> {
  return RawSocket.open(port).then((s) => {
    cleanup.defer(() => s.close());
    return s;
  });
}

const SLOW_HEAD = `GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'s'.repeat(60)}\r\n\r\n`;

/**
 * Writes `head` one byte every `everyMs` until the proxy answers or closes.
 * Resolves with what came back and how long after the first byte the connection closed.
 */
async function dribble(sock: RawSocket, head: string, everyMs: number): Promise<{ text: string; closedAfterMs: number; bytesSent: number }> {
  const started = performance.now();
  let sent = 0;
  while (sent < head.length && !sock.closed && sock.text === '') {
    await sock.write(head[sent]!);
    sent++;
    await sock.until((t) => t !== '', everyMs); // paces the dribble, but wakes at once on an answer or a close
  }
  await sock.untilClosed(3000);
  return { text: sock.text, closedAfterMs: (sock.closedAt ?? performance.now()) - started, bytesSent: sent };
}

describe('timeouts.clientHeadersMs: slow request heads', () => {
  it('a client dribbling its head 1 byte / 200 ms is answered 408 within clientHeadersMs + 1 s; the backend never sees it; a normal client is unaffected', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }], timeouts: { clientHeadersMs: 1000 } });

    const slow = await rawOpen(s.port);
    const normal: number[] = [];
    let dribbling = true;
    const load = (async () => {
      while (dribbling) {
        normal.push((await send(s.port, { path: '/normal' })).status);
        await sleep(50); // a steady client, not a flood
      }
    })();
    const r = await dribble(slow, SLOW_HEAD, 200);
    dribbling = false;
    await load;

    expect(r.bytesSent).toBeLessThan(SLOW_HEAD.length); // never finished its head
    expect(statusLines(r.text)).toEqual([408]);
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(1000 - 50);
    expect(r.closedAfterMs).toBeLessThan(1000 + 1000);
    expect(b.requests.filter((q) => q.url === '/slow')).toEqual([]);
    expect(normal.length).toBeGreaterThan(5);
    expect(normal.filter((st) => st !== 200)).toEqual([]);
  });

  it('the second request on a keep-alive connection, dribbled, gets 408 too', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }], timeouts: { clientHeadersMs: 1000 } });
    const sock = await rawOpen(s.port);
    await sock.write('GET /first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await sock.until((t) => t.includes('"url":"/first"'))).toBe(true);
    const before = sock.text.length;
    const started = performance.now();
    for (let i = 0; i < SLOW_HEAD.length && !sock.closed && sock.text.length === before; i++) {
      await sock.write(SLOW_HEAD[i]!);
      await sock.until((t) => t.length > before, 200);
    }
    await sock.untilClosed(3000);
    expect(statusLines(sock.text)).toEqual([200, 408]);
    expect((sock.closedAt ?? performance.now()) - started).toBeLessThan(1000 + 1000);
    expect(b.requests.map((q) => q.url)).toEqual(['/first']);
  });

  it('clientHeadersMs lowered live (10 s → 1 s) applies to the next slow client', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }] });
    const updated = await s.invoke('services:update', { service: SERVICE, patch: { timeouts: { clientHeadersMs: 1000 } } });
    expect(updated.ok).toBe(true);
    const r = await dribble(await rawOpen(s.port), SLOW_HEAD, 200);
    expect(statusLines(r.text)).toEqual([408]);
    expect(r.closedAfterMs).toBeLessThan(1000 + 1000);
    expect(b.hits).toBe(0);
  });
});

/** `count` headers of 1 KiB each: x-big-0 ... */
function bigHeaders(count: number): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i < count; i++) h[`x-big-${i}`] = `${i}:`.padEnd(1024, String.fromCharCode(97 + (i % 26)));
  return h;
}

describe('limits.maxHeaderBytes', () => {
  it('20 KiB of headers: 431 by default; 200 with every header intact after services:update to 64 KiB; lowered again, 431', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }] });
    const headers = bigHeaders(20);

    const refused = await send(s.port, { path: '/big', headers });
    expect(refused.status).toBe(431);
    expect(b.hits).toBe(0);

    const up = await s.invoke('services:update', { service: SERVICE, patch: { limits: { maxHeaderBytes: 65536 } } });
    expect(up.ok).toBe(true);
    const passed = await send(s.port, { path: '/big', headers });
    expect(passed.status).toBe(200);
    const seen = JSON.parse(passed.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/big');
    for (const [name, value] of Object.entries(headers)) expect(seen.headers[name], name).toBe(value);

    const down = await s.invoke('services:update', { service: SERVICE, patch: { limits: { maxHeaderBytes: 8192 } } });
    expect(down.ok).toBe(true);
    expect((await send(s.port, { path: '/big', headers: bigHeaders(10) })).status).toBe(431);
    expect(b.hits).toBe(1);
  });

  it('with maxHeaderBytes 64 KiB, a backend answer with a 20 KiB head reaches the client (the limit covers response heads too)', async () => {
    const big = bigHeaders(20);
    const b = cleanup.track(
      await startHttpBackend({
        name: 'bighead',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain', ...big });
          res.end('ok');
        },
      }),
    );
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'bighead' }], limits: { maxHeaderBytes: 65536 }, retries: { attempts: 1 } });
    // The test's own client must accept a 20 KiB head too (Node's default is 16 KiB).
    const r = await getWithHeadLimit(s.port, 65536);
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(r.headers['x-big-19']).toBe(big['x-big-19']);

    // Lowered to 16 KiB, the same answer is too large: a 502 that says why, never a hang.
    expect((await s.invoke('services:update', { service: SERVICE, patch: { limits: { maxHeaderBytes: 16384 } } })).ok).toBe(true);
    const refused = await getWithHeadLimit(s.port, 65536);
    expect(refused.status).toBe(502);
    expect(refused.body).toContain('response head larger than limits.maxHeaderBytes');
  });

  it('over 256 KiB is refused (services:update: INPUT_INVALID, workspace:replace: CONFIG_INVALID) and the running limit stays', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }], limits: { maxHeaderBytes: 65536 } });

    const viaUpdate = await s.invoke('services:update', { service: SERVICE, patch: { limits: { maxHeaderBytes: 256 * 1024 + 1 } } });
    expect(viaUpdate.ok).toBe(false);
    if (!viaUpdate.ok) {
      expect(viaUpdate.error.code).toBe('INPUT_INVALID');
      expect(viaUpdate.error.message).toContain('maxHeaderBytes');
    }
    const ws = s.wb.getWorkspace();
    ws.services[0]!.limits.maxHeaderBytes = 1024 * 1024;
    const viaReplace = await s.invoke('workspace:replace', { workspace: ws });
    expect(viaReplace.ok).toBe(false);
    if (!viaReplace.ok) {
      expect(viaReplace.error.code).toBe('CONFIG_INVALID');
      expect(viaReplace.error.message).toContain('maxHeaderBytes');
    }

    expect(s.wb.getWorkspace().services[0]!.limits.maxHeaderBytes).toBe(65536);
    expect((await send(s.port, { path: '/big', headers: bigHeaders(20) })).status).toBe(200);
    expect((await send(s.port, { path: '/big', headers: bigHeaders(70) })).status).toBe(431);
  });
});

describe('requests the proxy answers itself', () => {
  it('CONNECT gets 405 with Allow and the connection closes; no tunnel is opened to the named backend', async () => {
    const b = await echoBackend();
    const accepted = countConnections(b.server);
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }] });
    const sock = await rawOpen(s.port);
    await sock.write(`CONNECT 127.0.0.1:${b.port} HTTP/1.1\r\nHost: 127.0.0.1:${b.port}\r\n\r\n`);
    expect(await sock.untilClosed()).toBe(true);
    expect(statusLines(sock.text)).toEqual([405]);
    expect(sock.text).toMatch(/\r\nAllow: [^\r\n]*GET/i);
    // Nothing after the 405 answer's body: a tunnel would have let bytes through.
    expect(await sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(false);
    expect(accepted.count).toBe(0);
    expect(b.hits).toBe(0);
  });

  it('OPTIONS * gets 200 with Allow from the proxy, nothing at the backend; the connection then serves the next request', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }] });
    const sock = await rawOpen(s.port);
    // With a body, and the next request pipelined behind it.
    await sock.write('OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhelloGET /after HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await sock.until((t) => t.includes('"url":"/after"'))).toBe(true);
    expect(statusLines(sock.text)).toEqual([200, 200]);
    const first = sock.text.slice(0, sock.text.indexOf('\r\n\r\n'));
    expect(first).toMatch(/\r\nAllow: [^\r\n]*OPTIONS/i);
    expect(b.requests.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /after']);
  });

  it('GET * is a 400 from the proxy; the backend sees nothing', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }] });
    const sock = await rawOpen(s.port);
    await sock.write('GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await sock.until((t) => /\r\n\r\n/.test(t))).toBe(true);
    expect(statusLines(sock.text)).toEqual([400]);
    expect(b.hits).toBe(0);
  });
});

const H2C_OFFER = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n';

describe('upgrade offers that are not WebSocket: served as HTTP/1.1', () => {
  it('an h2c offer with a request pipelined behind it in the same packet, then another offer on the same connection: three answers in order', async () => {
    const b = await echoBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'echo' }] });
    const sock = await rawOpen(s.port);
    await sock.write(`GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C_OFFER}\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(await sock.until((t) => t.includes('"url":"/b"'))).toBe(true);
    await sock.write(`GET /c HTTP/1.1\r\nHost: 127.0.0.1\r\n${H2C_OFFER}\r\n`);
    expect(await sock.until((t) => t.includes('"url":"/c"'))).toBe(true);
    expect(statusLines(sock.text)).toEqual([200, 200, 200]);
    expect(sock.text).not.toMatch(/101 Switching/);
    expect(b.requests.map((q) => q.url)).toEqual(['/a', '/b', '/c']);
    for (const q of b.requests) {
      expect(q.headers.upgrade).toBeUndefined();
      expect(q.headers['http2-settings']).toBeUndefined();
    }
  });

  it('an h2c offer on a POST whose body comes in a later packet: the body arrives whole', async () => {
    const received: string[] = [];
    const b = cleanup.track(
      await startHttpBackend({
        name: 'body',
        handler: (req, res) => {
          let body = '';
          req.on('data', (c: Buffer) => (body += c));
          req.on('end', () => {
            received.push(body);
            res.end(`got:${body}`);
          });
        },
      }),
    );
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'body' }] });
    const sock = await rawOpen(s.port);
    await sock.write(`POST /p HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 11\r\n${H2C_OFFER}\r\nhello`);
    await sock.until(() => false, 100); // the rest of the body comes later, in its own packet
    await sock.write(' world');
    expect(await sock.until((t) => t.includes('got:hello world'))).toBe(true);
    expect(statusLines(sock.text)).toEqual([200]);
    expect(received).toEqual(['hello world']);
  });
});

/** A GET whose client accepts response heads up to `maxHeaderSize` bytes. */
function getWithHeadLimit(port: number, maxHeaderSize: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', agent: false, maxHeaderSize }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
