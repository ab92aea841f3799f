/**
 * `rewriteRedirects` through a Workbench service on real sockets: Location,
 * Content-Location and Refresh that point at the backend's own origin come
 * back on the origin the client addressed (as its Host named it), so that
 * following them goes through the balancer to the same resource; anything
 * else passes untouched; `rewriteRedirects: false` turns it off live.
 */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHttpBackend, type HttpBackend } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { send } from '../../helpers/http-client';
import { RawSocket } from './raw-socket';
import { SERVICE, startWorkbenchService } from './workbench-service';

const cleanup = useCleanup();

/**
 * A backend that answers 302 with the response headers the request asks for
 * in `x-set` (JSON), and 200 `at:<url>` to any request without it, so a test
 * can follow a redirect and see where it landed.
 */
async function redirectingBackend(): Promise<HttpBackend> {
  return cleanup.track(
    await startHttpBackend({
      name: 'app',
      handler: (req: http.IncomingMessage, res: http.ServerResponse) => {
        const set = req.headers['x-set'];
        if (typeof set === 'string') {
          res.writeHead(302, { ...(JSON.parse(set) as Record<string, string>), 'content-length': 0 });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`at:${req.url}`);
      },
    }),
  );
}

/** Asks the backend (through the proxy) to answer with `headers`; returns what the client got. */
async function answerWith(port: number, headers: Record<string, string>, host?: string): Promise<http.IncomingHttpHeaders> {
  const r = await send(port, { path: '/go', headers: { 'x-set': JSON.stringify(headers), ...(host ? { host } : {}) } });
  expect(r.status).toBe(302);
  return r.headers;
}

describe('rewriteRedirects (default on)', () => {
  it("a Location on the backend's origin is put on the origin the client used: Host 127.0.0.1:<p> and localhost:<p>", async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const location = `http://127.0.0.1:${b.port}/x/y?q=1&r=%2F#frag`;
    expect((await answerWith(s.port, { location }, `127.0.0.1:${s.port}`)).location).toBe(`http://127.0.0.1:${s.port}/x/y?q=1&r=%2F#frag`);
    expect((await answerWith(s.port, { location }, `localhost:${s.port}`)).location).toBe(`http://localhost:${s.port}/x/y?q=1&r=%2F#frag`);
    // No path at all: the client's origin with "/".
    expect((await answerWith(s.port, { location: `http://127.0.0.1:${b.port}` }, `127.0.0.1:${s.port}`)).location).toBe(`http://127.0.0.1:${s.port}/`);
  });

  it('following the rewritten Location goes through the proxy to the path the backend meant', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const location = (await answerWith(s.port, { location: `http://127.0.0.1:${b.port}/next?a=1` })).location!;
    const url = new URL(location);
    expect(url.port).toBe(String(s.port));
    const followed = await send(Number(url.port), { path: url.pathname + url.search });
    expect(followed.body).toBe('at:/next?a=1');
  });

  it('a backend URL with a path prefix (/api): following the rewritten Location reaches the resource the backend named, not /api/api/...', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: `${b.url}/api`, name: 'app' }] });
    // The client asks for /go; the backend sees /api/go and redirects to its own /api/next.
    const location = (await answerWith(s.port, { location: `http://127.0.0.1:${b.port}/api/next` })).location!;
    const url = new URL(location);
    expect(url.port).toBe(String(s.port));
    const followed = await send(Number(url.port), { path: url.pathname + url.search });
    expect(followed.body).toBe('at:/api/next');
  });

  it('other origins, other schemes and relative references pass untouched', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const untouched = [
      `http://127.0.0.1:${b.port + 1}/x`, // another port
      'http://example.com/x',
      `https://127.0.0.1:${b.port}/x`, // another scheme is another origin
      '/relative/x?y=1',
      'next.html',
    ];
    for (const location of untouched) expect((await answerWith(s.port, { location })).location, location).toBe(location);
  });

  it("a scheme-relative Location (//127.0.0.1:<backend port>/x) is the backend's origin too: rewritten", async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const got = (await answerWith(s.port, { location: `//127.0.0.1:${b.port}/x` }, `127.0.0.1:${s.port}`)).location!;
    // Resolved against the page the client asked for, it must not lead past the balancer.
    expect(new URL(got, `http://127.0.0.1:${s.port}/go`).port).toBe(String(s.port));
  });

  it('Refresh (url= part) and Content-Location on the backend origin are rewritten; a Refresh elsewhere is not', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const h = await answerWith(
      s.port,
      { refresh: `0; url=http://127.0.0.1:${b.port}/y`, 'content-location': `http://127.0.0.1:${b.port}/doc` },
      `localhost:${s.port}`,
    );
    expect(h.refresh).toBe(`0; url=http://localhost:${s.port}/y`);
    expect(h['content-location']).toBe(`http://localhost:${s.port}/doc`);
    expect((await answerWith(s.port, { refresh: '5;URL=http://example.com/z' })).refresh).toBe('5;URL=http://example.com/z');
  });

  it('an HTTP/1.0 request without Host: the Location names the listener itself', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const sock = await RawSocket.open(s.port);
    cleanup.defer(() => sock.close());
    const set = JSON.stringify({ location: `http://127.0.0.1:${b.port}/x` });
    await sock.write(`GET /go HTTP/1.0\r\nX-Set: ${set}\r\n\r\n`);
    expect(await sock.untilClosed()).toBe(true);
    expect(sock.text).toMatch(/^HTTP\/1\.[01] 302 /);
    expect(sock.text).toMatch(new RegExp(`\\r\\nLocation: http://127\\.0\\.0\\.1:${s.port}/x\\r\\n`, 'i'));
  });
});

describe('rewriteRedirects: false', () => {
  it('turned off live with services:update: Location, Content-Location and Refresh pass as the backend sent them; on again, rewritten', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }] });
    const sent = {
      location: `http://127.0.0.1:${b.port}/x`,
      refresh: `0; url=http://127.0.0.1:${b.port}/y`,
      'content-location': `http://127.0.0.1:${b.port}/doc`,
    };
    const off = await s.invoke('services:update', { service: SERVICE, patch: { rewriteRedirects: false } });
    expect(off.ok).toBe(true);
    const h = await answerWith(s.port, sent);
    expect({ location: h.location, refresh: h.refresh, 'content-location': h['content-location'] }).toEqual(sent);

    const on = await s.invoke('services:update', { service: SERVICE, patch: { rewriteRedirects: true } });
    expect(on.ok).toBe(true);
    expect((await answerWith(s.port, sent, `127.0.0.1:${s.port}`)).location).toBe(`http://127.0.0.1:${s.port}/x`);
  });

  it('off from the start (workspace rewriteRedirects: false): untouched', async () => {
    const b = await redirectingBackend();
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'app' }], rewriteRedirects: false });
    const location = `http://127.0.0.1:${b.port}/x`;
    expect((await answerWith(s.port, { location })).location).toBe(location);
  });
});
