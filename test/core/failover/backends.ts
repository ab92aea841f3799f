/**
 * The failover matrix's backends, on real loopback sockets, each failing the
 * way a real failure does and each reporting to the cell's Ledger:
 *  - good: a Node HTTP server; a GET gets a small body, a POST is read in
 *    full and recorded by the id in its body; either is answered after
 *    SERVICE_MS, as a real backend takes a moment, so that requests are in
 *    flight at the backend when it dies;
 *  - killed: a good backend until `kill()`, which does what the death of its
 *    process does: the listening socket goes (later connects are refused) and
 *    every open connection with it (one with a request in flight is reset,
 *    an idle keep-alive one closed);
 *  - reset: accepts each connection and resets it at once, before reading a byte;
 *  - hang: accepts and reads requests (POST bodies are recorded) but never answers.
 */
import http from 'node:http';
import net from 'node:net';
import { REQUEST_ID_HEADER, type Ledger } from './ledger';

/** How long a good backend takes to answer. */
export const SERVICE_MS = 5;

export type BrokenKind = 'killed' | 'reset' | 'hang';
export type BackendKind = 'good' | BrokenKind;

export interface MatrixBackend {
  readonly name: string;
  readonly kind: BackendKind;
  readonly url: string;
  /** Kills a `killed` backend (a no-op for the others); resolves once it no longer listens. */
  kill(): Promise<void>;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/** The body of a POST: its id, which the backend records on receiving the whole body. */
export function postBody(id: string): string {
  return `post:${id}`;
}

export function startBackend(kind: BackendKind, name: string, ledger: Ledger): Promise<MatrixBackend> {
  switch (kind) {
    case 'good':
    case 'killed':
      return startServing(kind, name, ledger, true);
    case 'hang':
      return startServing(kind, name, ledger, false);
    case 'reset':
      return startReset(name, ledger);
  }
}

/** A Node HTTP backend that answers (good, killed) or only reads (hang). */
async function startServing(kind: BackendKind, name: string, ledger: Ledger, answers: boolean): Promise<MatrixBackend> {
  const server = http.createServer();
  const open = new Set<net.Socket>();
  /** Sockets with a request in flight: a kill resets these. */
  const busy = new Map<net.Socket, number>();
  server.on('connection', (socket: net.Socket) => {
    ledger.connection(name);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {}); // the proxy giving up on a connection is not this backend's error
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (busy.get(socket) ?? 1) - 1;
      if (n <= 0) busy.delete(socket);
      else busy.set(socket, n);
    });
    ledger.request(name, header(req, REQUEST_ID_HEADER));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      if (req.method === 'POST') {
        const body = Buffer.concat(chunks).toString();
        if (body.startsWith('post:')) ledger.postDelivered(name, body.slice('post:'.length));
      }
      if (!answers) return;
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        if (req.method === 'GET') ledger.getServed(name);
        const payload = req.method === 'POST' ? `${name} stored\n` : `${name}\n`;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(payload), 'x-backend': name });
        res.end(payload);
      }, SERVICE_MS);
      res.on('close', () => clearTimeout(timer));
    });
  });
  await listen(server);
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

  let closed: Promise<void> | undefined;
  /** Stops listening; a request in flight is reset (RST), an idle connection closed (FIN), as when a process dies. */
  const die = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of open) {
        if (busy.has(socket)) socket.resetAndDestroy();
        else socket.destroy();
      }
    });
    return closed;
  };
  return {
    name,
    kind,
    url,
    kill: () => (kind === 'killed' ? die() : Promise.resolve()),
    close: die,
  };
}

/** Accepts every connection and resets it at once, before reading a byte. */
async function startReset(name: string, ledger: Ledger): Promise<MatrixBackend> {
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    ledger.connection(name);
    socket.on('error', () => {});
    socket.resetAndDestroy();
  });
  await listen(server);
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    name,
    kind: 'reset',
    url,
    kill: () => Promise.resolve(),
    // Nothing stays open here: every connection was reset as it came.
    close: () => (closed ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
