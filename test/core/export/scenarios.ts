/**
 * What every runnable engine must show on an exported workspace, counted at
 * the backends: the same split as lbw for round robin (weights ignored) and
 * smooth weighted round robin (exact over a multiple of the weights' sum),
 * nothing to a disabled backend or an idle backup, a backup that serves once
 * the primaries are dead, a killed backend taken out (by the engine's checks,
 * active or passive), and a TCP service. One engine process serves every
 * service of the workspace, each on its own port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceInput } from '../../../core/model/spec';
import { waitFor } from '../../helpers/wait';
import { closedPort, startTcpBackend, type TcpBackend } from '../../helpers/backends';
import {
  countingBackend,
  exportInput,
  freePort,
  get,
  getMany,
  HEALTH_PATH,
  startEngine,
  tcpEcho,
  writeExport,
  type CountingBackend,
  type RunnableEngine,
  type RunningEngine,
} from './engines';

export interface EngineTraits {
  /** How the engine notices a dead backend: its active checks, or failed requests (nginx open source). */
  takesOut: 'active' | 'passive';
  backup: boolean;
  tcp: boolean;
  /** A request without the hashed header goes by client address, as in lbw (Caddy 2.6 picks at random). */
  hashFallback: boolean;
  /** retries.onStatus: a GET answered 503 is retried on another backend (not in Caddy 2.6). */
  statusRetry: boolean;
}

/** Fast checks so a test waits fractions of a second, not the defaults' seconds. */
const FAST_CHECK = { path: HEALTH_PATH, intervalMs: 100, timeoutMs: 300, rise: 1, fall: 1 } as const;

export function describeEngine(engine: RunnableEngine, traits: EngineTraits): void {
  describe(`${engine} runs the export`, () => {
    const b: Record<string, CountingBackend> = {};
    const tcp: TcpBackend[] = [];
    const port: Record<string, number> = {};
    let running: RunningEngine | undefined;
    let remove: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'p1', 'p2', 'k', 'x', 'y', 'h1', 'h2', 'h3']) b[name] = await countingBackend(name);
      b.r = await countingBackend('r', { redirect: '/next' });
      b.pre = await countingBackend('pre', { redirect: '/api/next' });
      b.s503 = await countingBackend('s503', { status: 503 });
      for (const name of ['ok1', 'ok2', 'pa', 'pb']) b[name] = await countingBackend(name);
      const dead = await closedPort();
      for (const svc of ['rr', 'wrr', 'backup', 'killed', 'tcp', 'hash', 'redirect', 'dial', 'status', 'prefix', 'passive']) port[svc] = await freePort();
      if (traits.tcp) tcp.push(await startTcpBackend(), await startTcpBackend());
      const listen = (svc: string): string => `127.0.0.1:${port[svc]}`;
      const services: ServiceInput[] = [
        // round robin ignores weights: 5:1:1 still splits evenly
        { name: 'rr', listen: listen('rr'), strategy: 'round-robin', backends: [{ url: b.a!.url, weight: 5 }, { url: b.b!.url }, { url: b.c!.url }] },
        {
          name: 'wrr',
          listen: listen('wrr'),
          strategy: 'weighted-round-robin',
          backends: [
            { url: b.d!.url, weight: 3 },
            { url: b.e!.url, weight: 2 },
            { url: b.f!.url, weight: 1 },
            { url: b.g!.url, weight: 4, state: 'disabled' },
            ...(traits.backup ? [{ url: b.h!.url, weight: 4, backup: true }] : []),
          ],
        },
        {
          name: 'killed',
          listen: listen('killed'),
          strategy: 'round-robin',
          backends: [{ url: b.x!.url }, { url: b.y!.url }],
          retries: { attempts: 1 },
          ...(traits.takesOut === 'active' ? { healthCheck: FAST_CHECK } : { passiveHealth: { consecutiveErrors: 1, baseEjectionMs: 60_000 } }),
        },
      ];
      services.push(
        { name: 'hash', listen: listen('hash'), strategy: 'ring-hash', strategyOptions: { hashOn: 'header', key: 'X-User' }, backends: [{ url: b.h1!.url }, { url: b.h2!.url }, { url: b.h3!.url }] },
        { name: 'redirect', listen: listen('redirect'), backends: [{ url: b.r!.url }] },
        { name: 'prefix', listen: listen('prefix'), backends: [{ url: `${b.pre!.url}/api` }] },
        {
          name: 'passive',
          listen: listen('passive'),
          backends: [{ url: b.pa!.url }, { url: b.pb!.url }],
          retries: { attempts: 1 },
          passiveHealth: { consecutiveErrors: 1, consecutive5xx: 1, baseEjectionMs: 60_000 },
        },
        { name: 'dial', listen: listen('dial'), backends: [{ url: `http://127.0.0.1:${dead}` }, { url: b.ok1!.url }], retries: { attempts: 2 } },
        { name: 'status', listen: listen('status'), backends: [{ url: b.s503!.url }, { url: b.ok2!.url }], retries: { attempts: 2, onStatus: [503] } },
      );
      if (traits.backup) {
        services.push({
          name: 'backup',
          listen: listen('backup'),
          strategy: 'round-robin',
          backends: [{ url: b.p1!.url }, { url: b.p2!.url }, { url: b.k!.url, backup: true }],
          healthCheck: FAST_CHECK,
        });
      }
      if (traits.tcp) services.push({ name: 'tcp', protocol: 'tcp', listen: listen('tcp'), strategy: 'round-robin', backends: tcp.map((t) => ({ url: t.url })) });
      const result = exportInput({ services }, engine);
      const written = await writeExport(result);
      remove = written.remove;
      running = await startEngine(engine, written.dir, written.file, services.map((s) => Number(s.listen.split(':')[1])));
    });

    afterAll(async () => {
      await running?.stop();
      await remove?.();
      for (const x of Object.values(b)) await x.close();
      for (const t of tcp) await t.close();
    });

    it('round robin: weights ignored, an even split (30 requests over 3 backends: 10 each)', async () => {
      expect(await getMany(port.rr!, 30)).toEqual(Array(30).fill(200));
      expect([b.a!.hits, b.b!.hits, b.c!.hits]).toEqual([10, 10, 10]);
    });

    it(`weighted round robin 3:2:1: exactly 30/20/10 over 60 requests, none to the disabled backend${traits.backup ? ' or the idle backup' : ''}`, async () => {
      expect(await getMany(port.wrr!, 60)).toEqual(Array(60).fill(200));
      expect([b.d!.hits, b.e!.hits, b.f!.hits, b.g!.hits, b.h!.hits]).toEqual([30, 20, 10, 0, 0]);
    });

    it('ring hash on a header: each key always reaches the same backend, keys spread over the backends', async () => {
      const owner = new Map<string, string>();
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < 12; k++) {
          const a = await get(port.hash!, { 'x-user': `user-${k}` });
          expect(a.status).toBe(200);
          if (round === 0) owner.set(`user-${k}`, a.backend!);
          else expect(a.backend, `user-${k} stays where it went first`).toBe(owner.get(`user-${k}`));
        }
      }
      expect(new Set(owner.values()).size, '12 keys over 3 backends land on more than one').toBeGreaterThan(1);
      if (traits.hashFallback) {
        const without = await Promise.all(Array.from({ length: 6 }, () => get(port.hash!)));
        expect(new Set(without.map((a) => a.backend)).size, 'no header: one client address, one backend').toBe(1);
      }
    });

    it("a redirect to the backend's own origin points at the origin the client used", async () => {
      const a = await get(port.redirect!, { host: 'shop.example:8443' });
      expect(a.status).toBe(302);
      expect(a.location).toBe('http://shop.example:8443/next');
    });

    it("a backend URL's path goes before the request target, and comes off its redirects", async () => {
      const a = await get(port.prefix!, { host: 'shop.example:8443' }, 'GET', '/orders/7?full=1');
      expect(b.pre!.urls).toEqual(['/api/orders/7?full=1']);
      expect(a.location).toBe('http://shop.example:8443/next');
    });

    it('a refused connect is retried on the next backend, for GET and for POST (it never reached a backend)', async () => {
      for (const method of ['GET', 'GET', 'GET', 'POST', 'POST', 'POST']) expect((await get(port.dial!, {}, method)).status, method).toBe(200);
      expect(b.ok1!.hits).toBe(6);
    });

    it.runIf(traits.statusRetry)('retries.onStatus: a GET answered 503 is retried on the other backend; a POST is not (it was sent)', async () => {
      const gets = await Promise.all([0, 1, 2, 3].map(async () => (await get(port.status!)).status));
      expect(gets).toEqual([200, 200, 200, 200]);
      const posts: number[] = [];
      for (let i = 0; i < 4; i++) posts.push((await get(port.status!, {}, 'POST')).status);
      // Round robin: two of the four POSTs meet the 503 backend first and get its answer.
      expect(posts.filter((s) => s === 503)).toHaveLength(2);
      expect(posts.filter((s) => s === 200)).toHaveLength(2);
    });

    it(`a killed backend is taken out (${traits.takesOut} health)`, async () => {
      expect(await getMany(port.killed!, 10)).toEqual(Array(10).fill(200));
      expect([b.x!.hits, b.y!.hits]).toEqual([5, 5]);
      await b.y!.close();
      // No retries here (attempts 1): ten 200s in a row from round robin over two backends only happen once y is out.
      let failures = 0;
      await waitFor(
        async () => {
          const statuses = await getMany(port.killed!, 10);
          failures += statuses.filter((s) => s !== 200).length;
          return statuses.every((s) => s === 200);
        },
        { timeoutMs: 15_000, intervalMs: 50, message: `${engine} keeps sending to the killed backend` },
      );
      if (traits.takesOut === 'passive') expect(failures, 'one failed request marks it out (max_fails 1)').toBeLessThanOrEqual(2);
      const before = b.x!.hits;
      expect(await getMany(port.killed!, 10)).toEqual(Array(10).fill(200));
      expect(b.x!.hits - before).toBe(10);
    });

    it('passive health alone (no checks): failed requests take a killed backend out', async () => {
      expect(await getMany(port.passive!, 4)).toEqual([200, 200, 200, 200]);
      await b.pb!.close();
      let failures = 0;
      await waitFor(
        async () => {
          const statuses = await getMany(port.passive!, 10);
          failures += statuses.filter((s) => s !== 200).length;
          return statuses.every((s) => s === 200);
        },
        { timeoutMs: 15_000, intervalMs: 50, message: `${engine} keeps sending to the killed backend` },
      );
      // One failure marks it out (error limit 1); a few more may be in flight on a busy machine.
      expect(failures).toBeGreaterThanOrEqual(1);
      expect(failures).toBeLessThanOrEqual(3);
    });

    it.runIf(traits.backup)('a backup serves only when the primaries are down', async () => {
      expect(await getMany(port.backup!, 10)).toEqual(Array(10).fill(200));
      expect([b.p1!.hits, b.p2!.hits, b.k!.hits]).toEqual([5, 5, 0]);
      await b.p1!.close();
      await b.p2!.close();
      await waitFor(async () => (await getMany(port.backup!, 5)).every((s) => s === 200), { timeoutMs: 15_000, intervalMs: 50, message: 'the backup takes over' });
      const before = b.k!.hits;
      const answers = await Promise.all(Array.from({ length: 5 }, () => get(port.backup!)));
      expect(answers.map((a) => a.backend)).toEqual(Array(5).fill('k'));
      expect(b.k!.hits - before).toBe(5);
    });

    it.runIf(traits.tcp)('a TCP service: each connection echoed, round robin over the two backends (2 and 2 of 4)', async () => {
      // Counted from here: waiting for the engine's port opened a connection too.
      const before = tcp.map((t) => t.connections);
      for (let i = 0; i < 4; i++) expect(await tcpEcho(port.tcp!, `hello ${i}`)).toBe(`hello ${i}`);
      expect(tcp.map((t, i) => t.connections - before[i]!)).toEqual([2, 2]);
    });
  });
}
