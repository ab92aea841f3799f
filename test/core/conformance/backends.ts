/**
 * Scripted HTTP/1.1 backends for the conformance test, on raw sockets
 * (node:net) so they can do what a Node http server will not: answer 413
 * before reading a body with `Expect: 100-continue` pending (Node sends the
 * 100 itself), or write body bytes after a 204, 304 or HEAD answer, as some
 * real servers do. Each backend records every request it received exactly:
 * method, target, header lines as sent, body bytes and trailers.
 *
 * Behaviour is chosen by path (the target's path before any `?`), the same
 * for every backend, so a case sees the same backend whichever the balancer
 * picks. A connection is served in order, request after request (keep-alive),
 * until either side closes it.
 */
import net from 'node:net';
import { chunked, formatHead, parseBody, parseHead, requestFraming, type Body, type Head, type RawHeaders } from './http-wire';

export interface ReceivedRequest {
  backend: string;
  /** Which of the backend's connections carried it (1, 2, ...). */
  connection: number;
  method: string;
  target: string;
  version: string;
  headers: RawHeaders;
  body: Buffer;
  trailers: RawHeaders;
  /** The whole body arrived (false when the answer went out first and the body never came). */
  complete: boolean;
}

/** What a script may do with the request in hand. */
export interface Reply {
  /** The backend's own port (a redirect to itself names it). */
  readonly port: number;
  readonly backend: string;
  /** Writes a complete answer; the body is framed with Content-Length unless `chunks` or a framing header says otherwise. */
  send(status: number, headers: RawHeaders, body?: string | Buffer, opts?: SendOptions): void;
  /** Writes bytes as they are: for answers no correct server would give. */
  raw(bytes: string | Buffer): void;
}

export interface SendOptions {
  /** Send the body chunked, in these parts, then these trailers. */
  chunks?: Array<string | Buffer>;
  trailers?: RawHeaders;
  /** Close the connection after the answer (reading and dropping whatever the peer still sends). */
  close?: boolean;
  reason?: string;
}

export interface Script {
  /** Runs as soon as the head arrived, before the body is read: to answer 100, or to reject an upload unread (with `close`). */
  onHead?(req: ReceivedRequest, reply: Reply): void;
  /** Runs once the whole request arrived, unless `onHead` closed the connection. */
  respond?(req: ReceivedRequest, reply: Reply): void;
}

export interface ScriptedBackends {
  readonly ports: number[];
  readonly names: string[];
  /** Requests received since the last `take()`, in arrival order across backends. */
  take(): ReceivedRequest[];
  /** Resolves when every recorded request is complete or its connection has closed, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  100: 'Continue', 103: 'Early Hints', 200: 'OK', 204: 'No Content', 206: 'Partial Content', 302: 'Found',
  304: 'Not Modified', 404: 'Not Found', 413: 'Content Too Large', 416: 'Range Not Satisfiable',
};
/** How long a closing connection keeps reading (and dropping) what the peer still sends: a lingering close. */
const LINGER_MS = 3000;

export async function startScriptedBackends(count: number, scripts: Record<string, Script>, fallback: Script): Promise<ScriptedBackends> {
  let log: ReceivedRequest[] = [];
  const pending = new Set<{ req: ReceivedRequest; socket: net.Socket }>();
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const ports: number[] = [];
  const names: string[] = [];
  let changed: (() => void) | undefined;
  const notify = () => changed?.();

  for (let i = 0; i < count; i++) {
    const name = `b${i}`;
    let connections = 0;
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        notify();
      });
      socket.on('error', () => {}); // a proxy's reset is part of what is observed, not a crash
      serve(socket, ++connections);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    servers.push(server);
    ports.push(port);
    names.push(name);

    function serve(socket: net.Socket, connection: number): void {
      let buf: Buffer = Buffer.alloc(0);
      let head: Head | undefined;
      let current: { req: ReceivedRequest; socket: net.Socket } | undefined;
      let closing = false;

      const reply = (): Reply => ({
        port,
        backend: name,
        raw: (bytes) => void socket.write(bytes),
        send: (status, headers, body, opts = {}) => {
          const all: RawHeaders = [...headers];
          const has = (n: string) => all.some(([k]) => k.toLowerCase() === n);
          let payload: Buffer;
          if (opts.chunks) {
            if (!has('transfer-encoding')) all.push(['Transfer-Encoding', 'chunked']);
            payload = chunked(opts.chunks, opts.trailers);
          } else {
            payload = Buffer.from(body ?? '');
            if (!has('content-length') && !has('transfer-encoding')) all.push(['Content-Length', String(payload.length)]);
          }
          if (opts.close) all.push(['Connection', 'close']);
          socket.write(formatHead(`HTTP/1.1 ${status} ${opts.reason ?? REASONS[status] ?? 'Status'}`, all));
          socket.write(payload);
          if (opts.close) {
            closing = true;
            // The request will not be read any further: it counts as settled.
            if (current) pending.delete(current);
            notify();
            socket.end();
            setTimeout(() => socket.destroy(), LINGER_MS).unref();
          }
        },
      });

      const scriptFor = (target: string) => scripts[target.split('?')[0]!] ?? fallback;

      const step = (ended: boolean): void => {
        for (;;) {
          if (closing) return;
          if (!head) {
            const h = parseHead(buf);
            if (h.kind === 'more') return;
            if (h.kind === 'bad') {
              socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
              closing = true;
              return;
            }
            head = h.value;
            buf = buf.subarray(head.length);
            const [method, target, version] = head.start;
            const req: ReceivedRequest = { backend: name, connection, method, target, version, headers: head.headers, body: Buffer.alloc(0), trailers: [], complete: false };
            log.push(req);
            current = { req, socket };
            pending.add(current);
            notify();
            scriptFor(target).onHead?.(req, reply());
            if (closing) return;
          }
          const framing = requestFraming(head.headers);
          const b = parseBody(buf, 0, framing.kind === 'close' ? { kind: 'none' } : framing, ended);
          if (b.kind === 'more') return;
          if (b.kind === 'bad') {
            socket.destroy();
            return;
          }
          finish(b.value);
        }
      };

      const finish = (b: Body): void => {
        const { req } = current!;
        req.body = Buffer.from(b.body);
        req.trailers = b.trailers;
        req.complete = true;
        buf = buf.subarray(b.length);
        pending.delete(current!);
        current = undefined;
        head = undefined;
        notify();
        scriptFor(req.target).respond?.(req, reply());
      };

      socket.on('data', (chunk: Buffer) => {
        if (closing) return; // lingering: read and drop
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        step(false);
      });
      socket.on('end', () => step(true));
      socket.on('close', () => {
        if (current) pending.delete(current);
      });
    }
  }

  return {
    ports,
    names,
    take: () => {
      const out = log;
      log = [];
      return out;
    },
    settled: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      // Only this case's requests count: those still in the log, on connections still open.
      while ([...pending].some((p) => log.includes(p.req) && !p.socket.destroyed) && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          changed = () => {
            clearTimeout(t);
            resolve();
          };
        });
        changed = undefined;
      }
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}
