/**
 * Conformance cases for the headers a proxy itself decides on: hop-by-hop
 * fields both ways, X-Forwarded-*, trailers both ways, and redirects that
 * point at a backend's own origin (issue 11).
 */
import { expect } from 'vitest';
import { headersOf, receivedHeaders, statuses, type Case } from './case';
import { head, HOST, nodeRequest, sequence } from './clients';
import { chunked, values } from './http-wire';

/** A GET on the same connection after the answer under test: it must still work. */
const next = () => ({ bytes: head('GET /next HTTP/1.1') });
const HOP_BY_HOP_RFC = 'RFC 9110 §7.6.1: a proxy removes Connection, the fields Connection names, and the other hop-by-hop fields (Proxy-Connection, Keep-Alive, TE, Upgrade)';

export const headerCases: Case[] = [
  {
    name: 'hop-by-hop request headers removed (Connection: X-Foo, Keep-Alive, TE, Proxy-Connection)',
    run: async (port) => ({
      responses: await sequence(port, [
        {
          bytes: head('GET /hop-request HTTP/1.1', [
            ['Connection', 'keep-alive, X-Foo'],
            ['X-Foo', 'hop'],
            ['Keep-Alive', 'timeout=5'],
            ['TE', 'trailers'],
            ['Proxy-Connection', 'keep-alive'],
            ['X-Keep', 'end-to-end'],
          ]),
        },
      ]),
    }),
    differsOnPurpose: `${HOP_BY_HOP_RFC}; nginx drops only the ones it knows (Keep-Alive, TE, Upgrade, Expect) and passes X-Foo and Proxy-Connection on`,
    differs: ['received.headers.x-foo', 'received.headers.proxy-connection'],
    both: (o) => {
      expect(statuses(o)).toEqual([200]);
      const got = receivedHeaders(o);
      expect([got.te, got['keep-alive'], got['x-keep']], 'TE, Keep-Alive, X-Keep at the backend').toEqual([undefined, undefined, 'end-to-end']);
    },
    lbw: (o) => {
      const got = receivedHeaders(o);
      expect([got['x-foo'], got['proxy-connection']], 'X-Foo (named in Connection) and Proxy-Connection at the backend').toEqual([undefined, undefined]);
    },
  },
  {
    name: 'Trailer request header is end-to-end: kept on a GET without a body',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /trailer-header HTTP/1.1', [['Trailer', 'X-Checksum']]) }, next()]) }),
    differsOnPurpose:
      'trailers can only follow a chunked body, so lbw drops a Trailer header that announces fields which cannot come (Node refuses to send one on any other message); nginx passes it on',
    differs: ['received.headers.trailer'],
    both: (o) => expect(statuses(o)).toEqual([200, 200]),
    lbw: (o) => expect(receivedHeaders(o).trailer).toBeUndefined(),
  },
  {
    name: 'chunked upload with trailers',
    scripts: { '/upload-trailers': { respond: (req, reply) => reply.send(200, [['Content-Type', 'text/plain']], `got ${req.body.length} bytes`) } },
    run: async (port) => ({
      responses: await sequence(port, [
        {
          bytes: Buffer.concat([
            Buffer.from(head('POST /upload-trailers HTTP/1.1', [['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked'], ['Trailer', 'X-Checksum']])),
            chunked(['hello ', 'world'], [['X-Checksum', 'sha256=b94d27b9']]),
          ]),
        },
        next(),
      ]),
    }),
    differsOnPurpose: 'lbw passes request trailers on (issue 11: "trailers pass through"); nginx 1.22 reads and drops them',
    differs: ['received.trailers'],
    both: (o) => {
      expect(statuses(o)).toEqual([200, 200]);
      expect(o.received[0]?.body.toString()).toBe('hello world');
      expect(receivedHeaders(o).trailer, 'the Trailer header kept').toBe('X-Checksum');
    },
    lbw: (o) => expect(o.received[0] && values(o.received[0].trailers, 'x-checksum'), 'the trailer at the backend').toEqual(['sha256=b94d27b9']),
  },
  {
    name: 'hop-by-hop response headers removed (Connection: X-Bar, Keep-Alive, Proxy-Connection, Upgrade)',
    scripts: {
      '/hop-response': {
        respond: (_req, reply) =>
          reply.send(200, [['Connection', 'X-Bar'], ['X-Bar', 'hop'], ['Keep-Alive', 'timeout=99'], ['Proxy-Connection', 'keep-alive'], ['Upgrade', 'h2c'], ['X-Keep', 'end-to-end']], 'ok'),
      },
    },
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /hop-response HTTP/1.1') }, next()]) }),
    differsOnPurpose: `${HOP_BY_HOP_RFC}; nginx passes X-Bar, Proxy-Connection and Upgrade on to the client`,
    differs: ['headers.x-bar', 'headers.proxy-connection', 'headers.upgrade'],
    both: (o) => {
      expect(statuses(o)).toEqual([200, 200]);
      expect(headersOf(o)['x-keep']).toBe('end-to-end');
      expect(values(o.responses[0]!.headers, 'keep-alive'), "the backend's Keep-Alive is not the client's").not.toContain('timeout=99');
    },
    lbw: (o) => {
      const h = headersOf(o);
      expect([h['x-bar'], h['proxy-connection'], h.upgrade], 'X-Bar, Proxy-Connection, Upgrade at the client').toEqual([undefined, undefined, undefined]);
    },
  },
  {
    name: 'X-Forwarded-* set by the proxy (port from the Host header, 80 without one)',
    run: async (port) => ({
      responses: [await nodeRequest(port, { path: '/forwarded' }), ...(await sequence(port, [{ bytes: head('GET /forwarded HTTP/1.1', [], 'app.test') }]))],
    }),
    both: (o) => {
      const pick = (i: number) => {
        const h = receivedHeaders(o, i);
        return [h.host, h['x-forwarded-for'], h['x-forwarded-proto'], h['x-forwarded-host'], h['x-forwarded-port']];
      };
      expect(pick(0)).toEqual([HOST, '127.0.0.1', 'http', HOST, '8080']);
      expect(pick(1)).toEqual(['app.test', '127.0.0.1', 'http', 'app.test', '80']);
    },
  },
  {
    name: 'X-Forwarded-* sent by the client: For is appended to, Proto/Host/Port are the proxy\'s own',
    run: async (port) => ({
      responses: await sequence(port, [
        {
          bytes: head('GET /forwarded HTTP/1.1', [
            ['X-Forwarded-For', '203.0.113.7'],
            ['X-Forwarded-Proto', 'https'],
            ['X-Forwarded-Host', 'evil.test'],
            ['X-Forwarded-Port', '443'],
          ]),
        },
      ]),
    }),
    // The usual nginx set-up (proxy_add_x_forwarded_for, $scheme, $http_host): a client cannot make the application believe it came over https or for another host.
    both: (o) => {
      const h = receivedHeaders(o);
      expect([h['x-forwarded-for'], h['x-forwarded-proto'], h['x-forwarded-host'], h['x-forwarded-port']]).toEqual(['203.0.113.7, 127.0.0.1', 'http', HOST, '8080']);
    },
  },
  {
    name: "Location and Refresh pointing at the backend's origin rewritten to the client's; other origins untouched",
    scripts: {
      '/redirect': {
        respond: (_req, reply) =>
          reply.send(302, [['Location', `http://127.0.0.1:${reply.port}/login?next=%2F`], ['Refresh', `0; url=http://127.0.0.1:${reply.port}/later`]], ''),
      },
      '/redirect-elsewhere': { respond: (_req, reply) => reply.send(301, [['Location', 'http://127.0.0.1:9/elsewhere']], '') },
    },
    run: async (port) => ({ responses: [await nodeRequest(port, { path: '/redirect' }), await nodeRequest(port, { path: '/redirect-elsewhere' })] }),
    both: (o) => {
      expect([headersOf(o, 0).location, headersOf(o, 0).refresh]).toEqual([`http://${HOST}/login?next=%2F`, `0; url=http://${HOST}/later`]);
      expect(headersOf(o, 1).location).toBe('http://127.0.0.1:9/elsewhere');
    },
  },
  {
    name: "Content-Location pointing at the backend's origin rewritten to the client's",
    scripts: { '/content-location': { respond: (_req, reply) => reply.send(200, [['Content-Location', `http://127.0.0.1:${reply.port}/doc/1`], ['Content-Type', 'text/plain']], 'doc') } },
    run: async (port) => ({ responses: [await nodeRequest(port, { path: '/content-location' })] }),
    differsOnPurpose: "nginx's proxy_redirect rewrites only Location and Refresh; lbw's rewriteRedirects covers Content-Location too (issue 11)",
    differs: ['headers.content-location'],
    both: (o) => expect(statuses(o)).toEqual([200]),
    lbw: (o) => expect(headersOf(o)['content-location']).toBe(`http://${HOST}/doc/1`),
  },
  {
    name: 'response trailers',
    scripts: {
      '/trailers': {
        respond: (_req, reply) =>
          reply.send(200, [['Content-Type', 'text/plain'], ['Trailer', 'X-Checksum']], undefined, { chunks: ['hello ', 'world'], trailers: [['X-Checksum', 'sha256=b94d27b9']] }),
      },
    },
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /trailers HTTP/1.1', [['TE', 'trailers']]) }, next()]) }),
    differsOnPurpose: 'lbw passes response trailers on (issue 11); nginx 1.22 drops them (proxy_pass_trailers came in a later nginx)',
    differs: ['trailers'],
    both: (o) => {
      expect(statuses(o)).toEqual([200, 200]);
      expect(o.responses[0]!.body.toString()).toBe('hello world');
      expect(headersOf(o).trailer, 'the Trailer header kept').toBe('X-Checksum');
    },
    lbw: (o) => expect(o.responses[0]!.trailers, 'the trailer at the client').toEqual([['X-Checksum', 'sha256=b94d27b9']]),
  },
];
