/**
 * The wire protocol between a host and the renderer's bridges. Types-only
 * apart from small decoders, with no DOM or React imports, so the hosts
 * import it too: `lbw serve` (WebSocket) and electron/preload.ts (PreloadApi).
 *
 * WebSocket: one socket per page at `/ws`. Every frame is one JSON text message.
 *   client → server  AuthMessage     `{ auth: "<per-run token>" }`  the first frame, once
 *   server → client  AuthOkMessage   `{ auth: "ok" }`                then pushes flow
 *   client → server  RequestMessage  `{ id, name, input }`
 *   server → client  ReplyMessage    `{ id, result }`   (exactly one per request, same id)
 *                    RejectMessage   `{ id: null, result: { ok: false, error } }`
 *                                    (a frame that is not a request: not JSON, no numeric id, binary)
 *                    PushMessage     `{ push }`         (events, stats ticks, load progress)
 * Every frame after the auth gets exactly one answer. Errors travel inside
 * `result` as data. The token never travels in a URL: the page gets it from
 * its address's fragment (`#token=…`, never sent to a server) and presents it
 * in the first frame. A wrong or missing token closes the socket with
 * WS_CLOSE_UNAUTHORIZED; a frame over WS_MAX_MESSAGE_BYTES with 1009; both
 * with a reason a person can read.
 */
import type { CommandInput, CommandName, CommandOutput, ErrorData, Push, Result } from './index';

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/ws';
/** The key the token goes by in the printed URL's fragment: `http://127.0.0.1:4280/#token=…`. */
export const TOKEN_PARAM = 'token';
/** The largest frame a host reads (1 MiB); a bigger one closes the socket with 1009. */
export const WS_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Close code for a socket whose first frame did not carry this run's token (4000-4999 are the application's). */
export const WS_CLOSE_UNAUTHORIZED = 4401;
/** Close code for a frame over WS_MAX_MESSAGE_BYTES (RFC 6455 "message too big"). */
export const WS_CLOSE_TOO_BIG = 1009;

export interface AuthMessage {
  auth: string;
}

export interface AuthOkMessage {
  auth: 'ok';
}

export interface RequestMessage<K extends CommandName = CommandName> {
  /** Chosen by the client, unique per socket; the reply echoes it. */
  id: number;
  name: K;
  input: CommandInput<K>;
}

export interface ReplyMessage<T = unknown> {
  id: number;
  result: Result<T>;
}

/** The answer to a frame that could not be read as a request, so there is no id to echo. */
export interface RejectMessage {
  id: null;
  result: { ok: false; error: ErrorData };
}

export interface PushMessage {
  push: Push;
}

export type ClientMessage = AuthMessage | RequestMessage;
export type ServerMessage = AuthOkMessage | ReplyMessage | RejectMessage | PushMessage;

/**
 * What electron/preload.ts exposes as `window.lbw` through contextBridge:
 * `invoke` answers every command with a Result (never rejects on a command
 * error), `subscribe` delivers every Push and returns an unsubscribe.
 */
export interface PreloadApi {
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>>;
  subscribe(listener: (push: Push) => void): () => void;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A server frame decoded on the client, or undefined when it is not one.
 * Only the envelope is checked; the payload is the host's, typed by the contract.
 */
export function decodeServerMessage(text: string): ServerMessage | undefined {
  const msg = parseJson(text);
  if (!isObject(msg)) return undefined;
  if (typeof msg.id === 'number' && isObject(msg.result) && typeof msg.result.ok === 'boolean') {
    return msg as unknown as ReplyMessage;
  }
  if (msg.id === null && isObject(msg.result) && msg.result.ok === false && isObject(msg.result.error)) {
    return msg as unknown as RejectMessage;
  }
  if (msg.auth === 'ok') return { auth: 'ok' };
  if (isObject(msg.push) && (msg.push.channel === 'event' || msg.push.channel === 'stats' || msg.push.channel === 'load' || msg.push.channel === 'lab')) {
    return msg as unknown as PushMessage;
  }
  return undefined;
}

/**
 * A client frame decoded on the server. The name is left as a string: the
 * host checks it with `isCommandName` (answering UNKNOWN_COMMAND with the
 * same id) and the Workbench validates the input.
 */
export function decodeClientMessage(text: string): { id: number; name: string; input: unknown } | { id: number | null; error: string } {
  const msg = parseJson(text);
  if (!isObject(msg)) return { id: null, error: 'a request must be a JSON object' };
  const id = typeof msg.id === 'number' && Number.isFinite(msg.id) ? msg.id : null;
  if (id === null) return { id: null, error: 'a request needs a numeric id' };
  if (typeof msg.name !== 'string') return { id, error: 'a request needs a command name' };
  return { id, name: msg.name, input: msg.input ?? {} };
}

/** The token a socket's first frame presents, or undefined when that frame is not an AuthMessage. */
export function decodeAuthMessage(text: string): string | undefined {
  const msg = parseJson(text);
  return isObject(msg) && typeof msg.auth === 'string' ? msg.auth : undefined;
}
