import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { LbError } from '../../../core/model/errors';
import { closedPort } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { countConnections, send, startBlackhole, proxyFixtures } from './helpers';

const { backend, service, defer } = proxyFixtures();

/** Answers with what it received: method, url, headers and the body's length. */
function echoHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
  });
}

describe('HttpService: forwarding', () => {
  it('round-trips GET and POST with status and body intact', async () => {
    const b = await backend({ handler: echoHandler });
    const s = await service([b.url]);

    const get = await send(s.port, { path: '/a/b?x=1' });
    expect(get.status).toBe(201);
    expect(JSON.parse(get.body)).toMatchObject({ method: 'GET', url: '/a/b?x=1', body: '' });

    const post = await send(s.port, { method: 'POST', path: '/p', body: 'hello body', headers: { 'content-type': 'text/plain' } });
    expect(post.status).toBe(201);
    expect(JSON.parse(post.body)).toMatchObject({ method: 'POST', body: 'hello body' });

    // A chunked body, and a chunked DELETE body (http-proxy's deleteLength pass would zero it).
    for (const method of ['POST', 'DELETE']) {
      const chunked = await new Promise<string>((resolve, reject) => {
        const headers = { 'transfer-encoding': 'chunked' }; // Node only chunks POST-like methods by itself
        const req = http.request({ host: '127.0.0.1', port: s.port, method, path: '/c', headers, agent: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.write('part one, ');
        req.end('part two');
      });
      expect(JSON.parse(chunked)).toMatchObject({ method, body: 'part one, part two' });
    }

    expect(s.rec.started).toBe(4);
    expect(s.rec.ended.map((e) => e.status)).toEqual([201, 201, 201, 201]);
    expect(s.backends[0]!.inFlight).toBe(0);
  });

  it('adds X-Forwarded-*, keeps Host, and drops hop-by-hop headers both ways', async () => {
    const b = await backend({
      handler: (req, res) => {
        res.setHeader('X-Backend-Hop', 'secret');
        res.setHeader('Connection', 'keep-alive, X-Backend-Hop');
        res.setHeader('Keep-Alive', 'timeout=77');
        res.setHeader('Proxy-Connection', 'keep-alive');
        res.setHeader('X-End-To-End', 'yes');
        echoHandler(req, res);
      },
    });
    const s = await service([b.url]);
    const answer = await send(s.port, {
      headers: {
        host: 'example.test:1234',
        'transfer-encoding': 'chunked', // Node refuses a Trailer header on a body that is not chunked
        connection: 'keep-alive, X-Client-Hop',
        'x-client-hop': 'drop me',
        'keep-alive': 'timeout=99',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        trailer: 'X-Checksum',
        upgrade: 'foo/1',
        'x-forwarded-for': '10.0.0.1',
        'x-kept': 'kept',
      },
      body: 'with trailer',
    });
    expect(answer.status).toBe(201);
    const seen = JSON.parse(answer.body).headers as Record<string, string>;
    expect(seen.host).toBe('example.test:1234');
    expect(seen['x-forwarded-for']).toBe('10.0.0.1,127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe('example.test:1234');
    expect(seen['x-kept']).toBe('kept');
    for (const h of ['x-client-hop', 'proxy-connection', 'te', 'upgrade']) expect(seen[h], h).toBeUndefined();
    // Trailer announces end-to-end fields (RFC 9110 §6.6.2): it goes on with the body it describes.
    expect(seen.trailer).toBe('X-Checksum');
    expect(seen['keep-alive']).toBeUndefined();
    // Upstream runs keep-alive on its own terms: the agent's header, not the client's.
    expect(seen.connection).toBe('keep-alive');

    expect(answer.headers['x-end-to-end']).toBe('yes');
    expect(answer.headers['x-backend-hop']).toBeUndefined();
    expect(answer.headers['proxy-connection']).toBeUndefined();
    expect(answer.headers['keep-alive']).not.toBe('timeout=77');
  });

  it('keeps upstream connections alive: 200 sequential requests use very few', async () => {
    const b = await backend();
    const conns = countConnections(b.server);
    const s = await service([b.url]);
    const client = new http.Agent({ keepAlive: true, maxSockets: 1 });
    defer(async () => client.destroy());
    for (let i = 0; i < 200; i++) {
      const a = await send(s.port, { agent: client });
      expect(a.status).toBe(200);
    }
    expect(conns.count).toBeLessThanOrEqual(3);
    console.log(`upstream TCP connections for 200 sequential requests: ${conns.count}`);
  });
});

describe('HttpService: answers when nothing can be forwarded', () => {
  it('503 names the service when no backend is available', async () => {
    const s = await service([], { name: 'api' });
    const a = await send(s.port);
    expect(a.status).toBe(503);
    expect(a.body).toContain('no backend available for service "api"');
    expect(a.headers['content-type']).toMatch(/^text\/plain/);
    expect(s.rec.ended).toEqual([expect.objectContaining({ status: 503, noBackend: true })]);
    expect(s.rec.attempts).toEqual([]);
  });

  it('502 when the backend port is closed (one attempt)', async () => {
    const port = await closedPort();
    const s = await service([`http://127.0.0.1:${port}`], { retries: { attempts: 1 } });
    const a = await send(s.port);
    expect(a.status).toBe(502);
    expect(s.rec.attempts.map((x) => x.outcome.error)).toEqual(['refused']);
    expect(s.rec.ended).toEqual([expect.objectContaining({ status: 502, error: 'refused' })]);
    expect(s.backends[0]!.inFlight).toBe(0);
  });

  it('504 when the backend never answers, and everything closes', async () => {
    const b = await backend({ handler: () => {} });
    const s = await service([b.url], { timeouts: { responseMs: 300 }, retries: { attempts: 1 } });
    const a = await send(s.port);
    expect(a.status).toBe(504);
    expect(s.rec.attempts.map((x) => x.outcome.error)).toEqual(['timeout']);
    expect(s.backends[0]!.inFlight).toBe(0);
    // The timed-out upstream connection was closed, not left to hang.
    await waitFor(async () => (await new Promise<number>((r) => b.server.getConnections((_e, n) => r(n)))) === 0, { message: 'backend connections closed' });
  });

  it('504 on a connect timeout; a connect failure is retried elsewhere, POST included', async () => {
    const hole = await startBlackhole();
    defer(() => hole.close());
    const solo = await service([`http://127.0.0.1:${hole.port}`], { timeouts: { connectMs: 200 }, retries: { attempts: 1 } });
    const a = await send(solo.port);
    expect(a.status).toBe(504);
    expect(solo.rec.attempts.map((x) => x.outcome.error)).toEqual(['timeout']);
    expect(solo.backends[0]!.inFlight).toBe(0);

    const good = await backend({ handler: echoHandler });
    const pair = await service([`http://127.0.0.1:${hole.port}`, good.url], { timeouts: { connectMs: 200 } });
    const post = await send(pair.port, { method: 'POST', body: 'once' });
    expect(post.status).toBe(201);
    expect(JSON.parse(post.body)).toMatchObject({ body: 'once' });
    expect(pair.rec.retried).toEqual([pair.backends[0]!.id]);
    expect(good.hits).toBe(1);
  });

  it('rejects listen with PORT_IN_USE when the port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    defer(() => new Promise((r) => taken.close(() => r(undefined))));
    const port = (taken.address() as net.AddressInfo).port;
    const { HttpService } = await import('../../../core/proxy/http-service');
    const svc = new HttpService({
      name: 'x',
      host: '127.0.0.1',
      port,
      timeouts: { connectMs: 1000, responseMs: 1000, idleMs: 0, clientHeadersMs: 10000 },
      retries: { attempts: 1, retryNonIdempotent: false, onStatus: [], budgetPercent: 20, minRetryConcurrency: 3, replayBufferBytes: 0 },
      hooks: { pick: () => undefined, attemptEnded: () => {}, retried: () => {}, requestEnded: () => {}, requestStarted: () => {} },
    });
    const err = await svc.listen().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LbError);
    expect((err as LbError).code).toBe('PORT_IN_USE');
    expect((err as LbError).message).toBe(`port ${port} on 127.0.0.1 is already in use`);
    expect(svc.address).toBeNull();
    await svc.close(0);
  });
});

describe('HttpService: drain', () => {
  it('close(grace) lets an in-flight request finish while new connections are refused', async () => {
    const b = await backend({ delayMs: 800 });
    const s = await service([b.url]);
    expect(s.service.address).toBe(`127.0.0.1:${s.port}`);
    const slow = send(s.port);
    await waitFor(() => b.hits === 1, { message: 'slow request reached the backend' });
    const closed = s.service.close(10_000);
    expect(s.service.address).toBeNull();
    const refused = await new Promise<string>((resolve) => {
      const sock = net.connect(s.port, '127.0.0.1');
      sock.on('connect', () => {
        sock.destroy();
        resolve('connected');
      });
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    const a = await slow;
    expect(a.status).toBe(200);
    await closed;
    expect(s.service.socketCounts()).toEqual({ client: 0, upstream: 0 });
  });

  it('close(grace) cuts what is still running when the grace ends', async () => {
    const b = await backend({ handler: () => {} });
    const s = await service([b.url]);
    const hung = send(s.port).catch((e: Error) => e);
    await waitFor(() => b.hits === 1);
    const t0 = Date.now();
    await s.service.close(200);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await hung).toBeInstanceOf(Error);
    expect(s.backends[0]!.inFlight).toBe(0);
    expect(s.service.socketCounts()).toEqual({ client: 0, upstream: 0 });
  });
});
