/**
 * The wire protocol between a host and the renderer's bridges. Types-only
 * apart from two small decoders, with no DOM or React imports, so the hosts
 * import it too: `lbw serve` (WebSocket) and electron/preload.ts (PreloadApi).
 *
 * WebSocket: one socket per page at `/ws?token=<per-run token>`. Every frame
 * is one JSON text message.
 *   client → server  RequestMessage  `{ id, name, input }`
 *   server → client  ReplyMessage    `{ id, result }`   (exactly one per request, same id)
 *                    PushMessage     `{ push }`         (events, stats ticks, load progress)
 * Errors travel inside `result` as data; a malformed request still gets a
 * reply when it carries an id.
 */
import type { CommandInput, CommandName, CommandOutput, Push, Result } from './index';

/** Path of the WebSocket endpoint and the query parameter that carries the token. */
export const WS_PATH = '/ws';
export const WS_TOKEN_PARAM = 'token';

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

export interface PushMessage {
  push: Push;
}

export type ClientMessage = RequestMessage;
export type ServerMessage = ReplyMessage | PushMessage;

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
  if (isObject(msg.push) && (msg.push.channel === 'event' || msg.push.channel === 'stats' || msg.push.channel === 'load')) {
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
