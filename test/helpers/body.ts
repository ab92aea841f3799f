/** A request body read to its end by a test backend: how many bytes, and their SHA-256, to compare with what was sent. */
import { createHash } from 'node:crypto';
import type http from 'node:http';

export function digestBody(req: http.IncomingMessage, done: (body: { bytes: number; sha: string }) => void): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    hash.update(c);
  });
  req.on('end', () => done({ bytes, sha: hash.digest('hex') }));
}
