/**
 * Small socket helpers of the TCP data plane: piping through a chain of
 * Transforms, waiting for a socket's writes to leave, and the two ways a
 * bridged socket can close (cleanly, or with a reset).
 */
import type net from 'node:net';
import type { Readable, Transform, Writable } from 'node:stream';

/** Pipes through `shapers` into `dest`; returns where to write (the first shaper, or `dest` itself). */
export function chain(shapers: readonly Transform[], dest: Writable): Writable {
  let tail: Readable | undefined;
  for (const s of shapers) tail = tail ? tail.pipe(s) : s;
  tail?.pipe(dest);
  return shapers[0] ?? dest;
}

/** Resolves once the socket has handed everything written to the kernel, or is gone. */
export function flushed(socket: net.Socket): Promise<void> {
  if (socket.destroyed || socket.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/** The socket both received and sent a FIN: it closed the clean way. */
export function halfClosedBothWays(socket: net.Socket): boolean {
  return socket.readableEnded && socket.writableFinished;
}

/** Closes with a TCP reset (RST) rather than a FIN; a socket already gone is left alone. */
export function resetQuietly(socket: net.Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
