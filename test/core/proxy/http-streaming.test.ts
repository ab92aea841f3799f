import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { proxyFixtures } from './helpers';

const { backend, service } = proxyFixtures();

const CHUNK = 64 * 1024;

/** `total` bytes in 64 KiB chunks of a deterministic pattern (chunk index stamped in), made as they are read. */
function* pattern(total: number): Generator<Buffer> {
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) block[i] = (i * 31 + 7) & 0xff;
  for (let sent = 0, n = 0; sent < total; n++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(CHUNK, total - sent)));
    chunk.writeUInt32BE(n, 0);
    sent += chunk.length;
    yield chunk;
  }
}

function sha256Of(total: number): string {
  const h = createHash('sha256');
  for (const c of pattern(total)) h.update(c);
  return h.digest('hex');
}

/** Samples RSS every 20 ms until stopped; returns the peak growth over the starting value. */
function watchRss(): () => number {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) - start;
  };
}

const MB = 1024 * 1024;

describe('HttpService: streaming', () => {
  it('streams a 100 MB upload byte for byte without buffering it', async () => {
    const TOTAL = 100 * MB;
    let received = 0;
    let digest = '';
    const b = await backend({
      handler: (req, res) => {
        const h = createHash('sha256');
        req.on('data', (c: Buffer) => {
          received += c.length;
          h.update(c);
        });
        req.on('end', () => {
          digest = h.digest('hex');
          res.end(digest);
        });
      },
    });
    const s = await service([b.url]);
    const expected = sha256Of(TOTAL);

    global.gc?.();
    const stopRss = watchRss();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/upload', agent: false, headers: { 'content-length': TOTAL } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      pipeline(Readable.from(pattern(TOTAL)), req).catch(reject);
    });
    const growth = stopRss();
    console.log(`RSS growth during the 100 MB upload: ${(growth / MB).toFixed(1)} MB`);

    expect(answer.status).toBe(200);
    expect(received).toBe(TOTAL);
    expect(digest).toBe(expected);
    expect(answer.body).toBe(expected);
    expect(growth).toBeLessThan(60 * MB);
    expect(s.rec.ended[0]).toMatchObject({ status: 200, bytesIn: TOTAL });
  });

  it('streams a 20 MB download byte for byte', async () => {
    const TOTAL = 20 * MB;
    const b = await backend({
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        Readable.from(pattern(TOTAL)).pipe(res);
      },
    });
    const s = await service([b.url]);
    const stopRss = watchRss();
    const got = await new Promise<{ bytes: number; digest: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: s.port, path: '/download', agent: false }, (res) => {
          const h = createHash('sha256');
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            h.update(c);
          });
          res.on('end', () => resolve({ bytes, digest: h.digest('hex') }));
          res.on('error', reject);
        })
        .on('error', reject);
    });
    const growth = stopRss();
    console.log(`RSS growth during the 20 MB download: ${(growth / MB).toFixed(1)} MB`);
    expect(got.bytes).toBe(TOTAL);
    expect(got.digest).toBe(sha256Of(TOTAL));
    expect(s.rec.ended[0]).toMatchObject({ status: 200, bytesOut: TOTAL });
  });
});
