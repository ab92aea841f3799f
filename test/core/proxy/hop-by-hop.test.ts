import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders, upstreamUpgradeHeaders } from '../../../core/proxy/hop-by-hop';

describe('hop-by-hop headers', () => {
  it('drops hop-by-hop request headers and those named in Connection', () => {
    const out = upstreamRequestHeaders({
      host: 'a.test',
      connection: 'keep-alive, X-Hop, x-other',
      'x-hop': '1',
      'x-other': '2',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'X-Sum',
      upgrade: 'h2c',
      'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA',
      expect: '100-continue',
      'content-length': '3',
      'x-end': 'kept',
    });
    // Expect is set again by each attempt itself; Trailer, end-to-end, goes only with a chunked body (next test).
    expect(out).toEqual({ host: 'a.test', 'content-length': '3', 'x-end': 'kept' });
    expect(upstreamRequestHeaders({ host: 'a.test', 'transfer-encoding': 'chunked', trailer: 'X-Sum' })).toEqual({ host: 'a.test', 'transfer-encoding': 'chunked', trailer: 'X-Sum' });
  });

  it('keeps a chunked body chunked', () => {
    expect(upstreamRequestHeaders({ host: 'a', 'transfer-encoding': 'gzip, chunked' })).toEqual({ host: 'a', 'transfer-encoding': 'chunked' });
  });

  it('keeps the upgrade for a WebSocket handshake, and nothing else hop-by-hop', () => {
    const out = upstreamUpgradeHeaders({ host: 'a', connection: 'Upgrade, X-Hop', upgrade: 'websocket', 'x-hop': '1', 'keep-alive': '5', 'sec-websocket-key': 'k' });
    expect(out).toEqual({ host: 'a', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });

  it('drops hop-by-hop response headers, keeping order, case and repeats of the rest', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'close, X-Hop', 'X-Hop', '1', 'Set-Cookie', 'a=1', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'b=2', 'Keep-Alive', 'timeout=5'];
    const parsed = { connection: 'close, X-Hop' };
    expect(downstreamResponseHeaders(raw, parsed)).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });
});

describe('hop-by-hop headers: the usual case', () => {
  it('Connection: keep-alive names nothing else; other Connection names still go', () => {
    expect(upstreamRequestHeaders({ host: 'a', connection: 'keep-alive', 'keep-alive': '5', accept: '*/*' })).toEqual({ host: 'a', accept: '*/*' });
    expect(upstreamRequestHeaders({ host: 'a', connection: 'close', close: 'x', accept: '*/*' })).toEqual({ host: 'a', accept: '*/*' });
    const raw = ['Content-Length', '2', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'X-Hop', '1'];
    expect(downstreamResponseHeaders(raw, { connection: 'keep-alive' })).toEqual(['Content-Length', '2', 'X-Hop', '1']);
    expect(downstreamResponseHeaders(raw, { connection: 'keep-alive, X-Hop' })).toEqual(['Content-Length', '2']);
  });
});
