/**
 * Real curl in front of the proxy (a Workbench service) and real backends:
 * `curl --http2` on plain http (an h2c upgrade offer on every request, GET and
 * POST) served as HTTP/1.1 on a kept-alive connection; `curl -I`;
 * `Expect: 100-continue` uploads of 3 MB to a backend that refuses unread
 * (the client must see the 413 before uploading), to one that reads (the
 * body must arrive intact, after a 100 relayed from the backend), to one that
 * never says 100 (the proxy's own short wait), and through a retry after a
 * refused first backend (the body arrives once).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startHttpBackend, type HttpBackend } from '../../helpers/backends';
import { digestBody } from '../../helpers/body';
import { useCleanup } from '../../helpers/cleanup';
import { startWorkbenchService } from './workbench-service';

const CURL = '/usr/bin/curl';
const cleanup = useCleanup();

interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(CURL, ['-sS', ...args], { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const UPLOAD_BYTES = 3 * 1024 * 1024;
let dir = '';
let uploadPath = '';
let uploadSha = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-curl-'));
  const data = randomBytes(UPLOAD_BYTES);
  uploadPath = join(dir, 'upload.bin');
  uploadSha = createHash('sha256').update(data).digest('hex');
  await writeFile(uploadPath, data);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The Content-Length a HEAD is answered with. */
const HEAD_LENGTH = 11;

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  sha: string;
}

/** Reads each request's body whole and answers with its size and sha256 as JSON; keeps what it received. */
async function hashingBackend(name: string): Promise<HttpBackend & { received: Received[] }> {
  const received: Received[] = [];
  const b = cleanup.track(
    await startHttpBackend({
      name,
      handler: (req, res) => {
        digestBody(req, ({ bytes, sha }) => {
          const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes, sha };
          received.push(r);
          if (req.method === 'HEAD') {
            // The length a GET would have had, with no body.
            res.writeHead(200, { 'content-type': 'text/plain', 'content-length': HEAD_LENGTH });
            res.end();
            return;
          }
          const body = `${name}:${req.url}:${bytes}:${r.sha}`;
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      },
    }),
  );
  return Object.assign(b, { received });
}

describe.skipIf(!existsSync(CURL))('real clients: curl', () => {
  it('curl --http2 on http:// (h2c offered): two GETs on one connection served as HTTP/1.1, the upgrade offer not forwarded', async () => {
    const b = await hashingBackend('h1');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'h1' }] });
    const base = `http://127.0.0.1:${s.port}`;
    const r = await curl(['--http2', '-w', '|%{http_code} %{http_version} %{num_connects}\n', `${base}/a`, `${base}/b`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([`h1:/a:0:${sha('')}|200 1.1 1`, `h1:/b:0:${sha('')}|200 1.1 0`]);
    expect(b.received.map((q) => q.url)).toEqual(['/a', '/b']);
    for (const q of b.received) {
      expect(q.headers.upgrade).toBeUndefined();
      expect(q.headers['http2-settings']).toBeUndefined();
      expect(String(q.headers.connection ?? '')).not.toMatch(/upgrade|http2-settings/i);
    }
  });

  it('curl --http2 POST (h2c offered with a body): the body arrives intact', async () => {
    const b = await hashingBackend('h1');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'h1' }] });
    const r = await curl(['--http2', '--data-binary', 'hello h2c body', '-w', '|%{http_code} %{http_version}', `http://127.0.0.1:${s.port}/post`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`h1:/post:14:${sha('hello h2c body')}|200 1.1`);
    expect(b.received).toHaveLength(1);
    expect(b.received[0]!.headers.upgrade).toBeUndefined();
  });

  it('curl --http2 with a 3 MB upload (h2c offered and Expect: 100-continue): 200 and the bytes arrive intact', async () => {
    const b = await hashingBackend('h1');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'h1' }] });
    const r = await curl(['--http2', '-H', 'Expect: 100-continue', '--data-binary', `@${uploadPath}`, '-w', '|%{http_code} %{size_upload}', `http://127.0.0.1:${s.port}/big`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`h1:/big:${UPLOAD_BYTES}:${uploadSha}|200 ${UPLOAD_BYTES}`);
    expect(b.received).toHaveLength(1);
  });

  it('curl -I: a HEAD answer with the backend\'s Content-Length and no body; curl exits cleanly', async () => {
    const b = await hashingBackend('h1');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'h1' }] });
    const r = await curl(['-I', `http://127.0.0.1:${s.port}/head`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.stdout).toMatch(new RegExp(`\r\ncontent-length: ${HEAD_LENGTH}\r\n`, 'i'));
    expect(r.stdout.endsWith('\r\n\r\n')).toBe(true);
    expect(b.received.map((q) => `${q.method} ${q.url}`)).toEqual(['HEAD /head']);
  });

  it('Expect: 100-continue, 3 MB, to a backend that answers 413 unread: curl sees the 413 having uploaded (almost) nothing', async () => {
    let rawBytes = 0;
    const expects: unknown[] = [];
    const b = cleanup.track(await startHttpBackend({ name: 'small' }));
    b.server.on('connection', (sock) => sock.on('data', (d: Buffer) => (rawBytes += d.length)));
    // As nginx with client_max_body_size does: a final answer instead of 100 Continue.
    b.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      expects.push(req.headers.expect);
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      res.end('too large\n');
    });
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'small' }] });
    const started = performance.now();
    const r = await curl(['-H', 'Expect: 100-continue', '--data-binary', `@${uploadPath}`, '-w', '|%{http_code} %{size_upload}', `http://127.0.0.1:${s.port}/up`]);
    const elapsed = performance.now() - started;
    expect(r.code).toBe(0);
    const [body, tail] = r.stdout.split('|');
    expect(body).toBe('too large\n');
    const [status, uploaded] = tail!.split(' ').map(Number);
    expect(status).toBe(413);
    // Exactly 0 when the 413 comes before curl's own 1 s wait for a 100; 64 KiB leaves room for a slow machine, 3 MB is the bug.
    expect(uploaded).toBeLessThan(64 * 1024);
    expect(rawBytes).toBeLessThan(64 * 1024);
    expect(expects).toEqual(['100-continue']);
    // curl waits up to 1 s for a 100 before uploading anyway; the 413 should end it well before that.
    expect(elapsed).toBeLessThan(3000);
  });

  it('Expect: 100-continue, 3 MB, to a backend that reads: 200, the 100 relayed from the backend, the bytes intact', async () => {
    const b = await hashingBackend('reader');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'reader' }] });
    const r = await curl(['-v', '-H', 'Expect: 100-continue', '--data-binary', `@${uploadPath}`, '-w', '|%{http_code} %{size_upload}', `http://127.0.0.1:${s.port}/up`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`reader:/up:${UPLOAD_BYTES}:${uploadSha}|200 ${UPLOAD_BYTES}`);
    expect(r.stderr).toMatch(/< HTTP\/1\.1 100 Continue/);
    expect(b.received).toHaveLength(1);
    // The backend was asked for a 100 itself (Node's server answers it), so it could have refused.
    expect(b.received[0]!.headers.expect).toBe('100-continue');
  });

  it('Expect: 100-continue to a backend that never says 100 but reads: after the proxy\'s short wait the body goes, 200, bytes intact', async () => {
    const b = await hashingBackend('silent');
    // Taking the event stops Node's automatic 100: the backend just reads.
    b.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => b.server.emit('request', req, res));
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'silent' }] });
    const r = await curl(['-H', 'Expect: 100-continue', '--data-binary', `@${uploadPath}`, '-w', '|%{http_code} %{size_upload}', `http://127.0.0.1:${s.port}/up`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`silent:/up:${UPLOAD_BYTES}:${uploadSha}|200 ${UPLOAD_BYTES}`);
    expect(b.received).toHaveLength(1);
  });

  it('Expect: 100-continue where the first backend refuses the connection: retried on the second, 200, each body arrives once and intact', async () => {
    const dead = await closedPort();
    const b = await hashingBackend('good');
    const s = await startWorkbenchService(cleanup, {
      strategy: 'round-robin',
      backends: [
        { url: `http://127.0.0.1:${dead}`, name: 'dead' },
        { url: b.url, name: 'good' },
      ],
    });
    // Two requests: round-robin sends one of them to the dead backend first.
    for (const path of ['/one', '/two']) {
      const r = await curl(['-H', 'Expect: 100-continue', '--data-binary', `@${uploadPath}`, '-w', '|%{http_code} %{size_upload}', `http://127.0.0.1:${s.port}${path}`]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`good:${path}:${UPLOAD_BYTES}:${uploadSha}|200 ${UPLOAD_BYTES}`);
    }
    expect(b.received.map((q) => [q.url, q.bytes, q.sha])).toEqual([
      ['/one', UPLOAD_BYTES, uploadSha],
      ['/two', UPLOAD_BYTES, uploadSha],
    ]);
    // Both answered 200 in the stats, and one of them had first been refused by the dead backend.
    await s.waitTotals((t) => t.status['2xx'] === 2 && s.backendTotals('dead').errors.refused >= 1, 'two 200s, the dead backend tried');
  });
});

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
