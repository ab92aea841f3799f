/**
 * GET /api/events: the workbench's pushes as server-sent events. Each core
 * event is one SSE event named by its type (`event: faults:changed`, data:
 * the event as JSON); stats ticks (`event: stats`) with ?stats=1 and load
 * progress (`event: load`) with ?load=1. A comment line every keepAliveMs
 * keeps proxies and idle timers from closing a quiet stream.
 *
 * Backpressure: what a client has not read yet stays in the response's
 * buffer; once that passes maxBufferedBytes the client is dropped (the
 * stream is cut), so one stuck reader never holds the workbench's memory.
 */
import type http from 'node:http';
import type { Push } from '../../core/contract/events';

export interface EventStreamOptions {
  subscribe(listener: (push: Push) => void): () => void;
  keepAliveMs: number;
  maxBufferedBytes: number;
}

export function serveEvents(url: URL, res: http.ServerResponse, opts: EventStreamOptions): void {
  const stats = url.searchParams.get('stats') === '1';
  const load = url.searchParams.get('load') === '1';
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Tells nginx-style proxies in front not to buffer the stream.
    'x-accel-buffering': 'no',
  });
  res.socket?.setNoDelay(true);

  let closed = false;
  const write = (text: string) => {
    if (closed) return;
    res.write(text);
    if (res.writableLength > opts.maxBufferedBytes) drop();
  };
  const unsubscribe = opts.subscribe((push) => {
    if (push.channel === 'event') write(frame(push.event.type, push.event));
    else if (push.channel === 'stats' && stats) write(frame('stats', push.snapshot));
    else if (push.channel === 'load' && load) write(frame('load', push.progress));
  });
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), opts.keepAliveMs);
  keepAlive.unref();

  function cleanup(): void {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    unsubscribe();
  }
  function drop(): void {
    cleanup();
    res.destroy();
  }
  res.on('close', cleanup);
  write(': lbw events\nretry: 3000\n\n');
}

/** One SSE event; JSON never holds a raw line break, so `data` is one line. */
function frame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
