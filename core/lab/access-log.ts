/**
 * The access log as JSON lines (`lbw run --access-log FILE`, `-` for
 * stdout): one line per request, written in batches. Records are joined into
 * one string and handed to the stream once per turn of the event loop, so a
 * busy proxy makes few writes; writes never block it. Should the file fall
 * behind by more than `maxBufferedBytes`, records are dropped and counted
 * rather than held without bound.
 */
import { createWriteStream, openSync } from 'node:fs';
import { LbError } from '../model/errors';
import type { AccessRecord } from './types';

/** A stream to write lines to: a file, or stdout (whose buffered length is known when it is a Node stream). */
type Sink = NodeJS.WritableStream & { readonly writableLength?: number };

/** What may wait for the file before records are dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class AccessLogWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  /** Records dropped because the file fell behind. */
  dropped = 0;
  /** Records handed to the stream. */
  written = 0;
  private failed: Error | undefined;

  constructor(
    private readonly stream: Sink,
    private readonly opts: { ownsStream: boolean; maxBufferedBytes?: number; onError?: (err: Error) => void } = { ownsStream: true },
  ) {
    stream.on('error', (err: Error) => {
      if (this.failed) return;
      this.failed = err;
      this.opts.onError?.(err);
    });
  }

  /** Queues one record (a JSON line); never blocks and never throws. */
  write(record: AccessRecord): void {
    if (this.failed) return;
    const line = `${JSON.stringify(record)}\n`;
    if ((this.stream.writableLength ?? 0) + this.pendingBytes + line.length > (this.opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES)) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands what is queued to the stream. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.failed) return;
    const text = this.pending.join('');
    this.written += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.stream.write(text);
  }

  /** Writes what is queued and, for a file, closes it once written. */
  close(): Promise<void> {
    this.flush();
    if (!this.opts.ownsStream || this.failed) return Promise.resolve();
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

/**
 * Opens the access log: `-` is stdout, anything else a file opened for
 * appending (created if missing). Opened at once, so a bad path fails before
 * the balancer starts: CONFIG_INVALID naming it.
 */
export function openAccessLog(path: string, stdout: Sink, onError?: (err: Error) => void): AccessLogWriter {
  if (path === '-') return new AccessLogWriter(stdout, { ownsStream: false, onError });
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw new LbError('CONFIG_INVALID', `cannot open the access log ${path}: ${(err as Error).message}`);
  }
  return new AccessLogWriter(createWriteStream(path, { fd }), { ownsStream: true, onError });
}
