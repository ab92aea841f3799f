import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { type HttpBackend } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { send, proxyFixtures } from './helpers';

const { backend, service, defer } = proxyFixtures();

/** A backend that reads the request head, counts it, then resets the connection. */
const resetter = () => backend({ handler: (req) => req.socket.resetAndDestroy() });

/** Reads the whole body, then answers with it. */
function bodyEcho(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => res.end(Buffer.concat(chunks)));
}

/** How many times each `x-id` arrived, over all backends. */
function arrivals(backends: HttpBackend[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const b of backends) for (const r of b.requests) if (r.method === 'POST') seen.set(String(r.headers['x-id']), (seen.get(String(r.headers['x-id'])) ?? 0) + 1);
  return seen;
}

describe('HttpService: retries', () => {
  it('retries a GET that was reset on another backend; a sent POST is not retried', async () => {
    const bad = await resetter();
    const good = [await backend({ handler: bodyEcho }), await backend({ handler: bodyEcho })];
    const s = await service([bad.url, ...good.map((g) => g.url)]);

    for (let i = 0; i < 12; i++) {
      const a = await send(s.port, { path: `/g${i}` });
      expect(a.status, `GET ${i}`).toBe(200);
    }
    expect(bad.hits).toBeGreaterThan(0);
    expect(s.rec.retried.length).toBe(bad.hits);
    expect(s.rec.retried.every((id) => id === s.backends[0]!.id)).toBe(true);

    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const a = await send(s.port, { method: 'POST', body: `post ${i}`, headers: { 'x-id': `p${i}` } });
      statuses.push(a.status);
    }
    const seen = arrivals([bad, ...good]);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Each POST that reached the resetting backend got a 502, and went nowhere else.
    const resetPosts = bad.requests.filter((r) => r.method === 'POST').length;
    expect(resetPosts).toBeGreaterThan(0);
    expect(statuses.filter((st) => st === 502).length).toBe(resetPosts);
    expect(statuses.filter((st) => st === 200).length).toBe(12 - resetPosts);
    for (const b of s.backends) expect(b.inFlight).toBe(0);
  });

  it('retries a sent POST when retryNonIdempotent is on, with its body replayed', async () => {
    const bad = await resetter();
    const good = await backend({ handler: bodyEcho });
    const s = await service([bad.url, good.url], { retries: { retryNonIdempotent: true } });
    for (let i = 0; i < 4; i++) {
      const a = await send(s.port, { method: 'POST', body: `payload ${i}`, headers: { 'x-id': `p${i}` } });
      expect(a.status).toBe(200);
      expect(a.body).toBe(`payload ${i}`);
    }
    expect(bad.hits).toBeGreaterThan(0);
    expect(s.rec.retried.length).toBe(bad.hits);
    expect(good.hits).toBe(4);
  });

  it('does not retry a sent POST whose body outgrew the replay buffer', async () => {
    const bad = await resetter();
    const good = await backend({ handler: bodyEcho });
    const s = await service([bad.url, good.url], { retries: { retryNonIdempotent: true, replayBufferBytes: 1024 } });
    const big = Buffer.alloc(256 * 1024, 'x');
    const a = await send(s.port, { method: 'POST', body: big, headers: { 'x-id': 'big' } });
    expect(a.status).toBe(502);
    expect(good.hits).toBe(0);
    // A small one still fits and is replayed.
    const small = await send(s.port, { method: 'POST', body: 'small', headers: { 'x-id': 'small' } });
    expect(small.status).toBe(200);
  });

  it('retries a request without a body after a reset, sending the next backend just what the client sent', async () => {
    const bad = await resetter();
    const good = await backend({ handler: bodyEcho });
    const s = await service([bad.url, good.url]);
    for (const method of ['GET', 'DELETE', 'HEAD']) {
      const a = await send(s.port, { method, path: `/m/${method}?q=1`, headers: { 'x-id': method } });
      expect(a.status, method).toBe(200);
      expect(a.body).toBe('');
    }
    expect(bad.hits).toBe(3);
    expect(good.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/m/GET?q=1'],
      ['DELETE', '/m/DELETE?q=1'],
      ['HEAD', '/m/HEAD?q=1'],
    ]);
    for (const r of good.requests) {
      // Built once per request: a retry does not add X-Forwarded-For again, nor a body.
      expect(r.headers).toMatchObject({ 'x-id': r.method, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http' });
      expect(r.headers['content-length']).toBeUndefined();
      expect(r.headers['transfer-encoding']).toBeUndefined();
    }
    expect(s.rec.ended.map((e) => e.bytesIn)).toEqual([0, 0, 0]);
  });

  it('replays a GET body (with a length, or chunked) to the next backend after a reset', async () => {
    const bad = await resetter();
    const good = await backend({ handler: bodyEcho });
    const s = await service([bad.url, good.url]);
    const sized = await send(s.port, { body: 'a GET with a body' });
    expect(sized.status).toBe(200);
    expect(sized.body).toBe('a GET with a body');
    const chunked = await send(s.port, { body: 'chunked GET body', headers: { 'transfer-encoding': 'chunked' } });
    expect(chunked.status).toBe(200);
    expect(chunked.body).toBe('chunked GET body');
    expect(s.rec.retried).toEqual([s.backends[0]!.id, s.backends[0]!.id]);
    expect(s.rec.ended.map((e) => e.bytesIn)).toEqual([17, 16]);
  });

  it('does not retry a 5xx response: it is forwarded', async () => {
    const failing = await backend({ status: 503 });
    const good = await backend();
    const s = await service([failing.url, good.url]);
    const a = await send(s.port);
    expect(a.status).toBe(503);
    expect(s.rec.retried).toEqual([]);
    expect(good.hits).toBe(0);
  });

  it('a backend killed mid-run: every GET gets 2xx, every POST arrives at most once', async () => {
    const backends = [await backend({ handler: bodyEcho }), await backend({ handler: bodyEcho }), await backend({ handler: bodyEcho })];
    const s = await service(backends.map((b) => b.url));
    const client = new http.Agent({ keepAlive: true, maxSockets: 8 });
    defer(async () => client.destroy());

    const results: Array<{ method: string; status: number }> = [];
    let n = 0;
    let stop = false;
    const worker = async (w: number) => {
      while (!stop) {
        const i = n++;
        const method = i % 2 === 0 ? 'GET' : 'POST';
        const a = await send(s.port, { method, agent: client, body: method === 'POST' ? `body ${i}` : undefined, headers: { 'x-id': `${w}-${i}` } }).catch(
          (e: Error) => ({ status: -1, body: e.message }),
        );
        results.push({ method, status: a.status });
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await waitFor(() => results.length >= 100, { timeoutMs: 20_000, message: '100 requests before the kill' });
    await backends[1]!.close();
    const killedAt = results.length;
    await waitFor(() => results.length >= killedAt + 200, { timeoutMs: 30_000, message: '200 requests after the kill' });
    stop = true;
    await Promise.all(workers);

    const gets = results.filter((r) => r.method === 'GET');
    expect(gets.filter((r) => r.status !== 200)).toEqual([]);
    const posts = results.filter((r) => r.method === 'POST');
    expect(posts.every((r) => r.status === 200 || r.status === 502)).toBe(true);
    const seen = arrivals(backends);
    expect([...seen.entries()].filter(([, count]) => count > 1)).toEqual([]);
    await waitFor(() => s.backends.every((b) => b.inFlight === 0), { message: 'in-flight back to 0' });
  });

  describe('on statuses (retries.onStatus)', () => {
    /** Answers every request with `status` and a body naming it. */
    const answering = (status: number) => backend({ handler: (_req, res) => res.writeHead(status, { 'x-from': String(status) }).end(`status ${status}`) });

    it('retries a GET answered 503 on another backend; the 503s still count for the backend', async () => {
      const bad = await answering(503);
      const good = await backend({ handler: bodyEcho });
      const s = await service([bad.url, good.url], { retries: { onStatus: [503] } });
      for (let i = 0; i < 10; i++) {
        const a = await send(s.port, { path: `/g${i}` });
        expect(a.status, `GET ${i}`).toBe(200);
      }
      // Each try that met the bad one went on to the good one, which answered every GET.
      expect(bad.hits).toBeGreaterThan(0);
      expect(good.hits).toBe(10);
      expect(s.rec.retried.length).toBe(bad.hits);
      const badAttempts = s.rec.attempts.filter((a) => a.backend === s.backends[0]!.id);
      expect(badAttempts.map((a) => a.outcome.status)).toEqual(Array(bad.hits).fill(503));
      expect(s.rec.ended.map((e) => e.status)).toEqual(Array(10).fill(200));
      for (const b of s.backends) expect(b.inFlight).toBe(0);
    });

    it('forwards the last answer, headers and body intact, when no backend is left', async () => {
      const one = await answering(503);
      const two = await answering(503);
      const s = await service([one.url, two.url], { retries: { onStatus: [503] } });
      const a = await send(s.port, { path: '/x' });
      expect(a.status).toBe(503);
      expect(a.body).toBe('status 503');
      expect(a.headers['x-from']).toBe('503');
      expect(one.hits + two.hits).toBe(2);
      // Keep-alive still works after a dropped and a forwarded answer.
      expect((await send(s.port, { path: '/y' })).status).toBe(503);
      for (const b of s.backends) expect(b.inFlight).toBe(0);
    });

    it('does not retry a POST answered 503 (the backend acted on it), nor a status not listed', async () => {
      const bad = await answering(503);
      const good = await backend({ handler: bodyEcho });
      const s = await service([bad.url, good.url], { retries: { onStatus: [502] } });
      expect((await send(s.port, { path: '/a' })).status).toBe(503);
      const t = await service([bad.url, good.url], { retries: { onStatus: [503] } });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(t.port, { method: 'POST', body: `p${i}`, headers: { 'x-id': `p${i}` } })).status);
      expect(statuses.sort()).toEqual([200, 200, 503, 503]);
      expect([...arrivals([bad, good]).values()].every((n) => n === 1)).toBe(true);
    });
  });
});
