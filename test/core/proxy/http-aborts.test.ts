import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { type HttpBackend } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { connectionCount, send, type TestService, proxyFixtures } from './helpers';

const { backend, service } = proxyFixtures();

/** Streams a chunk every 10 ms until the client goes away. */
function endlessStream(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => res.write('tick\n'), 10);
  res.on('close', () => clearInterval(timer));
}

/** A GET that goes away after the first chunk of the response. */
function abortMidResponse(port: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.on('error', () => {});
      res.once('data', () => req.destroy());
    });
    req.on('error', () => {});
    req.on('close', () => resolve());
  });
}

async function expectNoLeaks(s: TestService, b: HttpBackend): Promise<void> {
  await waitFor(() => s.backends.every((x) => x.inFlight === 0), { message: 'in-flight back to 0' });
  await waitFor(async () => (await connectionCount(b.server)) === 0, { message: 'backend connections closed' });
  await waitFor(() => s.service.socketCounts().client === 0 && s.service.socketCounts().upstream === 0, { message: 'service sockets closed' });
}

describe('HttpService: client aborts', () => {
  it('a client that leaves mid-response: in-flight returns to 0, no sockets leak', async () => {
    const b = await backend({ handler: endlessStream });
    const s = await service([b.url]);
    for (let i = 0; i < 5; i++) await abortMidResponse(s.port);
    await expectNoLeaks(s, b);
    expect(s.rec.attempts).toHaveLength(5);
    expect(s.rec.attempts.every((a) => a.outcome.status === 200 && a.outcome.error === undefined)).toBe(true);
    expect(s.rec.ended).toHaveLength(5);
  });

  it('a client that leaves before the response: in-flight returns to 0, the upstream request is dropped', async () => {
    const b = await backend({ handler: () => {} });
    const s = await service([b.url]);
    const reqs = Array.from({ length: 5 }, () => {
      const req = http.get({ host: '127.0.0.1', port: s.port, path: '/', agent: false });
      req.on('error', () => {});
      return req;
    });
    await waitFor(() => b.hits === 5, { message: 'all five reached the backend' });
    expect(s.backends[0]!.inFlight).toBe(5);
    reqs.forEach((r) => r.destroy());
    await expectNoLeaks(s, b);
    expect(s.rec.ended.map((e) => e.status)).toEqual([499, 499, 499, 499, 499]);
    expect(s.rec.attempts.every((a) => a.outcome.error === undefined)).toBe(true);
  });

  it('a client that leaves mid-upload does not crash anything', async () => {
    const b = await backend({
      handler: (req, res) => {
        req.on('data', () => {});
        req.on('end', () => res.end('done'));
      },
    });
    const s = await service([b.url]);
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/', agent: false, headers: { 'content-length': 10_000_000 } });
        req.on('error', () => {});
        req.on('close', () => resolve());
        req.write(Buffer.alloc(256 * 1024));
        setTimeout(() => req.destroy(), 50); // pacing: part of the body is on its way
      });
    }
    await expectNoLeaks(s, b);
    const ok = await send(s.port);
    expect(ok.status).toBe(200);
  });

  it('inFlight does not drift over a mix of outcomes', async () => {
    const good = await backend();
    const failing = await backend({ status: 500 });
    const resetting = await backend({ handler: (req) => req.socket.resetAndDestroy() });
    const s = await service([good.url, failing.url, resetting.url], { retries: { attempts: 2 } });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => send(s.port, { method: i % 3 === 0 ? 'POST' : 'GET', body: 'x' })));
    expect(answers.map((a) => a.status).filter((st) => ![200, 500, 502].includes(st))).toEqual([]);
    await waitFor(() => s.backends.every((x) => x.inFlight === 0), { message: 'in-flight back to 0' });
    expect(s.rec.ended).toHaveLength(30);
  });
});
