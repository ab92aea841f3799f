/**
 * The WebSocket bridge used in browser mode (`lbw serve`): one socket to
 * `/ws`, the token presented in its first frame (never in the URL, where logs
 * and Referer headers would keep it), requests matched to replies by id,
 * pushes fanned out to subscribers. It counts as connected once the host has
 * accepted the token. It reconnects by itself with capped exponential
 * backoff; when the socket drops, every pending invoke resolves with a
 * `disconnected` error, and listeners hear `false` then `true` again, on
 * which the store re-fetches its state. A host that refuses the token
 * (WS_CLOSE_UNAUTHORIZED) is not retried: `onUnauthorized` says so.
 *
 * The WebSocket constructor is a parameter so tests can run in Node with the
 * `ws` package (Node 20 has no global WebSocket).
 */
import type { CommandName, Push, Result } from '../../core/contract';
import { decodeServerMessage, WS_CLOSE_UNAUTHORIZED, WS_PATH, type AuthMessage, type RequestMessage } from '../../core/contract/wire';
import { DISCONNECTED, type Bridge } from './types';

// Method syntax makes the handler parameter bivariant, so both the DOM
// WebSocket and `ws`'s WebSocket satisfy this interface.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket this bridge uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

const OPEN = 1;

export interface WebSocketBridgeOptions {
  /** This run's token, presented in the socket's first frame. */
  token: string;
  /** Called once when the host refuses the token; the bridge then stops. */
  onUnauthorized?: (reason: string) => void;
  /** Full ws(s) URL; defaults to the one derived from `location`. */
  url?: string;
  WebSocket?: WebSocketCtor;
  /** First reconnect delay; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Uniform in [0, 1), for jitter. */
  random?: () => number;
}

export interface WebSocketBridge extends Bridge {
  /** Closes the socket for good and stops reconnecting. */
  close(): void;
}

/** `ws(s)://<host>/ws` for a page served by `lbw serve`. */
export function websocketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}`;
}

export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const url = options.url ?? websocketUrl(globalThis.location);
  const Impl = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketCtor | undefined);
  if (!Impl) throw new Error('no WebSocket implementation available');
  const Ctor: WebSocketCtor = Impl;
  const initialDelayMs = options.initialDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const random = options.random ?? Math.random;

  const pushListeners = new Set<(push: Push) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let connected = false;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function setConnected(value: boolean): void {
    if (connected === value) return;
    connected = value;
    for (const l of [...connectionListeners]) l(value);
  }

  function failPending(): void {
    const waiting = [...pending.values()];
    pending.clear();
    for (const resolve of waiting) resolve({ ok: false, error: DISCONNECTED });
  }

  function scheduleReconnect(): void {
    if (closed || timer !== undefined) return;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
    attempt++;
    // Up to 20% jitter, so many tabs do not reconnect in lockstep.
    const delay = base * (0.8 + 0.2 * random());
    timer = setTimeout(() => {
      timer = undefined;
      open();
    }, delay);
  }

  function open(): void {
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      const auth: AuthMessage = { auth: options.token };
      try {
        ws.send(JSON.stringify(auth));
      } catch {
        ws.close();
      }
    };
    ws.onmessage = (event) => {
      if (socket !== ws || typeof event.data !== 'string') return;
      const msg = decodeServerMessage(event.data);
      if (!msg) return;
      if ('auth' in msg) {
        attempt = 0;
        setConnected(true);
      } else if ('push' in msg) {
        for (const l of [...pushListeners]) l(msg.push);
      } else if (msg.id === null) {
        // The host could not read something this page sent: a bug here, worth a line in the console.
        console.warn(`lbw: the workbench could not read a message: ${msg.result.error.message}`);
      } else {
        const resolve = pending.get(msg.id);
        if (!resolve) return;
        pending.delete(msg.id);
        resolve(msg.result);
      }
    };
    // `error` is always followed by `close`; all the work happens there.
    ws.onerror = () => {};
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      failPending();
      setConnected(false);
      if (event.code === WS_CLOSE_UNAUTHORIZED) {
        closed = true;
        options.onUnauthorized?.(event.reason);
        return;
      }
      scheduleReconnect();
    };
  }

  open();

  return {
    invoke(name, input) {
      const ws = socket;
      if (!ws || !connected || ws.readyState !== OPEN) return Promise.resolve({ ok: false, error: DISCONNECTED });
      const id = nextId++;
      const message: RequestMessage<CommandName> = { id, name, input };
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: Result<unknown>) => void);
        try {
          ws.send(JSON.stringify(message));
        } catch {
          pending.delete(id);
          resolve({ ok: false, error: DISCONNECTED });
        }
      });
    },
    subscribe(listener) {
      pushListeners.add(listener);
      return () => void pushListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(connected);
      return () => void connectionListeners.delete(listener);
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const ws = socket;
      socket = null;
      failPending();
      setConnected(false);
      ws?.close();
    },
  };
}
