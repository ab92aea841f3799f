/**
 * Copies a backend's response body to the client: what `pipe` does here,
 * with one listener on each chunk instead of two, and on the client's
 * response only a 'drain' when it pushes back; the backend's trailers follow
 * the body. The watcher hears of each chunk (for byte counts and the idle
 * deadline) and of each wait for the client to read, so a gap while the
 * client does not read is not charged to the backend.
 */
import type http from 'node:http';

export interface RelayWatch {
  /** `bytes` more went to the client (or are on their way). */
  moved(bytes: number): void;
  /** True while the copy waits for the client to read; false once it reads again. */
  clientStalled(stalled: boolean): void;
}

export function relayBody(proxyRes: http.IncomingMessage, res: http.ServerResponse, watch: RelayWatch): void {
  const onDrain = () => {
    watch.clientStalled(false);
    proxyRes.resume();
  };
  proxyRes.on('data', (chunk: Buffer) => {
    watch.moved(chunk.length);
    if (!res.write(chunk) && !res.destroyed) {
      watch.clientStalled(true);
      proxyRes.pause();
      res.once('drain', onDrain);
    }
  });
  proxyRes.once('end', () => {
    if (proxyRes.rawTrailers.length > 0) res.addTrailers(pairsOf(proxyRes.rawTrailers));
    res.end();
  });
}

/** A flat `[name, value, ...]` list (raw headers, raw trailers) as pairs, names and order kept. */
export function pairsOf(flat: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
