/**
 * A request body that can be sent more than once. Each attempt gets a fresh
 * stream: what was already read from the client (kept while it fits in the
 * replay buffer), then the rest of the client's body as it arrives. Nothing
 * is read from the client until the attempt's upstream connection is up, so
 * a connect failure costs nothing and any body can go to the next backend.
 * Once the body outgrows the buffer the copy is dropped and the body streams
 * on without one: it can no longer be replayed after it was sent.
 */
import { PassThrough, type Readable } from 'node:stream';

export class ReplayBody {
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private overflowed = false;
  private ended = false;
  private current: PassThrough | undefined;
  // Listeners kept to be removed again; assigned in the constructor, where tsx does not wrap them to name them.
  private readonly onData: (chunk: Buffer) => void;
  private readonly onEnd: () => void;
  private readonly onDrain: () => void;
  /** Bytes read from the client so far. */
  bytesRead = 0;

  constructor(
    private readonly src: Readable,
    private readonly limit: number,
  ) {
    this.onData = (chunk) => this.forward(chunk);
    this.onEnd = () => {
      this.ended = true;
      this.current?.end();
    };
    this.onDrain = () => this.src.resume();
  }

  /** Everything read so far is still at hand, so the whole body can be sent again. */
  replayable(): boolean {
    return !this.overflowed;
  }

  /** A new, idle stream for one attempt; `start()` begins feeding it. Detaches the previous one. */
  open(): PassThrough {
    this.detach();
    const out = new PassThrough();
    this.current = out;
    return out;
  }

  /** Feeds the stream from `open()`: the kept bytes, then the client's body as it arrives. */
  start(): void {
    const out = this.current;
    if (!out) return;
    for (const chunk of this.kept) out.write(chunk);
    if (this.ended || this.src.readableEnded) {
      out.end();
      return;
    }
    out.on('drain', this.onDrain);
    this.src.on('data', this.onData);
    this.src.on('end', this.onEnd);
    this.src.resume();
  }

  /** Stops feeding the current stream (the attempt ended); the client's body waits, paused. */
  detach(): void {
    const out = this.current;
    if (!out) return;
    this.current = undefined;
    this.src.off('data', this.onData);
    this.src.off('end', this.onEnd);
    out.off('drain', this.onDrain);
    this.src.pause();
    out.destroy();
  }

  /** Drops the kept copy and lets what remains of the client's body drain away (the request is over). */
  discard(): void {
    this.detach();
    this.kept = [];
    if (!this.ended) this.src.resume();
  }

  private forward(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    if (!this.overflowed) {
      if (this.keptBytes + chunk.length <= this.limit) {
        this.kept.push(chunk);
        this.keptBytes += chunk.length;
      } else {
        this.overflowed = true;
        this.kept = [];
        this.keptBytes = 0;
      }
    }
    if (this.current && !this.current.write(chunk)) this.src.pause();
  }
}
