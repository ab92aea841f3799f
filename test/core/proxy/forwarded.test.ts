import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { addForwardedHeaders } from '../../../core/proxy/forwarded';

const fakeReq = (socket: object) => ({ socket }) as unknown as http.IncomingMessage;

describe('X-Forwarded-* headers', () => {
  it('adds for, port, proto and host after the other headers, like http-proxy xfwd', () => {
    const headers: http.IncomingHttpHeaders = { host: 'a.test:8080', accept: '*/*' };
    addForwardedHeaders(headers, fakeReq({ remoteAddress: '10.0.0.9' }));
    expect(Object.entries(headers)).toEqual([
      ['host', 'a.test:8080'],
      ['accept', '*/*'],
      ['x-forwarded-for', '10.0.0.9'],
      ['x-forwarded-port', '8080'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'a.test:8080'],
    ]);
  });

  it('appends to the client chain of X-Forwarded-For, and defaults the port by scheme', () => {
    const headers: http.IncomingHttpHeaders = { host: 'a.test', 'x-forwarded-for': '1.1.1.1' };
    addForwardedHeaders(headers, fakeReq({ remoteAddress: '10.0.0.9', encrypted: true }));
    expect(headers).toMatchObject({ 'x-forwarded-for': '1.1.1.1,10.0.0.9', 'x-forwarded-port': '443', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a.test' });
  });

  it("sets proto, host and port itself: a client cannot claim https or another host", () => {
    const headers: http.IncomingHttpHeaders = { host: 'a.test:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test', 'x-forwarded-port': '443' };
    addForwardedHeaders(headers, fakeReq({ remoteAddress: '10.0.0.9' }));
    expect(headers).toMatchObject({ 'x-forwarded-for': '10.0.0.9', 'x-forwarded-port': '8080', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'a.test:8080' });
  });
});
