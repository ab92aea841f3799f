/**
 * The `X-Forwarded-*` headers, added once per request to the headers every
 * attempt sends (http-proxy's `xfwd` would do it on each attempt, writing into
 * `req.headers` in place). The client's address is appended to
 * X-Forwarded-For; Proto, Host and Port are set, not appended to, as nginx's
 * usual configuration does.
 */
import type http from 'node:http';

const PORT_IN_HOST = /:(\d+)/;

export function addForwardedHeaders(headers: http.IncomingHttpHeaders, req: http.IncomingMessage): void {
  const socket = req.socket as http.IncomingMessage['socket'] & { encrypted?: boolean; pair?: unknown };
  const encrypted = Boolean((req as { isSpdy?: boolean }).isSpdy) || Boolean(socket.encrypted || socket.pair);
  const port = headers.host?.match(PORT_IN_HOST);
  append(headers, 'x-forwarded-for', socket.remoteAddress);
  // The scheme, host and port are this listener's, whatever the client claims: a client must not
  // tell the application it came over https, or for another host (nginx's usual $scheme, $http_host).
  headers['x-forwarded-port'] = port ? port[1] : encrypted ? '443' : '80';
  headers['x-forwarded-proto'] = encrypted ? 'https' : 'http';
  headers['x-forwarded-host'] = headers.host ?? '';
}

/** Appends `value` to a comma-separated header: X-Forwarded-For keeps the chain of client addresses. */
function append(headers: http.IncomingHttpHeaders, name: string, value: string | undefined): void {
  const prior = headers[name];
  headers[name] = (prior || '') + (prior ? ',' : '') + value;
}
