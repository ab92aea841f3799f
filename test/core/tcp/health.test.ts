/**
 * Health checks of TCP backends: a bare connect, and send/expect (a greeting
 * the reply must match), through the active checker's rise/fall against real
 * servers on loopback; and the parsing of `send` and `expect`.
 */
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ActiveHealthChecker, type HealthTransition } from '../../../core/health/active';
import { parseExpectReply, unescapeBytes } from '../../../core/health/reply';
import { Backend } from '../../../core/model/backend';
import { HealthCheckSchema, type HealthCheckSpec } from '../../../core/model/spec';
import { closedPort } from '../../helpers/backends';
import { waitFor } from '../../helpers/wait';
import { tcpFixtures } from './helpers';

const { backend, defer } = tcpFixtures();

/** A TCP check with short timings (built past the schema's minimum interval). */
function spec(over: Partial<HealthCheckSpec> = {}): HealthCheckSpec {
  return { ...HealthCheckSchema.parse({ type: 'tcp', ...over }), intervalMs: 50, timeoutMs: 1000, rise: 2, fall: 2, ...over };
}

function checker(s: HealthCheckSpec, backends: Backend[]) {
  const transitions: HealthTransition[] = [];
  const c = new ActiveHealthChecker(s, { now: Date.now, onTransition: (t) => transitions.push(t) });
  c.setBackends(backends);
  defer(() => c.stop());
  return { c, transitions };
}

const backendAt = (url: string) => new Backend({ url, weight: 1, state: 'active', backup: false });

/** A Redis-like server: answers each line with whatever `answer` says now. */
function lineServer(answer: () => string | null) {
  return backend((socket: net.Socket) => {
    let buf = '';
    socket.on('data', (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const reply = line === 'PING' ? answer() : '-ERR unknown command\r\n';
        if (reply !== null) socket.write(reply);
      }
    });
  });
}

describe('send and expect parsing', () => {
  it('turns escapes, written literally or by JSON, into bytes', () => {
    expect(unescapeBytes('PING\\r\\n')).toEqual(Buffer.from('PING\r\n'));
    expect(unescapeBytes('PING\r\n')).toEqual(Buffer.from('PING\r\n'));
    expect(unescapeBytes('a\\tb\\\\n\\x00\\xff')).toEqual(Buffer.from([0x61, 0x09, 0x62, 0x5c, 0x6e, 0x00, 0xff]));
    expect(unescapeBytes('keep \\q and a trailing \\')).toEqual(Buffer.from('keep \\q and a trailing \\'));
    expect(unescapeBytes('héllo')).toEqual(Buffer.from('héllo', 'utf8'));
  });

  it('matches a substring or a /regex/', () => {
    const sub = parseExpectReply('+PONG');
    expect(sub(Buffer.from('+PONG\r\n'))).toBe(true);
    expect(sub(Buffer.from('-ERR\r\n'))).toBe(false);
    expect(parseExpectReply('OK\\r\\n')(Buffer.from('+OK\r\n'))).toBe(true);
    const re = parseExpectReply('/^220 .*smtp/i');
    expect(re(Buffer.from('220 mail.example ESMTP ready'))).toBe(true);
    expect(re(Buffer.from('554 go away'))).toBe(false);
    expect(re.text).toBe('/^220 .*smtp/i');
  });

  it('rejects a regex that does not compile, in the schema and in the checker', () => {
    const parsed = HealthCheckSchema.safeParse({ type: 'tcp', expect: '/([/' });
    expect(parsed.success).toBe(false);
    expect(HealthCheckSchema.parse({ type: 'tcp', send: 'PING\r\n', expect: '/^\\+PONG/' })).toMatchObject({ send: 'PING\r\n', expect: '/^\\+PONG/' });
    expect(() => new ActiveHealthChecker({ ...spec(), expect: '/([/' }, { now: Date.now, onTransition: () => {} })).toThrow(/not a valid regular expression/);
  });
});

describe('TCP health checks', () => {
  it('passes a listening backend and fails a refused one (connect check)', async () => {
    const up = await backend();
    const good = backendAt(up.url);
    const bad = backendAt(`tcp://127.0.0.1:${await closedPort()}`);
    const { c, transitions } = checker(spec(), [good, bad]);
    c.start();
    await waitFor(() => good.health === 'healthy' && bad.health === 'unhealthy');
    expect(good.lastCheck).toMatchObject({ ok: true, detail: 'connected' });
    expect(transitions.find((t) => t.backend === bad)).toMatchObject({ from: 'unknown', to: 'unhealthy', cause: 'check failed: ECONNREFUSED' });
  });

  it('passes a backend answering +PONG to PING and fails one answering -ERR (send/expect)', async () => {
    const pong = await lineServer(() => '+PONG\r\n');
    const err = await lineServer(() => '-ERR not ready\r\n');
    const good = backendAt(pong.url);
    const bad = backendAt(err.url);
    const { c, transitions } = checker(spec({ send: 'PING\\r\\n', expect: '+PONG' }), [good, bad]);
    c.start();
    await waitFor(() => good.health === 'healthy' && bad.health === 'unhealthy');
    expect(good.lastCheck).toMatchObject({ ok: true, detail: 'reply matched +PONG' });
    expect(good.lastCheck!.latencyMs).toBeGreaterThanOrEqual(0);
    const down = transitions.find((t) => t.backend === bad)!;
    expect(down.cause).toBe('check failed: timeout after 1000 ms: reply "-ERR not ready\\r\\n" (expected +PONG)');
  });

  it('follows a backend whose answer changes, with rise and fall', async () => {
    let answer = '+PONG\r\n';
    const srv = await lineServer(() => answer);
    const b = backendAt(srv.url);
    const { c, transitions } = checker(spec({ send: 'PING\r\n', expect: '/^\\+PONG\\r\\n$/', timeoutMs: 300 }), [b]);
    c.start();
    await waitFor(() => b.health === 'healthy');
    answer = '-LOADING\r\n';
    await waitFor(() => b.health === 'unhealthy', { timeoutMs: 10_000 });
    answer = '+PONG\r\n';
    await waitFor(() => b.health === 'healthy', { timeoutMs: 10_000 });
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['unknown->healthy', 'healthy->unhealthy', 'unhealthy->healthy']);
  });

  it('fails fast when the backend closes without the expected reply, and on silence at the timeout', async () => {
    const closer = await backend((s) => s.end('bye\n'));
    const silent = await backend(() => {});
    const a = backendAt(closer.url);
    const b = backendAt(silent.url);
    const { c } = checker(spec({ expect: 'HELLO', timeoutMs: 200 }), [a, b]);
    expect(await c.checkNow(a)).toMatchObject({ ok: false, detail: 'closed by the backend: reply "bye\\n" (expected HELLO)' });
    expect(await c.checkNow(b)).toMatchObject({ ok: false, detail: 'timeout after 200 ms' });
  });

  it('reads a banner with expect alone, and sends without expecting with send alone', async () => {
    const banner = await backend((s) => s.write('220 ready\r\n'));
    let got = '';
    const sink = await backend((s) => s.on('data', (d: Buffer) => (got += d.toString())));
    const a = backendAt(banner.url);
    const b = backendAt(sink.url);
    const { c: c1 } = checker(spec({ expect: '/^220 /' }), [a]);
    expect(await c1.checkNow(a)).toMatchObject({ ok: true, detail: 'reply matched /^220 /' });
    const { c: c2 } = checker(spec({ send: 'QUIT\\r\\n' }), [b]);
    expect(await c2.checkNow(b)).toMatchObject({ ok: true, detail: 'connected, sent 6 bytes' });
    await waitFor(() => got === 'QUIT\r\n');
  });
});
