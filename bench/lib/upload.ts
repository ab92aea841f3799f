/**
 * A large upload through a proxy, watching its memory: POSTs `mb` MB (one
 * reused 64 KB chunk, honouring backpressure) to a backend that reads it all
 * before answering with the byte count, and samples the proxy's RSS every
 * 20 ms. A proxy that streams holds a few MB more than at rest; one that
 * buffers the body grows by its size.
 */
import http from 'node:http';
import { peakRssMb, resetPeakRss, rssMb } from './proc-stats';

export interface UploadResult {
  mb: number;
  status: number | undefined;
  /** What the backend says it received (its `x-received-bytes`), in bytes. */
  receivedBytes: number | undefined;
  seconds: number;
  mbPerSecond: number;
  /** RSS just before the upload. */
  rssBeforeMb: number | undefined;
  /** Highest RSS seen during the upload (sampled, and VmHWM when it could be reset). */
  peakRssMb: number | undefined;
  error?: string;
}

const CHUNK = Buffer.alloc(64 * 1024, 'u');

export async function measureUpload(url: string, pids: () => number[], mb: number, timeoutMs = 60_000): Promise<UploadResult> {
  const total = mb * 1024 * 1024;
  const rssBeforeMb = rssMb(pids());
  const hwmReset = resetPeakRss(pids());
  let peak = rssBeforeMb ?? 0;
  const sampler = setInterval(() => {
    const r = rssMb(pids());
    if (r !== undefined && r > peak) peak = r;
  }, 20);
  const started = process.hrtime.bigint();
  let status: number | undefined;
  let receivedBytes: number | undefined;
  let error: string | undefined;
  try {
    ({ status, receivedBytes } = await post(url, total, timeoutMs));
    if (receivedBytes !== total) error = `the backend received ${receivedBytes ?? 'an unknown number of'} bytes of ${total}`;
  } catch (err) {
    error = (err as Error).message;
  } finally {
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const hwm = hwmReset ? peakRssMb(pids()) : undefined;
  const result: UploadResult = {
    mb,
    status,
    receivedBytes,
    seconds,
    mbPerSecond: mb / seconds,
    rssBeforeMb,
    peakRssMb: Math.max(peak, hwm ?? 0) || undefined,
  };
  if (error !== undefined) result.error = error;
  return result;
}

function post(url: string, total: number, timeoutMs: number): Promise<{ status: number | undefined; receivedBytes: number | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': total } }, (res) => {
      res.resume();
      const received = res.headers['x-received-bytes'];
      res.on('end', () => resolve({ status: res.statusCode, receivedBytes: received === undefined ? undefined : Number(received) }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`upload did not finish within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(CHUNK.length, total - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}
