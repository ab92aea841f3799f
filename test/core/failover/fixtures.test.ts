/**
 * The failover matrix's own fixtures, checked directly (no balancer in
 * between): each broken backend fails the way the matrix relies on, and the
 * ledger sees a POST body delivered twice. If these drift, the matrix's
 * numbers mean nothing.
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { useCleanup } from '../../helpers/cleanup';
import { send } from '../../helpers/http-client';
import { waitFor } from '../../helpers/wait';
import { postBody, startBackend, type BackendKind } from './backends';
import { Ledger, REQUEST_ID_HEADER } from './ledger';
import { runLoad } from './load';

const { track } = useCleanup();

async function backend(kind: BackendKind, name: string, ledger: Ledger) {
  const b = track(await startBackend(kind, name, ledger));
  return { ...b, port: Number(new URL(b.url).port) };
}

/** Sends one request and reports the client's error code, or the status. */
function outcome(port: number, opts: { method?: string; body?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('no answer'), { code: 'NO_ANSWER' })));
    req.end(opts.body);
  });
}

describe('failover matrix fixtures', () => {
  it('a good backend answers GETs and records each POST body by id; the same id twice is a duplicate', async () => {
    const ledger = new Ledger();
    const a = await backend('good', 'a', ledger);
    const b = await backend('good', 'b', ledger);
    expect((await send(a.port)).body).toBe('a\n');
    for (const port of [a.port, b.port]) {
      const res = await send(port, { method: 'POST', body: postBody('p1'), headers: { [REQUEST_ID_HEADER]: 'p1' } });
      expect(res.status).toBe(200);
    }
    await send(a.port, { method: 'POST', body: postBody('p2') });
    expect(ledger.getsServed.get('a')).toBe(1);
    expect(ledger.postDeliveries.get('p1')).toEqual(['a', 'b']);
    expect(ledger.duplicatedPosts()).toEqual(['p1']);
    expect(ledger.arrivals.get('p1')).toBe(2);
  });

  it('a reset backend resets every connection before reading a byte', async () => {
    const ledger = new Ledger();
    const r = await backend('reset', 'r', ledger);
    expect(await outcome(r.port)).toBe('ECONNRESET');
    expect(await outcome(r.port, { method: 'POST', body: postBody('p') })).toBe('ECONNRESET');
    expect(ledger.count(ledger.connections, 'r')).toBe(2);
    expect(ledger.count(ledger.requests, 'r')).toBe(0);
    expect(ledger.postDeliveries.size).toBe(0);
  });

  it('a hanging backend reads requests and POST bodies but never answers', async () => {
    const ledger = new Ledger();
    const h = await backend('hang', 'h', ledger);
    expect(await outcome(h.port, { method: 'POST', body: postBody('p'), timeoutMs: 300 })).toBe('NO_ANSWER');
    expect(ledger.postDeliveries.get('p')).toEqual(['h']);
    expect(ledger.count(ledger.requests, 'h')).toBe(1);
  });

  it('a killed backend resets the request in flight, and later connects are refused', async () => {
    const ledger = new Ledger();
    const k = await backend('killed', 'k', ledger);
    expect(await outcome(k.port)).toBe('200');
    // A request in flight: its headers arrived, its body has not all come yet. Kill it then.
    const sock = net.connect(k.port, '127.0.0.1');
    const closed = new Promise<string>((resolve) => {
      sock.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      sock.on('close', () => resolve('closed'));
    });
    sock.resume();
    sock.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npost:');
    await waitFor(() => ledger.count(ledger.requests, 'k') === 2);
    await k.kill();
    expect(await closed).toBe('ECONNRESET');
    expect(await outcome(k.port)).toBe('ECONNREFUSED');
    expect(ledger.count(ledger.getsServed, 'k')).toBe(1);
  });

  it('the clients send the fixed number of requests, every 10th a POST, each with its own id and hash key', async () => {
    const ledger = new Ledger();
    const g = await backend('good', 'g', ledger);
    const outcomes = await runLoad({ port: g.port, requests: 40, concurrency: 5, postEvery: 10, idPrefix: 't', timeoutMs: 5000 });
    expect(outcomes.map((o) => o.index)).toEqual([...Array(40).keys()]);
    expect(outcomes.filter((o) => o.method === 'POST').map((o) => o.index)).toEqual([9, 19, 29, 39]);
    expect(outcomes.every((o) => o.status === 200 && o.backend === 'g')).toBe(true);
    expect(ledger.arrivals.size).toBe(40);
    expect([...ledger.postDeliveries.keys()].sort()).toEqual(['t-19', 't-29', 't-39', 't-9']);
  });
});
