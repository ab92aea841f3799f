/**
 * A test client for browser mode's WebSocket: opens `/ws` on a loopback
 * port (with whatever handshake headers a case needs), keeps every frame the
 * host sends, and can present a token as the page does.
 */
import WebSocket from 'ws';
import { waitFor } from '../helpers/wait';

export interface Closed {
  code: number;
  reason: string;
}

export interface TestSocket {
  ws: WebSocket;
  /** Every frame the host sent, parsed as JSON (a frame that is not JSON is kept as its text). */
  frames: unknown[];
  /** Resolves when the socket closes, with the host's code and reason. */
  closed: Promise<Closed>;
  /** The frame that answered request `id` (null: the frames answering unreadable messages, in order). */
  replies(id: number | null): Array<{ id: number | null; result: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }>;
}

export interface OpenOptions {
  path?: string;
  headers?: Record<string, string>;
}

/** A reply or reject frame: it has a result (pushes and the auth answer do not). */
export function isReply(f: unknown): f is { id: number | null; result: unknown } {
  return typeof f === 'object' && f !== null && 'result' in f;
}

/** Opens the socket; rejects with the HTTP status when the handshake is refused (`Error.message` is `status <n>`). */
export function openSocket(port: number, opts: OpenOptions = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${opts.path ?? '/ws'}`, { headers: opts.headers, maxPayload: 64 * 1024 * 1024 });
    const frames: unknown[] = [];
    const closed = new Promise<Closed>((done) => ws.once('close', (code, reason) => done({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const text = data.toString();
      try {
        frames.push(JSON.parse(text));
      } catch {
        frames.push(text);
      }
    });
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        closed,
        replies: (id) => frames.filter((f) => isReply(f) && f.id === id) as ReturnType<TestSocket['replies']>,
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`status ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

/** The handshake's outcome: 101 when it upgrades, else the HTTP status that refused it. */
export async function handshakeStatus(port: number, opts: OpenOptions = {}): Promise<number> {
  try {
    const s = await openSocket(port, opts);
    s.ws.terminate();
    return 101;
  } catch (err) {
    const status = /^status (\d+)$/.exec((err as Error).message);
    if (!status) throw err;
    return Number(status[1]);
  }
}

/** Opens the socket and presents the token as the page does; resolves once the host accepted it. */
export async function openAuthed(port: number, token: string, opts: OpenOptions = {}): Promise<TestSocket> {
  const s = await openSocket(port, opts);
  s.ws.send(JSON.stringify({ auth: token }));
  await waitFor(() => s.frames.some((f) => (f as { auth?: string }).auth === 'ok'), { message: 'the host accepting the token' });
  return s;
}

/** Sends one request and waits for its reply. */
export async function request(s: TestSocket, id: number, name: string, input: unknown): Promise<ReturnType<TestSocket['replies']>[number]> {
  s.ws.send(JSON.stringify({ id, name, input }));
  return waitFor(() => s.replies(id)[0], { message: `the reply to request ${id} (${name})` });
}
