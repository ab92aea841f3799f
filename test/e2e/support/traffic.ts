/** Backends and proxy traffic from the test side, counted at the backends. */
import http from 'node:http';
import net from 'node:net';
import { startHttpBackend, startTcpBackend, type HttpBackend, type HttpBackendOptions, type TcpBackend, type TcpBackendOptions } from '../../helpers/backends';
import { sleep } from '../../helpers/wait';
import type { Stack } from './process';

/** The path the tests send proxy traffic to, so health checks (`/health`) are not counted as traffic. */
export const TRAFFIC_PATH = '/e2e';

/** A real HTTP backend on loopback, closed when the stack unwinds. */
export async function startBackend(stack: Stack, opts: HttpBackendOptions = {}): Promise<HttpBackend> {
  const backend = await startHttpBackend(opts);
  stack.defer(`close backend ${backend.name}`, () => backend.close());
  return backend;
}

/** A real TCP backend on loopback (an echo server unless told otherwise), closed when the stack unwinds. */
export async function startTcpEchoBackend(stack: Stack, opts: TcpBackendOptions = {}): Promise<TcpBackend> {
  const backend = await startTcpBackend(opts);
  stack.defer(`close tcp backend ${backend.url}`, () => backend.close());
  return backend;
}

/** Proxied requests a backend received (health checks excluded). */
export function trafficHits(backend: HttpBackend): number {
  return backend.requests.filter((r) => r.url.startsWith(TRAFFIC_PATH)).length;
}

export interface ProxyAnswer {
  status: number;
  /** The `x-backend` header the test backends set. */
  backend: string | undefined;
}

/** One request through the proxy on its own connection. */
export function proxyRequest(port: number, path = `${TRAFFIC_PATH}/req`): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, backend: res.headers['x-backend'] as string | undefined }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request to ${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** `n` requests one after another; answers counted by backend name. */
export async function sequentialRequests(port: number, n: number): Promise<{ byBackend: Record<string, number>; statuses: Record<number, number> }> {
  const byBackend: Record<string, number> = {};
  const statuses: Record<number, number> = {};
  for (let i = 0; i < n; i++) {
    const a = await proxyRequest(port);
    statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    if (a.backend) byBackend[a.backend] = (byBackend[a.backend] ?? 0) + 1;
  }
  return { byBackend, statuses };
}

export interface Load {
  sent(): number;
  statuses(): Record<number, number>;
  stop(): Promise<void>;
}

/**
 * Background traffic: one request at a time with a short pause between, until
 * stopped, so the UI has something to show. Stopped by the stack too.
 */
export function startLoad(stack: Stack, port: number, pauseMs = 40): Load {
  let running = true;
  let sent = 0;
  const statuses: Record<number, number> = {};
  const loop = (async () => {
    while (running) {
      try {
        const a = await proxyRequest(port);
        statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      } catch {
        statuses[0] = (statuses[0] ?? 0) + 1;
      }
      sent++;
      await sleep(pauseMs); // pacing only
    }
  })();
  const stop = async () => {
    running = false;
    await loop;
  };
  stack.defer('stop load', stop);
  return { sent: () => sent, statuses: () => ({ ...statuses }), stop };
}

/** One client connection through a TCP service, kept open. */
export interface TcpClient {
  readonly socket: net.Socket;
  /** Writes `text` and resolves with as many bytes as came back (an echo backend sends it all back). */
  echo(text: string): Promise<string>;
}

export interface TcpClients {
  clients: TcpClient[];
  /** Ends every connection and waits until each is closed. */
  closeAll(): Promise<void>;
}

function connectTcp(port: number): Promise<TcpClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(15_000, () => socket.destroy(new Error(`tcp connection to ${port} timed out`)));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // reported through echo() or close
      let received = '';
      let waiter: { want: number; resolve: (s: string) => void } | null = null;
      socket.on('data', (d: Buffer) => {
        received += d.toString();
        if (waiter && received.length >= waiter.want) {
          const got = received.slice(0, waiter.want);
          received = received.slice(waiter.want);
          const w = waiter;
          waiter = null;
          w.resolve(got);
        }
      });
      resolve({
        socket,
        echo: (text) =>
          new Promise((res, rej) => {
            socket.once('close', () => rej(new Error('the connection closed before the echo came back')));
            waiter = { want: text.length, resolve: res };
            socket.write(text);
          }),
      });
    });
  });
}

/**
 * Opens `n` connections to a TCP service one after another, `spacingMs`
 * apart (so they spread over several stats ticks), and keeps them open
 * until `closeAll()` or the stack unwinds.
 */
export async function openTcpClients(stack: Stack, port: number, n: number, spacingMs = 0): Promise<TcpClients> {
  const clients: TcpClient[] = [];
  const closeAll = async () => {
    await Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.socket.destroyed) return resolve();
            c.socket.once('close', () => resolve());
            c.socket.end();
            setTimeout(() => c.socket.destroy(), 2000).unref();
          }),
      ),
    );
  };
  stack.defer('close tcp clients', closeAll);
  for (let i = 0; i < n; i++) {
    clients.push(await connectTcp(port));
    if (spacingMs > 0) await sleep(spacingMs); // pacing only
  }
  return { clients, closeAll };
}
