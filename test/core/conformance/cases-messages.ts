/**
 * Conformance cases for ordinary HTTP messages: methods, bodies both ways
 * (Content-Length, chunked, 1 MB), conditional and range requests, content
 * coding, cookies, and request targets. Every one must match nginx.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { ReceivedRequest, Reply } from './backends';
import { headersOf, receivedHeaders, statuses, type Case } from './case';
import { head, nodeRequest, sequence } from './clients';
import { chunked, values } from './http-wire';

const MB = 1024 * 1024;
/** The 1 MB bodies: random, so nothing along the way can compress or guess them; the same for both engines. */
const bigUpload = randomBytes(MB);
const bigDownload = randomBytes(MB);
const alphabet = 'abcdefghijklmnopqrstuvwxyz';
const jsonBody = '{"name":"conformance","n":1}';
const gzipped = gzipSync(Buffer.from('a compressible line of text\n'.repeat(200)));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A backend answer describing the body it got, so the client side shows a lost or altered upload too. */
const echo = (req: ReceivedRequest, reply: Reply, status = 200) =>
  reply.send(status, [['Content-Type', 'text/plain']], `${req.method} ${req.body.length} bytes sha256 ${sha(req.body).slice(0, 16)}`);

export const messageCases: Case[] = [
  {
    name: 'GET: status, body and end-to-end headers',
    scripts: {
      '/plain': {
        respond: (_req, reply) =>
          reply.send(200, [['Content-Type', 'text/plain; charset=utf-8'], ['Cache-Control', 'no-cache'], ['X-Custom', 'one'], ['X-Custom', 'two'], ['X-Empty', '']], 'hello from the backend\n'),
      },
    },
    run: async (port) => ({
      responses: [await nodeRequest(port, { path: '/plain?q=1&r=two', headers: [['Accept', 'text/plain'], ['User-Agent', 'conformance/1'], ['X-Request-Id', 'abc-123']] })],
    }),
    both: (o) => expect(statuses(o)).toEqual([200]),
  },
  {
    name: 'HEAD: no body bytes reach the client even when the backend writes some',
    scripts: {
      // A backend that writes its body whatever the method (some do): the bytes after the head are not part of a HEAD answer.
      '/head': { respond: (_req, reply) => reply.raw('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world') },
    },
    run: async (port) => ({
      responses: await sequence(port, [
        { bytes: head('HEAD /head HTTP/1.1'), method: 'HEAD' },
        { bytes: head('GET /next HTTP/1.1') },
        { bytes: head('GET /next HTTP/1.1') },
      ]),
    }),
    both: (o) => {
      expect(statuses(o)).toEqual([200, 200, 200]);
      expect(headersOf(o)['content-length'], 'a HEAD answer keeps the length of the GET one').toBe('11');
      expect(o.responses.slice(1).map((r) => r.body.toString()), 'follow-ups on the same connection').toEqual(['ok', 'ok']);
    },
  },
  {
    name: 'POST with Content-Length',
    scripts: { '/echo': { respond: (req, reply) => echo(req, reply, 201) } },
    run: async (port) => ({
      responses: [await nodeRequest(port, { method: 'POST', path: '/echo', headers: [['Content-Type', 'application/json'], ['Content-Length', String(jsonBody.length)]], body: jsonBody })],
    }),
    both: (o) => {
      expect(statuses(o)).toEqual([201]);
      expect(receivedHeaders(o)['content-length'], 'a known length is passed on').toBe(String(jsonBody.length));
    },
  },
  {
    name: 'chunked upload without trailers',
    scripts: { '/upload': { respond: (req, reply) => echo(req, reply) } },
    run: async (port) => ({
      responses: await sequence(port, [
        { bytes: Buffer.concat([Buffer.from(head('POST /upload HTTP/1.1', [['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']])), chunked(['first chunk, ', 'second chunk, ', 'third'])]) },
        { bytes: head('GET /next HTTP/1.1') },
      ]),
    }),
    both: (o) => {
      expect(statuses(o)).toEqual([200, 200]);
      expect(o.received[0]?.body.toString()).toBe('first chunk, second chunk, third');
    },
  },
  {
    name: '1 MB upload (Content-Length)',
    scripts: { '/big-upload': { respond: (req, reply) => echo(req, reply) } },
    run: async (port) => ({
      responses: [await nodeRequest(port, { method: 'PUT', path: '/big-upload', headers: [['Content-Type', 'application/octet-stream'], ['Content-Length', String(MB)]], body: bigUpload })],
    }),
    both: (o) => {
      expect(statuses(o)).toEqual([200]);
      expect(o.received[0]?.body.equals(bigUpload), 'the backend got the whole upload').toBe(true);
    },
  },
  {
    name: '1 MB upload (chunked)',
    scripts: { '/big-upload-chunked': { respond: (req, reply) => echo(req, reply) } },
    run: async (port) => ({
      responses: [await nodeRequest(port, { method: 'POST', path: '/big-upload-chunked', headers: [['Content-Type', 'application/octet-stream'], ['Transfer-Encoding', 'chunked']], body: bigUpload })],
    }),
    both: (o) => expect(o.received[0]?.body.equals(bigUpload), 'the backend got the whole upload').toBe(true),
  },
  {
    name: '1 MB download (Content-Length)',
    scripts: { '/big-download': { respond: (_req, reply) => reply.send(200, [['Content-Type', 'application/octet-stream']], bigDownload) } },
    run: async (port) => ({ responses: [await nodeRequest(port, { path: '/big-download' })] }),
    both: (o) => expect(o.responses[0]?.body.equals(bigDownload), 'the client got the whole body').toBe(true),
  },
  {
    name: '1 MB download (chunked)',
    scripts: {
      '/big-download-chunked': {
        respond: (_req, reply) =>
          reply.send(200, [['Content-Type', 'application/octet-stream']], undefined, { chunks: Array.from({ length: 16 }, (_, i) => bigDownload.subarray(i * 65536, (i + 1) * 65536)) }),
      },
    },
    run: async (port) => ({ responses: [await nodeRequest(port, { path: '/big-download-chunked' })] }),
    both: (o) => expect(o.responses[0]?.body.equals(bigDownload), 'the client got the whole body').toBe(true),
  },
  {
    name: '304 Not Modified for a matching If-None-Match, 200 otherwise',
    scripts: {
      '/etag': {
        respond: (req, reply) =>
          values(req.headers, 'if-none-match')[0] === '"v1"'
            ? reply.send(304, [['ETag', '"v1"'], ['Cache-Control', 'max-age=60']])
            : reply.send(200, [['ETag', '"v1"'], ['Cache-Control', 'max-age=60'], ['Content-Type', 'text/plain']], 'versioned body'),
      },
    },
    run: async (port) => ({
      responses: [await nodeRequest(port, { path: '/etag' }), await nodeRequest(port, { path: '/etag', headers: [['If-None-Match', '"v1"']] })],
    }),
    both: (o) => {
      expect(statuses(o)).toEqual([200, 304]);
      expect(o.responses[1]!.body.length).toBe(0);
    },
  },
  {
    name: 'Range request answered 206 by the backend',
    scripts: {
      '/range': {
        respond: (req, reply) => {
          const m = /^bytes=(\d+)-(\d+)$/.exec(values(req.headers, 'range')[0] ?? '');
          if (!m) return reply.send(200, [['Accept-Ranges', 'bytes'], ['Content-Type', 'text/plain']], alphabet);
          const [from, to] = [Number(m[1]), Number(m[2])];
          reply.send(206, [['Accept-Ranges', 'bytes'], ['Content-Type', 'text/plain'], ['Content-Range', `bytes ${from}-${to}/${alphabet.length}`]], alphabet.slice(from, to + 1));
        },
      },
    },
    run: async (port) => ({ responses: [await nodeRequest(port, { path: '/range', headers: [['Range', 'bytes=2-5']] })] }),
    both: (o) => {
      expect(statuses(o)).toEqual([206]);
      expect(o.responses[0]!.body.toString()).toBe('cdef');
    },
  },
  {
    name: 'gzip response passed through untouched',
    scripts: {
      '/gzip': { respond: (_req, reply) => reply.send(200, [['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip'], ['Vary', 'Accept-Encoding']], gzipped) },
    },
    run: async (port) => ({ responses: [await nodeRequest(port, { path: '/gzip', headers: [['Accept-Encoding', 'gzip, deflate']] })] }),
    both: (o) => expect(o.responses[0]!.body.equals(gzipped), 'the compressed bytes as the backend sent them').toBe(true),
  },
  {
    name: 'several Cookie and Set-Cookie lines',
    scripts: {
      '/cookies': {
        respond: (_req, reply) =>
          reply.send(200, [['Set-Cookie', 'a=1; Path=/; HttpOnly'], ['Set-Cookie', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/'], ['Set-Cookie', 'c=3; SameSite=Lax'], ['Content-Type', 'text/plain']], 'ok'),
      },
    },
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /cookies HTTP/1.1', [['Cookie', 'a=1'], ['Cookie', 'b=2; c=3']]) }]) }),
    both: (o) => {
      expect(headersOf(o)['set-cookie'], 'each Set-Cookie line kept as it was').toEqual(['a=1; Path=/; HttpOnly', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/', 'c=3; SameSite=Lax']);
      expect(receivedHeaders(o).cookie, 'the cookies, in order (one line or several)').toBe('a=1; b=2; c=3');
    },
  },
  {
    name: 'request target passed on as sent (encoded slash, dot segments, double slash, query)',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /a%2Fb/../c//d?x=1&y=%20&x=2 HTTP/1.1') }]) }),
    both: (o) => expect(o.received[0]?.target).toBe('/a%2Fb/../c//d?x=1&y=%20&x=2'),
  },
  {
    name: 'absolute-form request target becomes origin-form upstream',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET http://app.test:8080/abs?q=1 HTTP/1.1') }]) }),
    both: (o) => expect(o.received[0]?.target).toBe('/abs?q=1'),
  },
];
