/**
 * Conformance cases from what real clients and servers do (issue 11): an
 * h2c upgrade offer, backends that frame 204/304 answers wrongly, Expect:
 * 100-continue and rejected uploads, 1xx, request head size limits, CONNECT,
 * OPTIONS * and malformed requests.
 */
import { expect } from 'vitest';
import { cleanHeaderOnlyThenOk, headersOf, receivedHeaders, statuses, type Case } from './case';
import { expectUpload, head, sequence } from './clients';
import { values } from './http-wire';

const MB = 1024 * 1024;
/** A GET on the same connection after the answer under test: it must still work. */
const next = (timeoutMs?: number) => ({ bytes: head('GET /next HTTP/1.1'), timeoutMs });

export const edgeCases: Case[] = [
  {
    name: 'Upgrade: h2c (curl --http2, the JDK HttpClient) served as HTTP/1.1 with the upgrade dropped',
    run: async (port) => ({
      responses: await sequence(port, [
        {
          bytes: head('GET /h2c HTTP/1.1', [
            ['Connection', 'Upgrade, HTTP2-Settings'],
            ['Upgrade', 'h2c'],
            ['HTTP2-Settings', 'AAMAAABkAAQCAAAAAAIAAAAA'],
            ['Accept', '*/*'],
          ]),
        },
        next(),
      ]),
    }),
    differsOnPurpose: 'HTTP2-Settings is named in Connection, so it is hop-by-hop (RFC 9110 §7.6.1, RFC 7540 §3.2.1); nginx drops Upgrade but passes HTTP2-Settings on',
    differs: ['received.headers.http2-settings'],
    both: (o) => {
      expect(statuses(o)).toEqual([200, 200]);
      expect(headersOf(o).upgrade, 'no upgrade offered back').toBeUndefined();
      expect(receivedHeaders(o).upgrade, 'Upgrade at the backend').toBeUndefined();
    },
    lbw: (o) => expect(receivedHeaders(o)['http2-settings'], 'HTTP2-Settings at the backend').toBeUndefined(),
  },
  {
    name: '204 from a backend that adds chunked framing: a clean header-only answer, the connection still works',
    scripts: { '/204-chunked': { respond: (_req, reply) => reply.raw('HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n') } },
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /204-chunked HTTP/1.1') }, next(), next()]) }),
    both: cleanHeaderOnlyThenOk(204),
  },
  {
    name: '204 from a backend that writes body bytes: a clean header-only answer, the connection still works',
    scripts: { '/204-body': { respond: (_req, reply) => reply.raw('HTTP/1.1 204 No Content\r\nX-Kind: stray\r\n\r\nhello') } },
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('DELETE /204-body HTTP/1.1') }, next(), next()]) }),
    both: cleanHeaderOnlyThenOk(204),
  },
  {
    name: '304 from a backend that writes body bytes: a clean header-only answer, the connection still works',
    scripts: { '/304-body': { respond: (_req, reply) => reply.raw('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 5\r\n\r\nhello') } },
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /304-body HTTP/1.1', [['If-None-Match', '"v1"']]) }, next(), next()]) }),
    both: cleanHeaderOnlyThenOk(304),
  },
  {
    name: 'Expect: 100-continue, 3 MB, backend answers 413 unread: the client sees the 413 before uploading (3 times)',
    scripts: { '/expect-reject': { onHead: (_req, reply) => reply.send(413, [['Content-Type', 'text/plain']], 'upload too large', { close: true }) } },
    run: async (port) => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await expectUpload(port, '/expect-reject', 3 * MB));
      return { responses: runs.map((r) => r.response), notes: { bodyBytesSent: runs.map((r) => r.bodyBytesSent) } };
    },
    differsOnPurpose:
      "nginx answers the 100 itself and takes the body, its backend never sees Expect; lbw passes Expect on and sends the body only after the backend's 100, so a rejection reaches the client before any upload (issue 11)",
    differs: ['interim', 'received', 'notes.bodyBytesSent'],
    both: (o) => {
      expect(statuses(o), 'the backend\'s 413, never a 502').toEqual([413, 413, 413]);
      expect(o.responses.map((r) => r.body.toString())).toEqual(['upload too large', 'upload too large', 'upload too large']);
    },
    lbw: (o) => {
      expect(o.notes.bodyBytesSent, 'body bytes the client sent before the answer').toEqual([0, 0, 0]);
      expect(o.responses.map((r) => r.interim.length), 'interim answers').toEqual([0, 0, 0]);
      expect(o.received.map((r) => [values(r.headers, 'expect').join(), r.body.length]), 'Expect and body bytes at the backend').toEqual([
        ['100-continue', 0],
        ['100-continue', 0],
        ['100-continue', 0],
      ]);
    },
  },
  {
    name: 'Expect: 100-continue, backend answers 100 and reads the body',
    scripts: {
      '/expect-accept': {
        onHead: (req, reply) => {
          if (values(req.headers, 'expect')[0]?.toLowerCase() === '100-continue') reply.raw('HTTP/1.1 100 Continue\r\n\r\n');
        },
        respond: (req, reply) => reply.send(200, [['Content-Type', 'text/plain']], `got ${req.body.length} bytes`),
      },
    },
    run: async (port) => {
      const r = await expectUpload(port, '/expect-accept', 256 * 1024);
      return { responses: [r.response], notes: { bodyBytesSent: r.bodyBytesSent } };
    },
    differsOnPurpose: "lbw passes Expect to the backend and relays the backend's 100; nginx sends its own 100 and drops Expect",
    differs: ['received.headers.expect'],
    both: (o) => {
      expect(statuses(o)).toEqual([200]);
      expect(o.responses[0]!.interim.map((i) => i.status)).toEqual([100]);
      expect(o.responses[0]!.body.toString()).toBe(`got ${256 * 1024} bytes`);
    },
    lbw: (o) => expect(receivedHeaders(o).expect, 'Expect at the backend').toBe('100-continue'),
  },
  {
    name: 'POST 3 MB without Expect, backend answers 413 unread and closes: the client gets the 413, never a 502 (3 times)',
    scripts: { '/reject-upload': { onHead: (_req, reply) => reply.send(413, [['Content-Type', 'text/plain']], 'upload too large', { close: true }) } },
    run: async (port) => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await expectUpload(port, '/reject-upload', 3 * MB, { expect: false }));
      return { responses: runs.map((r) => r.response), notes: { bodyBytesSent: runs.map((r) => r.bodyBytesSent) } };
    },
    timingDependent: { paths: ['received.body', 'received.complete', 'notes.bodyBytesSent'], why: 'how much of the upload got through before the answer depends on socket buffers and scheduling' },
    both: (o) => expect(statuses(o), "the backend's 413").toEqual([413, 413, 413]),
  },
  {
    name: 'request head just under 16 KiB accepted',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: headOfSize(16 * 1024 - 512, 1) }]) }),
    both: (o) => {
      expect(statuses(o)).toEqual([200]);
      expect(String(receivedHeaders(o)['x-big-0']).length).toBeGreaterThan(15_000);
    },
  },
  {
    name: 'one request header line over 16 KiB rejected',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: headOfSize(16 * 1024 + 512, 1) }]) }),
    ownAnswer: true,
    differsOnPurpose: 'lbw answers 431 Request Header Fields Too Large (RFC 6585 §5), the status made for this; nginx answers 400',
    differs: ['status'],
    both: (o) => expect(o.received, 'nothing reaches a backend').toEqual([]),
    lbw: (o) => expect(statuses(o)).toEqual([431]),
  },
  {
    name: 'request head over 16 KiB in total, every line under it',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: headOfSize(16 * 1024 + 2048, 3) }]) }),
    ownAnswer: true,
    differsOnPurpose:
      'lbw bounds the whole request head (limits.maxHeaderBytes, default 16 KiB, one number to reason about); nginx bounds each line (large_client_header_buffers 4 16k here) and takes up to 64 KiB in all',
    differs: ['status', 'received'],
    lbw: (o, nginx) => {
      expect(statuses(nginx), 'nginx (reference) accepts it').toEqual([200]);
      expect(statuses(o)).toEqual([431]);
      expect(o.received, 'nothing reaches a backend').toEqual([]);
    },
  },
  {
    name: 'CONNECT host:443 refused with a clear status',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('CONNECT example.com:443 HTTP/1.1', [], 'example.com:443') }]) }),
    ownAnswer: true,
    differsOnPurpose: 'lbw answers 405 Method Not Allowed with an Allow header (a reverse proxy does not tunnel; RFC 9110 §15.5.6); nginx answers 400',
    differs: ['status'],
    both: (o) => expect(o.received, 'nothing reaches a backend').toEqual([]),
    lbw: (o) => {
      expect(statuses(o)).toEqual([405]);
      expect(headersOf(o).allow, 'Allow on a 405').toBeDefined();
    },
  },
  {
    name: 'OPTIONS * answered by the proxy itself',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('OPTIONS * HTTP/1.1') }]) }),
    ownAnswer: true,
    differsOnPurpose:
      'OPTIONS * asks about the server itself (RFC 9110 §9.3.7), which here is the balancer: lbw answers it, 200 with Allow and no body; nginx answers 400',
    differs: ['status'],
    both: (o) => expect(o.received, 'nothing reaches a backend (least of all as OPTIONS /*)').toEqual([]),
    lbw: (o) => {
      expect(statuses(o)).toEqual([200]);
      expect(headersOf(o).allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      expect(o.responses[0]!.body.length).toBe(0);
    },
  },
  {
    name: '103 Early Hints from the backend, then the final answer',
    scripts: {
      '/early-hints': {
        respond: (_req, reply) => {
          reply.raw('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n');
          reply.send(200, [['Content-Type', 'text/plain'], ['Link', '</style.css>; rel=preload']], 'page');
        },
      },
    },
    // nginx keeps the connection busy after the 103 (see below): the follow-up's wait is short.
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /early-hints HTTP/1.1') }, next(1500)]) }),
    differsOnPurpose:
      'nginx 1.22 has no 1xx support: it sends the 103 on as if final, then the rest of the upstream bytes unframed, and the connection is stuck (the next request gets no answer); lbw relays the 103 as an interim answer, then the final one (RFC 9110 §15.2)',
    differs: ['status', 'interim', 'headers', 'body', 'trailers', 'received'],
    lbw: (o) => {
      expect(statuses(o)).toEqual([200, 200]);
      expect(o.received.map((r) => r.target), 'requests at the backends').toEqual(['/early-hints', '/next']);
      expect(o.responses[0]!.interim.map((i) => [i.status, values(i.headers, 'link')])).toEqual([[103, ['</style.css>; rel=preload']]]);
      expect(o.responses.map((r) => r.body.toString())).toEqual(['page', 'ok']);
    },
  },
  {
    name: 'malformed: HTTP/1.1 request without Host',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /no-host HTTP/1.1', [], null) }]) }),
    ownAnswer: true,
    both: (o) => expect(o.received, 'nothing reaches a backend').toEqual([]),
  },
  {
    name: 'malformed: both Content-Length and Transfer-Encoding (request smuggling)',
    run: async (port) => ({
      // Six bytes by Content-Length, an empty chunked body and a stray "G" by Transfer-Encoding.
      responses: await sequence(port, [{ bytes: `${head('POST /smuggle HTTP/1.1', [['Content-Length', '6'], ['Transfer-Encoding', 'chunked']])}0\r\n\r\nG` }]),
    }),
    ownAnswer: true,
    both: (o) => expect(o.received.map((r) => r.target), 'no request smuggled to a backend').not.toContain('G'),
  },
  {
    name: 'malformed: whitespace between a header name and the colon',
    run: async (port) => ({ responses: await sequence(port, [{ bytes: head('GET /bad-header HTTP/1.1', [['X-Bad ', 'value']]) }]) }),
    ownAnswer: true,
  },
];

/** A GET whose head is `size` bytes long, the padding spread over `lines` X-Big-N header lines. */
function headOfSize(size: number, lines: number): string {
  const base = head('GET /big-head HTTP/1.1').length;
  const perLine = Math.floor((size - base) / lines) - '\r\n'.length;
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < lines; i++) headers.push([`X-Big-${i}`, 'x'.repeat(perLine - `X-Big-${i}: `.length)]);
  return head('GET /big-head HTTP/1.1', headers);
}
