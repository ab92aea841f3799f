/**
 * The `X-Forwarded-*` headers, added once per request to the headers every
 * attempt sends. This is http-proxy's `xfwd` pass (1.18.1, web-incoming.js)
 * done the same way, value for value and in the same order; http-proxy would
 * do it on each attempt, writing into `req.headers` in place, so each attempt
 * would need a fresh copy of the headers.
 */
import type http from 'node:http';

const PORT_IN_HOST = /:(\d+)/;

export function addForwardedHeaders(headers: http.IncomingHttpHeaders, req: http.IncomingMessage): void {
  const socket = req.socket as http.IncomingMessage['socket'] & { encrypted?: boolean; pair?: unknown };
  const encrypted = Boolean((req as { isSpdy?: boolean }).isSpdy) || Boolean(socket.encrypted || socket.pair);
  const port = headers.host?.match(PORT_IN_HOST);
  append(headers, 'x-forwarded-for', socket.remoteAddress);
  append(headers, 'x-forwarded-port', port ? port[1] : encrypted ? '443' : '80');
  append(headers, 'x-forwarded-proto', encrypted ? 'https' : 'http');
  headers['x-forwarded-host'] = headers['x-forwarded-host'] || headers.host || '';
}

/** Appends `value` to a comma-separated header, as http-proxy does (a missing value reads "undefined" there too). */
function append(headers: http.IncomingHttpHeaders, name: string, value: string | undefined): void {
  const prior = headers[name];
  headers[name] = (prior || '') + (prior ? ',' : '') + value;
}
