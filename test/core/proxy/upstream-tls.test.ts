/**
 * HTTPS backends through a Workbench service, on real sockets with real
 * self-signed certificates (made by openssl): the proxy and the active health
 * checker must agree (a backend the proxy refuses is never healthy), a
 * certificate failure is LB_UPSTREAM_TLS with its reason everywhere a user
 * looks (the client's 502, stats, health details, ejection causes), the
 * service's `tls` settings (verify, ca, servername) apply to both and change
 * live, a bad `ca` is refused without touching what runs, and a TLS failure,
 * having sent nothing, is retried on another backend for GET and POST alike.
 *
 * Certificates: `ip` has SANs DNS:localhost and IP:127.0.0.1 (the command in
 * the issue); `dnsOnly` has DNS:localhost alone, so that reaching it as
 * https://127.0.0.1 verifies only with `servername: "localhost"`; `other` is
 * a second, unrelated self-signed certificate.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchEvent } from '../../../core/contract/events';
import { startHttpBackend, startTcpBackend } from '../../helpers/backends';
import { useCleanup } from '../../helpers/cleanup';
import { send } from '../../helpers/http-client';
import { waitFor } from '../../helpers/wait';
import { certDir, OPENSSL, startHttpsBackend, type Cert, type CertDir, type HttpsBackend } from './tls-fixtures';
import { SERVICE, startWorkbenchService, type ServiceFields, type WorkbenchService } from './workbench-service';

const cleanup = useCleanup();
const HAVE_OPENSSL = existsSync(OPENSSL);

let certs: CertDir | undefined;
let ip: Cert;
let dnsOnly: Cert;
let other: Cert;

beforeAll(() => {
  if (!HAVE_OPENSSL) return;
  certs = certDir();
  ip = certs.make('ip', 'DNS:localhost,IP:127.0.0.1');
  dnsOnly = certs.make('dns-only', 'DNS:localhost');
  other = certs.make('other', 'DNS:localhost,IP:127.0.0.1');
}, 60_000);
afterAll(() => certs?.remove());

async function httpsBackend(cert: Cert, name: string): Promise<HttpsBackend> {
  return cleanup.track(await startHttpsBackend(cert, name));
}

/**
 * Round-robin over a backend whose certificate the service does not trust
 * (`other`; the service trusts `ip` only) and one it does, in that order.
 */
async function brokenThenGood(extra: Partial<ServiceFields> = {}) {
  const broken = await httpsBackend(other, 'broken');
  const good = await httpsBackend(ip, 'good');
  const s = await startWorkbenchService(cleanup, {
    strategy: 'round-robin',
    backends: [
      { url: broken.url, name: 'broken' },
      { url: good.url, name: 'good' },
    ],
    tls: { ca: ip.certPath },
    ...extra,
  });
  return { broken, good, s };
}

/** Checks every 100 ms; one result flips the health, so a transition is seen at once. */
const FAST_CHECKS = { path: '/health', intervalMs: 100, timeoutMs: 1000, rise: 1, fall: 1 };

function healthEvents(s: WorkbenchService, backend: string): Array<Extract<WorkbenchEvent, { type: 'health:changed' }>> {
  return s.events.filter((e): e is Extract<WorkbenchEvent, { type: 'health:changed' }> => e.type === 'health:changed' && e.backend === backend);
}

/** Waits until the checker has judged `backend` at least `n` more times than now (distinct lastCheck times). */
async function moreChecks(s: WorkbenchService, backend: string, n: number): Promise<void> {
  const seen = new Set<number>();
  const b = () => s.wb.service(SERVICE)!.backends.find((x) => x.name === backend)!;
  const first = b().lastCheck?.at;
  await waitFor(
    () => {
      const at = b().lastCheck?.at;
      if (at !== undefined && at !== first) seen.add(at);
      return seen.size >= n;
    },
    { timeoutMs: 10_000, message: `${n} more health checks of ${backend}` },
  );
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe.skipIf(!HAVE_OPENSSL)('upstream TLS', () => {
  it('default (verify): a self-signed backend gets 502 LB_UPSTREAM_TLS naming the reason; stats count it with the reason; the backend sees no request', async () => {
    const b = await httpsBackend(ip, 'selfsigned');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'selfsigned' }], retries: { attempts: 1 } });
    const r = await send(s.port, { path: '/x' });
    expect(r.status).toBe(502);
    expect(r.headers['x-lb-error']).toBe('LB_UPSTREAM_TLS');
    expect(r.body).toContain('self-signed certificate');
    expect(b.requests).toEqual([]);

    const t = await s.waitTotals((x) => x.requests === 1, 'the request counted');
    expect(t.errors.tls).toBe(1);
    expect(t.status['5xx']).toBe(1);
    expect(s.backendTotals('selfsigned').errors.tls).toBe(1);
    const lastError = s.latestBackend('selfsigned')?.lastError;
    expect(lastError?.code).toBe('LB_UPSTREAM_TLS');
    expect(lastError?.message).toContain('self-signed');
  });

  it('default (verify) with health checks: the backend is marked unhealthy with the reason, and never healthy', async () => {
    const b = await httpsBackend(ip, 'selfsigned');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'selfsigned' }], healthCheck: FAST_CHECKS });
    const down = await waitFor(() => healthEvents(s, 'selfsigned').find((e) => e.to === 'unhealthy'), { message: 'marked unhealthy' });
    expect(down.cause).toContain('LB_UPSTREAM_TLS');
    expect(down.cause).toContain('self-signed certificate');
    await moreChecks(s, 'selfsigned', 5);
    expect(healthEvents(s, 'selfsigned').map((e) => e.to)).toEqual(['unhealthy']);
    const lastCheck = s.wb.service(SERVICE)!.backends[0]!.lastCheck!;
    expect(lastCheck.ok).toBe(false);
    expect(lastCheck.detail).toBe('LB_UPSTREAM_TLS: self-signed certificate');
    expect(b.requests).toEqual([]);
  });

  it('tls.verify false: 200 and healthy', async () => {
    const b = await httpsBackend(ip, 'selfsigned');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'selfsigned' }], healthCheck: FAST_CHECKS, tls: { verify: false } });
    await waitFor(() => healthEvents(s, 'selfsigned').find((e) => e.to === 'healthy'), { message: 'marked healthy' });
    const r = await send(s.port, { path: '/x' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('selfsigned:/x:0');
    expect(healthEvents(s, 'selfsigned').map((e) => e.to)).toEqual(['healthy']);
  });

  it('tls.ca naming the certificate: 200 and healthy', async () => {
    const b = await httpsBackend(ip, 'trusted');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'trusted' }], healthCheck: FAST_CHECKS, tls: { ca: ip.certPath } });
    await waitFor(() => healthEvents(s, 'trusted').find((e) => e.to === 'healthy'), { message: 'marked healthy' });
    const r = await send(s.port, { path: '/x' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('trusted:/x:0');
  });

  it('servername: a certificate for localhost only, reached as https://127.0.0.1 — refused without servername, 200 and healthy with servername "localhost" (sent as SNI)', async () => {
    const b = await httpsBackend(dnsOnly, 'named');
    const without = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'named' }], tls: { ca: dnsOnly.certPath }, retries: { attempts: 1 } });
    const refused = await send(without.port, { path: '/x' });
    expect(refused.status).toBe(502);
    expect(refused.headers['x-lb-error']).toBe('LB_UPSTREAM_TLS');
    expect(refused.body).toContain('127.0.0.1');

    const s = await startWorkbenchService(cleanup, {
      backends: [{ url: b.url, name: 'named' }],
      healthCheck: FAST_CHECKS,
      tls: { ca: dnsOnly.certPath, servername: 'localhost' },
    });
    await waitFor(() => healthEvents(s, 'named').find((e) => e.to === 'healthy'), { message: 'marked healthy' });
    const r = await send(s.port, { path: '/x' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('named:/x:0');
    expect(b.servernames.length).toBeGreaterThan(0);
    expect(new Set(b.servernames)).toEqual(new Set(['localhost']));
  });

  it('a wrong servername ("example.com"): LB_UPSTREAM_TLS naming the mismatch, in the answer and in the health details', async () => {
    const b = await httpsBackend(ip, 'named');
    const s = await startWorkbenchService(cleanup, {
      backends: [{ url: b.url, name: 'named' }],
      healthCheck: FAST_CHECKS,
      tls: { ca: ip.certPath, servername: 'example.com' },
      retries: { attempts: 1 },
    });
    const r = await send(s.port, { path: '/x' });
    expect(r.status).toBe(502);
    expect(r.headers['x-lb-error']).toBe('LB_UPSTREAM_TLS');
    expect(r.body).toContain('name mismatch');
    expect(r.body).toContain('example.com');
    const down = await waitFor(() => healthEvents(s, 'named').find((e) => e.to === 'unhealthy'), { message: 'marked unhealthy' });
    expect(down.cause).toContain('LB_UPSTREAM_TLS: name mismatch');
    expect(b.requests).toEqual([]);
  });

  for (const kind of ['does not exist', 'is not PEM'] as const) {
    it(`a tls.ca that ${kind}: the change is refused with CONFIG_INVALID naming tls.ca, and the running service is unchanged`, async () => {
      const b = await httpsBackend(ip, 'trusted');
      const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'trusted' }], tls: { ca: ip.certPath } });
      const before = s.wb.getWorkspace();
      const ca = join(certs!.dir, kind === 'is not PEM' ? 'not-pem.pem' : 'no-such-ca.pem');
      if (kind === 'is not PEM') writeFileSync(ca, 'this is not a certificate\n');

      const res = await s.invoke('services:update', { service: SERVICE, patch: { tls: { ca } } });
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('CONFIG_INVALID');
        expect(res.error.message).toContain('tls.ca');
        expect(res.error.message).toContain(ca);
      }
      expect(s.wb.getWorkspace()).toEqual(before);
      expect(s.events.filter((e) => e.type === 'config:rejected')).toHaveLength(1);
      const r = await send(s.port, { path: '/still' });
      expect(r.status).toBe(200);
      expect(r.body).toBe('trusted:/still:0');
    });
  }

  it('verification turned on live (verify false → default): the next request is refused although a verified-off connection sits in the pool; the checker follows', async () => {
    const b = await httpsBackend(ip, 'selfsigned');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'selfsigned' }], healthCheck: FAST_CHECKS, tls: { verify: false }, retries: { attempts: 1 } });
    await waitFor(() => healthEvents(s, 'selfsigned').find((e) => e.to === 'healthy'), { message: 'marked healthy' });
    expect((await send(s.port, { path: '/before' })).status).toBe(200); // leaves a kept-alive upstream connection

    const res = await s.invoke('services:update', { service: SERVICE, patch: { tls: null } });
    expect(res.ok).toBe(true);
    const r = await send(s.port, { path: '/after' });
    expect(r.status).toBe(502);
    expect(r.headers['x-lb-error']).toBe('LB_UPSTREAM_TLS');
    expect(b.requests.filter((q) => q.url === '/after')).toEqual([]);
    const down = await waitFor(() => healthEvents(s, 'selfsigned').find((e) => e.to === 'unhealthy'), { message: 'marked unhealthy after the change' });
    expect(down.cause).toContain('self-signed certificate');
  });

  it('a CA added live: a refused backend is served at once', async () => {
    const b = await httpsBackend(ip, 'selfsigned');
    const s = await startWorkbenchService(cleanup, { backends: [{ url: b.url, name: 'selfsigned' }], retries: { attempts: 1 } });
    expect((await send(s.port, { path: '/x' })).status).toBe(502);
    const res = await s.invoke('services:update', { service: SERVICE, patch: { tls: { ca: ip.certPath } } });
    expect(res.ok).toBe(true);
    const r = await send(s.port, { path: '/y' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('selfsigned:/y:0');
  });

  it('a TLS failure on one backend is retried on the other (nothing was sent) for GET and POST alike; each POST body arrives once', async () => {
    const { broken, good, s } = await brokenThenGood();
    const sent: string[] = [];
    for (let i = 0; i < 4; i++) {
      const get = await send(s.port, { path: `/get${i}` });
      expect(get.status, `GET ${i}`).toBe(200);
      expect(get.body).toBe(`good:/get${i}:0`);
      const body = `post body ${i} `.repeat(100);
      sent.push(body);
      const post = await send(s.port, { method: 'POST', path: `/post${i}`, body });
      expect(post.status, `POST ${i}`).toBe(200);
      expect(post.body).toBe(`good:/post${i}:${body.length}`);
    }
    expect(broken.requests).toEqual([]);
    expect(good.requests.filter((q) => q.method === 'POST').map((q) => [q.url, q.sha])).toEqual(sent.map((b, i) => [`/post${i}`, sha(b)]));
    // Round-robin sent half the first tries to the broken backend: each failed its handshake and was retried.
    await s.waitTotals((t) => t.status['2xx'] === 8, 'eight answers counted');
    expect(s.backendTotals('broken').errors.tls).toBeGreaterThanOrEqual(2);
    expect(s.serviceTotals().errors.tls).toBe(0); // no client saw a TLS failure
  });

  it('https:// to a backend that speaks plain HTTP: LB_UPSTREAM_TLS with the handshake\'s reason, unhealthy with it', async () => {
    const plain = cleanup.track(await startHttpBackend({ name: 'plain' }));
    const url = plain.url.replace('http://', 'https://');
    const s = await startWorkbenchService(cleanup, { backends: [{ url, name: 'plain' }], healthCheck: FAST_CHECKS, retries: { attempts: 1 } });
    const r = await send(s.port, { path: '/x' });
    expect(r.status).toBe(502);
    expect(r.headers['x-lb-error']).toBe('LB_UPSTREAM_TLS');
    expect(r.body).toMatch(/wrong version number|packet length too long|unexpected/i);
    const down = await waitFor(() => healthEvents(s, 'plain').find((e) => e.to === 'unhealthy'), { message: 'marked unhealthy' });
    expect(down.cause).toContain('LB_UPSTREAM_TLS');
  });

  it('a TLS handshake that never completes (the backend accepts and says nothing) ends at connectMs and is retried on the other backend', async () => {
    const mute = await startTcpBackend({ onConnection: () => {} });
    cleanup.track(mute);
    const good = await httpsBackend(ip, 'good');
    const connectMs = 300;
    const s = await startWorkbenchService(cleanup, {
      strategy: 'round-robin',
      backends: [
        { url: `https://127.0.0.1:${mute.port}`, name: 'mute' },
        { url: good.url, name: 'good' },
      ],
      tls: { ca: ip.certPath },
      timeouts: { connectMs },
    });
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const r = await send(s.port, { method: 'POST', path: `/p${i}`, body: 'once' });
      expect(r.status).toBe(200);
      expect(r.body).toBe(`good:/p${i}:4`);
      expect(performance.now() - started).toBeLessThan(connectMs + 1000);
    }
    expect(good.requests.map((q) => q.url)).toEqual(['/p0', '/p1']);
    await s.waitTotals(() => s.backendTotals('mute').errors.timeout === 1, 'the mute backend timed out once');
  });

  it('passive health ejects a backend failing TLS, and the ejection cause names the reason', async () => {
    const { s } = await brokenThenGood({ passiveHealth: { consecutiveErrors: 2 } });
    for (let i = 0; i < 8; i++) expect((await send(s.port, { path: `/g${i}` })).status).toBe(200);
    const ejected = await waitFor(() => s.events.find((e) => e.type === 'backend:ejected' && e.backend === 'broken'), { message: 'broken ejected' });
    expect(ejected.type === 'backend:ejected' && ejected.cause).toContain('self-signed certificate');
  });
});
