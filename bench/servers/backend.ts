/**
 * A fast HTTP backend for the bench: one process listening on every port it
 * is given, answering every request with the same small body once the request
 * body (if any) has been read, with the body's size in `x-received-bytes`.
 * Run in its own process so it never shares an event loop with the proxy
 * under test; the upload measurement uses it as the sink that proves every
 * byte arrived.
 *
 *   node --import tsx bench/servers/backend.ts <bodyBytes> <port>...
 */
import http from 'node:http';

const [bodyArg, ...portArgs] = process.argv.slice(2);
const body = Buffer.alloc(Number(bodyArg ?? 128), 'x');
body[body.length - 1] = 0x0a;
const headers = { 'content-type': 'text/plain', 'content-length': String(body.length) };

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.complete) {
    res.writeHead(200, headers).end(body);
    return;
  }
  let received = 0;
  req.on('data', (chunk: Buffer) => (received += chunk.length));
  req.on('end', () => res.writeHead(200, { ...headers, 'x-received-bytes': String(received) }).end(body));
}

for (const port of portArgs) {
  const server = http.createServer(answer);
  server.keepAliveTimeout = 65_000;
  server.listen(Number(port), '127.0.0.1');
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
