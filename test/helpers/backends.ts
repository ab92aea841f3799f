/**
 * Tiny real backends on loopback for integration tests: an HTTP server that
 * answers a settable status (optionally late, or through a custom handler)
 * and a TCP server, both on ephemeral ports unless told otherwise, both
 * counting what they receive. `close()` drops open connections too, so it
 * resolves promptly and can stand in for "the backend died".
 */
import http from 'node:http';
import net from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface HttpBackendOptions {
  /** Status of the default answer (default 200). Can be changed later through `backend.status`. */
  status?: number;
  /** Wait this long before answering (default 0); the wait ends early if the client goes away. */
  delayMs?: number;
  /** Answers instead of the default; runs after `delayMs`. A handler that never ends the response makes a hanging backend. */
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Shown in the default body and the `x-backend` header (default `backend-<port>`). */
  name?: string;
  host?: string;
  /** A fixed port, for example to restart a backend where it was (default 0: ephemeral). */
  port?: number;
}

export interface HttpBackend {
  readonly url: string;
  readonly port: number;
  readonly name: string;
  readonly server: http.Server;
  /** Requests received so far. */
  readonly hits: number;
  readonly requests: RecordedRequest[];
  /** The status the default handler answers; settable. */
  status: number;
  delayMs: number;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

export async function startHttpBackend(opts: HttpBackendOptions = {}): Promise<HttpBackend> {
  const host = opts.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const server = http.createServer();
  await listen(server, host, opts.port ?? 0);
  const port = (server.address() as net.AddressInfo).port;
  const name = opts.name ?? `backend-${port}`;

  const backend: HttpBackend = {
    url: `http://${host}:${port}`,
    port,
    name,
    server,
    get hits() {
      return requests.length;
    },
    requests,
    status: opts.status ?? 200,
    delayMs: opts.delayMs ?? 0,
    close: () => closeServer(server, () => server.closeAllConnections()),
  };

  server.on('request', (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const answer = () => {
      if (res.destroyed) return;
      if (opts.handler) return opts.handler(req, res);
      res.writeHead(backend.status, { 'content-type': 'text/plain', 'x-backend': name });
      res.end(name);
    };
    if (backend.delayMs <= 0) return answer();
    const timer = setTimeout(answer, backend.delayMs);
    res.on('close', () => clearTimeout(timer));
  });
  return backend;
}

export interface TcpBackendOptions {
  /** Handles each connection; the default echoes what it receives. */
  onConnection?: (socket: net.Socket) => void;
  host?: string;
  port?: number;
}

export interface TcpBackend {
  /** `tcp://host:port` */
  readonly url: string;
  readonly port: number;
  readonly server: net.Server;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpBackend(opts: TcpBackendOptions = {}): Promise<TcpBackend> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a client's reset is not the test's business
    if (opts.onConnection) opts.onConnection(socket);
    else socket.pipe(socket);
  });
  await listen(server, host, opts.port ?? 0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `tcp://${host}:${port}`,
    port,
    server,
    get connections() {
      return connections;
    },
    close: () =>
      closeServer(server, () => {
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A loopback port that nothing listens on (it was free a moment ago): connecting to it is refused. */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await listen(server, host, 0);
  const port = (server.address() as net.AddressInfo).port;
  await closeServer(server, () => {});
  return port;
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes a server, dropping its connections first; a server already closed counts as closed. */
function closeServer(server: net.Server, dropConnections: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    dropConnections();
  });
}
