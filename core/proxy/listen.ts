/**
 * What both data planes do to open and close their listeners: bind with the
 * errors a person can act on (`PORT_IN_USE`, `IO_ERROR`), name the bound
 * address the way the UI shows it, and wait for sockets to finish closing.
 */
import type net from 'node:net';
import { LbError } from '../model/errors';

/**
 * Binds `server` to `host:port` and resolves with the bound `host:port` (IPv6
 * in brackets) and port; `hint` ends a port-in-use message (`try --port 0`). After binding, the server gets a no-op `error`
 * listener: a listening server reports nothing else worth crashing for.
 */
export function listenOn(server: net.Server, host: string, port: number, hint?: string): Promise<{ address: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new LbError('PORT_IN_USE', `port ${port} on ${host} is already in use${hint ? ` (${hint})` : ''}`)
          : new LbError('IO_ERROR', `cannot listen on ${host}:${port}: ${err.message}`),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', () => {});
      const info = server.address() as net.AddressInfo;
      const address = info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
      resolve({ address, port: info.port });
    });
  });
}

/** Resolves once the socket has closed (at once if it already has). */
export function closed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** The host to print in a URL for a listener on `host`: a wildcard as 127.0.0.1, IPv6 in brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
