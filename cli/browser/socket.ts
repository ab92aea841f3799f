/**
 * One page's WebSocket in browser mode: the token first, then commands in,
 * replies by id and pushes out. Every frame gets an answer a client can act
 * on: a reply (with the request's id, or id null when the frame had none), or
 * a close with a code and a reason; never a silent drop.
 */
import type { WebSocket } from 'ws';
import type { ErrorData } from '../../core/contract';
import {
  decodeAuthMessage,
  decodeClientMessage,
  WS_CLOSE_TOO_BIG,
  WS_CLOSE_UNAUTHORIZED,
  WS_MAX_MESSAGE_BYTES,
  type ServerMessage,
} from '../../core/contract/wire';
import type { Workbench } from '../../core/workbench';
import { sameToken } from './auth';

/** A page falling behind gets no more stats ticks until it catches up (events still go). */
const MAX_BUFFERED = 4 * 1024 * 1024;

/**
 * Reasons for the closes `ws` makes on its own when a frame breaks the
 * protocol (it sends the code alone). A close reason is at most 123 bytes.
 */
const PROTOCOL_CLOSE_REASONS: Record<number, string> = {
  1002: 'protocol error',
  1007: 'a text frame must be valid UTF-8',
  [WS_CLOSE_TOO_BIG]: `message too big: at most ${WS_MAX_MESSAGE_BYTES} bytes per message`,
};

export interface SocketOptions {
  workbench: Workbench;
  token: string;
  /** How long a socket may stay open without presenting the token. */
  authTimeoutMs: number;
}

export function serveSocket(ws: WebSocket, opts: SocketOptions): void {
  // `ws` closes a socket that sends an oversized or broken frame with the
  // code alone; give those closes their reason.
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string | Buffer) => close(code, reason ?? (code === undefined ? undefined : PROTOCOL_CLOSE_REASONS[code]));

  const send = (msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const reject = (id: number | null, error: ErrorData) => {
    const result = { ok: false as const, error };
    send(id === null ? { id, result } : { id, result });
  };

  let unsubscribe: (() => void) | undefined;
  const authTimer = setTimeout(() => ws.close(WS_CLOSE_UNAUTHORIZED, 'unauthorized: no token presented in time'), opts.authTimeoutMs);

  function authenticate(data: Buffer, isBinary: boolean): void {
    const given = isBinary ? undefined : decodeAuthMessage(data.toString());
    if (!sameToken(given, opts.token)) {
      ws.close(WS_CLOSE_UNAUTHORIZED, 'unauthorized: open the URL that lbw serve printed (it carries the token)');
      return;
    }
    clearTimeout(authTimer);
    send({ auth: 'ok' });
    unsubscribe = opts.workbench.subscribe((push) => {
      if (push.channel === 'stats' && ws.bufferedAmount > MAX_BUFFERED) return;
      send({ push });
    });
  }

  function request(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      reject(null, { code: 'INPUT_INVALID', message: 'binary frames are not read: send each request as one JSON text frame' });
      return;
    }
    const msg = decodeClientMessage(data.toString());
    if ('error' in msg) {
      reject(msg.id, { code: 'INPUT_INVALID', message: msg.error });
      return;
    }
    opts.workbench.invoke(msg.name, msg.input).then(
      (result) => send({ id: msg.id, result }),
      // Workbench.invoke answers errors as data; this is only a last line.
      (err: unknown) => reject(msg.id, { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }),
    );
  }

  ws.on('message', (data: Buffer, isBinary) => {
    if (ws.readyState !== ws.OPEN) return;
    if (unsubscribe === undefined) authenticate(data, isBinary);
    else request(data, isBinary);
  });
  // A broken frame (WS_ERR_*) already started a close with its code; anything else is the socket itself.
  ws.on('error', (err: NodeJS.ErrnoException) => {
    if (!String(err.code).startsWith('WS_ERR_')) ws.terminate();
  });
  ws.on('close', () => {
    clearTimeout(authTimer);
    unsubscribe?.();
  });
}
