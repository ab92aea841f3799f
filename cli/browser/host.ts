/**
 * Browser mode's host: the built renderer over HTTP and the contract over one
 * WebSocket per page, on 127.0.0.1 unless asked otherwise. Every request and
 * upgrade needs the per-run token; commands go to the same Workbench the
 * Electron main process would run.
 */
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { LbError } from '../../core/model/errors';
import type { Workbench } from '../../core/workbench';
import { decodeClientMessage, WS_PATH, WS_TOKEN_PARAM, type ServerMessage } from '../../core/contract/wire';
import { cookieToken, hostAllowed, newToken, originAllowed, sameToken, tokenCookie } from './auth';
import { serveStatic } from './static';

export interface BrowserHostOptions {
  workbench: Workbench;
  host: string;
  port: number;
  /** The built renderer. */
  staticDir: string;
  token?: string;
}

export interface BrowserHost {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** A page falling behind gets no more stats ticks until it catches up (events still go). */
const MAX_BUFFERED = 4 * 1024 * 1024;

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? newToken();
  let port = opts.port;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req.headers.host, opts.host, port)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden host');
      return;
    }
    const fromQuery = url.searchParams.get(WS_TOKEN_PARAM);
    if (!sameToken(fromQuery, token) && !sameToken(cookieToken(req), token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('unauthorized: open the URL that "lbw serve" printed (it carries the token)\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(opts.staticDir, url.pathname, res, sameToken(fromQuery, token) ? { 'set-cookie': tokenCookie(token) } : {});
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  server.on('upgrade', (req, socket: net.Socket, head) => {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ok =
      url.pathname === WS_PATH &&
      hostAllowed(req.headers.host, opts.host, port) &&
      originAllowed(req.headers.origin, opts.host, port) &&
      // The page may have been reopened without ?token= (its cookie carries it then).
      (sameToken(url.searchParams.get(WS_TOKEN_PARAM), token) || sameToken(cookieToken(req), token));
    if (!ok) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, opts.workbench));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new LbError('PORT_IN_USE', `port ${opts.port} on ${opts.host} is already in use (try --port 0)`) : err);
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as net.AddressInfo).port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    url: `http://${shownHost}:${port}/?${WS_TOKEN_PARAM}=${token}`,
    token,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One page: pushes out, commands in, replies by id. */
function connect(ws: WebSocket, workbench: Workbench): void {
  const send = (msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const unsubscribe = workbench.subscribe((push) => {
    if (push.channel === 'stats' && ws.bufferedAmount > MAX_BUFFERED) return;
    send({ push });
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const msg = decodeClientMessage(data.toString());
    if ('error' in msg) {
      if (msg.id !== null) send({ id: msg.id, result: { ok: false, error: { code: 'INPUT_INVALID', message: msg.error } } });
      return;
    }
    void workbench.invoke(msg.name, msg.input).then((result) => send({ id: msg.id, result }));
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', unsubscribe);
}
