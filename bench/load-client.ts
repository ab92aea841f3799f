/**
 * A small HTTP/1.1 load client for machines without wrk: `conns` keep-alive
 * connections, each sending the next GET as soon as the previous response
 * ended (closed loop, like wrk), for `seconds`. Run in its own process. It
 * understands Content-Length and chunked responses, which is all the bench's
 * contenders send. Prints one `WRK_JSON {...}` line in wrk-report.lua's format.
 * It is slower than wrk: near the top of the table it measures itself.
 *
 *   node --import tsx bench/load-client.ts <url> <conns> <seconds>
 */
import net from 'node:net';

const [urlArg, connsArg, secondsArg] = process.argv.slice(2);
const url = new URL(urlArg ?? 'http://127.0.0.1:8080/');
const conns = Number(connsArg ?? 64);
const seconds = Number(secondsArg ?? 5);
const request = Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: lbw-bench\r\n\r\n`);

const latencies: number[] = [];
let requests = 0;
let bytes = 0;
let statusErrors = 0;
let readErrors = 0;
let connectErrors = 0;
const started = process.hrtime.bigint();
const endAt = Date.now() + seconds * 1000;

/** One closed-loop connection: a request, its whole response, the next request. */
function connection(): void {
  const socket = net.connect(Number(url.port || 80), url.hostname);
  socket.setNoDelay(true);
  let buf: Buffer = Buffer.alloc(0);
  let sentAt = 0n;
  let connected = false;
  const send = () => {
    if (Date.now() >= endAt) {
      socket.end();
      return;
    }
    sentAt = process.hrtime.bigint();
    socket.write(request);
  };
  socket.on('connect', () => {
    connected = true;
    send();
  });
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      const end = responseEnd(buf);
      if (end < 0) return;
      const status = Number(buf.subarray(9, 12).toString());
      if (status < 200 || status > 399) statusErrors++;
      buf = buf.subarray(end);
      requests++;
      latencies.push(Number(process.hrtime.bigint() - sentAt) / 1000);
      send();
    }
  });
  socket.on('error', () => (connected ? readErrors++ : connectErrors++));
}

/** Index just past the first complete response in `buf`, or -1. */
function responseEnd(buf: Buffer): number {
  const head = buf.indexOf('\r\n\r\n');
  if (head < 0) return -1;
  const headers = buf.subarray(0, head).toString('latin1').toLowerCase();
  const cl = /\r\ncontent-length:\s*(\d+)/.exec(headers);
  if (cl) {
    const end = head + 4 + Number(cl[1]);
    return buf.length >= end ? end : -1;
  }
  if (headers.includes('transfer-encoding: chunked')) {
    const term = buf.indexOf('\r\n0\r\n\r\n', head);
    if (term >= 0) return term + 7;
    return buf.subarray(head + 4, head + 9).toString() === '0\r\n\r\n' ? head + 9 : -1;
  }
  return head + 4;
}

for (let i = 0; i < conns; i++) connection();
setTimeout(() => {
  const durationUs = Number(process.hrtime.bigint() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
  const out = { requests, durationUs: Math.round(durationUs), bytes, connectErrors, readErrors, writeErrors: 0, statusErrors, timeouts: 0, p50Us: pct(50), p90Us: pct(90), p99Us: pct(99), maxUs: Math.round(latencies[latencies.length - 1] ?? 0) };
  process.stdout.write(`WRK_JSON ${JSON.stringify(out)}\n`);
  process.exit(0);
}, seconds * 1000 + 50);
