/**
 * Upgrades this proxy does not tunnel. Node hands every request with
 * `Connection: upgrade` to the server's 'upgrade' listener, detached from its
 * HTTP parser; but only a WebSocket handshake is tunnelled. Anything else
 * (`Upgrade: h2c` from `curl --http2` or the JDK's HttpClient, TLS/1.x
 * upgrades) is served as the plain HTTP/1.1 request it also is, as nginx
 * does: the upgrade headers are dropped and the request, rebuilt from its raw
 * head, is handed back to the HTTP server on the same socket, so keep-alive
 * and any body that follows work as for any request.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';

/** A WebSocket opening handshake (RFC 6455 §4.1): a GET asking to upgrade to websocket. */
export function isWebSocketUpgrade(req: http.IncomingMessage): boolean {
  return req.method === 'GET' && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Headers that only ask for the upgrade this proxy declines. */
const UPGRADE_ONLY = new Set(['upgrade', 'http2-settings']);

/** The request head as it came, without the upgrade offer (names keep their case and order). */
export function headWithoutUpgrade(req: http.IncomingMessage): Buffer {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (UPGRADE_ONLY.has(lower)) continue;
    let value = raw[i + 1]!;
    if (lower === 'connection') {
      // `Connection: Upgrade, HTTP2-Settings` names only what is dropped; `close` and the like stay.
      value = value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t && !UPGRADE_ONLY.has(t.toLowerCase()))
        .join(', ');
      if (!value) continue;
    }
    lines.push(`${name}: ${value}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Hands the socket back to `server` as a new connection whose first request is `req` without its upgrade offer. */
export function serveAsPlainRequest(server: http.Server, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.unshift(head.length > 0 ? Buffer.concat([headWithoutUpgrade(req), head]) : headWithoutUpgrade(req));
  server.emit('connection', socket);
}
