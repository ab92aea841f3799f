/**
 * The attempt's timeout: one timer, first for the connect, then for the
 * response headers (moved on by each body chunk sent). These cover the ways
 * its deadline moves: later than the timer (re-set for what is left),
 * earlier (re-set at once), and on with an upload.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { send, proxyFixtures } from './helpers';

const { backend, service } = proxyFixtures();

/** Reads the whole body, then answers with its length. */
function bodyLength(req: http.IncomingMessage, res: http.ServerResponse): void {
  let n = 0;
  req.on('data', (c: Buffer) => (n += c.length));
  req.on('end', () => res.end(String(n)));
}

/** A chunked POST that writes `chunks` pieces `everyMs` apart (and then stalls, unless `end`). */
function trickle(port: number, chunks: number, everyMs: number, end: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/up', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let sent = 0;
    const timer = setInterval(() => {
      req.write('0123456789');
      if (++sent < chunks) return;
      clearInterval(timer);
      if (end) req.end();
    }, everyMs);
    req.on('close', () => clearInterval(timer));
  });
}

describe('HttpService: timeouts', () => {
  it('an answer slower than the connect timeout but within the response timeout gets through', async () => {
    const b = await backend({ delayMs: 600 });
    const s = await service([b.url], { timeouts: { connectMs: 150, responseMs: 5000 }, retries: { attempts: 1 } });
    const a = await send(s.port);
    expect(a.status).toBe(200);
    expect(s.rec.attempts.map((x) => x.outcome.error)).toEqual([undefined]);
  });

  it('a response timeout shorter than the connect timeout fires on time', async () => {
    const b = await backend({ handler: () => {} });
    const s = await service([b.url], { timeouts: { connectMs: 5000, responseMs: 200 }, retries: { attempts: 1 } });
    const started = Date.now();
    const a = await send(s.port);
    expect(a.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.rec.attempts.map((x) => x.outcome.error)).toEqual(['timeout']);
  });

  it('an upload that keeps sending outlasts the response timeout; one that stalls gets 504', async () => {
    const b = await backend({ handler: bodyLength });
    const s = await service([b.url], { timeouts: { responseMs: 600 }, retries: { attempts: 1 } });
    const steady = await trickle(s.port, 12, 100, true);
    expect(steady).toEqual({ status: 200, body: '120' });
    const stalled = await trickle(s.port, 2, 50, false);
    expect(stalled.status).toBe(504);
    expect(s.rec.attempts.map((x) => x.outcome.error)).toEqual([undefined, 'timeout']);
  });
});
