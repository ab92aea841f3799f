/**
 * Browser mode's host: the built renderer over HTTP and the contract over one
 * WebSocket per page, on 127.0.0.1 unless asked otherwise. The static files
 * hold no secrets and are served to any loopback Host; the WebSocket, which
 * controls the workbench, wants the page's own Origin and the per-run token
 * in its first frame (see auth.ts for why the token never sits in a cookie
 * or a URL a server sees). No response sets a cookie.
 */
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';
import { listenOn, urlHost } from '../../core/proxy/listen';
import type { Workbench } from '../../core/workbench';
import { TOKEN_PARAM, WS_MAX_MESSAGE_BYTES, WS_PATH } from '../../core/contract/wire';
import { hostAllowed, newToken, originAllowed, sameToken } from './auth';
import { serveSocket } from './socket';
import { serveStatic } from './static';

export interface BrowserHostOptions {
  workbench: Workbench;
  host: string;
  port: number;
  /** The built renderer. */
  staticDir: string;
  token?: string;
  /** How long a WebSocket may stay open without presenting the token; 10 s by default. */
  authTimeoutMs?: number;
}

export interface BrowserHost {
  /** The URL to open: the token in its fragment, which the browser keeps to itself. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? newToken();
  const authTimeoutMs = opts.authTimeoutMs ?? 10_000;
  let port = opts.port;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES });

  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    if (!hostAllowed(req.headers.host, opts.host, port)) {
      res.writeHead(403, TEXT).end('forbidden host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The URL form of earlier versions (`/?token=…`): moved into the fragment,
    // where no server sees it again, and never written to any log.
    if (url.searchParams.has(TOKEN_PARAM)) {
      if (sameToken(url.searchParams.get(TOKEN_PARAM), token)) {
        res.writeHead(303, { location: `/#${TOKEN_PARAM}=${token}`, 'referrer-policy': 'no-referrer', ...TEXT }).end();
      } else {
        res.writeHead(401, TEXT).end('this is not the token of this workbench: open the URL that "lbw serve" printed\n');
      }
      return;
    }
    serveStatic(opts.staticDir, url.pathname, res);
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  server.on('upgrade', (req, socket: net.Socket, head) => {
    socket.on('error', () => {});
    const refuse = (status: string, why: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return refuse('404 Not Found', 'not found\n');
    if (!hostAllowed(req.headers.host, opts.host, port)) return refuse('403 Forbidden', 'forbidden host\n');
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuse('403 Forbidden', 'forbidden origin\n');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, { workbench: opts.workbench, token, authTimeoutMs }));
  });

  ({ port } = await listenOn(server, opts.host, opts.port, 'try --port 0'));
  const shownHost = urlHost(opts.host);

  return {
    url: `http://${shownHost}:${port}/#${TOKEN_PARAM}=${token}`,
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
