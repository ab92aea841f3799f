/**
 * Browser mode's token against the real `lbw serve` process, each line of
 * README's threat model (Security) in turn: the token is printed only in the
 * URL's fragment and never set as a cookie, so another server on 127.0.0.1
 * visited in the same Chromium (a backend lbw balances, say) never receives
 * it; a socket without it, with a wrong one, from a foreign Origin or under a
 * rebinding Host is refused; and two workbenches side by side in one browser
 * each control only their own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeForwardingPage } from '../../cli/browser/open';
import { handshakeStatus, openAuthed, openSocket, request } from '../cli/browser-socket';
import {
  backendRow,
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  invokeCore,
  openBrowser,
  openPage,
  screenshot,
  Stack,
  startBackend,
  startServe,
  startWorkbench,
  writeWorkspace,
  type ServeProcess,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The token with one character changed, same length (so the comparison itself is exercised). */
function wrong(token: string): string {
  return (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
}

interface Seen {
  url: string;
  /** Every header as sent, names and values. */
  raw: string[];
  headers: http.IncomingHttpHeaders;
}

/**
 * Another server on 127.0.0.1, as a backend of the user's would be: it keeps
 * every request it gets, and its page tries to use the workbench from its own
 * origin (a WebSocket to lbw, with the only token it could have: a guess).
 */
async function startRecorder(stack: Stack): Promise<{ url: string; seen: Seen[]; lbwPort: { value: number } }> {
  const seen: Seen[] = [];
  const lbwPort = { value: 0 };
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', raw: req.rawHeaders, headers: req.headers });
    if (req.url?.startsWith('/page')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>start</title><script>
        const report = (what) => { document.title = what; };
        const ws = new WebSocket('ws://127.0.0.1:${lbwPort.value}/ws');
        ws.onopen = () => { report('ws:open'); ws.send(JSON.stringify({ auth: 'guess' })); };
        ws.onmessage = (e) => report('ws:message ' + e.data);
        ws.onclose = (e) => { if (!document.title.startsWith('ws:message')) report('ws:closed ' + e.code + ' stored=' + sessionStorage.getItem('lbw.token') + ' cookie=' + document.cookie); };
      </script>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('recorded\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stack.defer('stop the recording server', () => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, lbwPort };
}

describe('the token of lbw serve', () => {
  it('is printed in the fragment only; the page needs none, the socket wants the page’s origin and the token', async () => {
    const serve = await startServe(stack, writeWorkspace(stack, { services: [] }));
    const { port, token, origin } = serve;
    expect(serve.url).toBe(`${origin}/#token=${token}`);
    expect(serve.output().match(/http:\/\/\S+/g)).toEqual([serve.url]); // one URL, no other copy of the token

    // Static files: no secret in them, no cookie set, no token needed.
    for (const path of ['/', '/index.html', '/icon.svg']) {
      const res = await get(port, path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).not.toContain(token);
    }
    const index = await get(port, '/');
    const script = /src="\.(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const bundle = await get(port, script!);
    expect(bundle.status).toBe(200);
    expect(bundle.body).not.toContain(token);
    // DNS rebinding: a page on another name that resolves to 127.0.0.1.
    expect((await get(port, '/', { host: `rebind.example:${port}` })).status).toBe(403);
    // The old ?token= form: moved into the fragment (no cookie); a wrong one refused.
    const moved = await get(port, `/?token=${token}`);
    expect([moved.status, moved.headers.location, moved.headers['set-cookie']]).toEqual([303, `/#token=${token}`, undefined]);
    expect((await get(port, `/?token=${wrong(token)}`)).status).toBe(401);

    // The socket: a foreign origin or a rebinding Host is refused at the handshake...
    expect(await handshakeStatus(port, { headers: { origin: 'http://127.0.0.1:1' } })).toBe(403);
    expect(await handshakeStatus(port, { headers: { origin: 'https://evil.example' } })).toBe(403);
    expect(await handshakeStatus(port, { headers: { host: `rebind.example:${port}`, origin: `http://rebind.example:${port}` } })).toBe(403);
    // ...no token, or a wrong one, closes it with 4401 having sent nothing...
    for (const first of [JSON.stringify({ id: 1, name: 'services:list', input: {} }), JSON.stringify({ auth: wrong(token) })]) {
      const s = await openSocket(port, { headers: { origin } });
      s.ws.send(first);
      expect((await s.closed).code).toBe(4401);
      expect(s.frames).toEqual([]);
    }
    // ...and the token, from the page's origin or from no browser at all, opens it.
    for (const headers of [{ origin }, {}] as Array<Record<string, string>>) {
      const s = await openAuthed(port, token, { headers });
      expect((await request(s, 1, 'services:list', {})).result).toEqual({ ok: true, value: [] });
      s.ws.close();
    }
  });

  it('never reaches another server on 127.0.0.1 visited in the same browser after the workbench page', async () => {
    const recorder = await startRecorder(stack);
    const { serve, context, page, pageErrors } = await startWorkbench(stack, {
      services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: recorder.url, name: 'mine' }] }],
    });
    recorder.lbwPort.value = serve.port;

    // The page took the token out of the address bar into this tab's sessionStorage; no cookie anywhere.
    expect(page.url()).toBe(`${serve.origin}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('lbw.token'))).toBe(serve.token);
    expect(await context.cookies()).toEqual([]);

    // 1. A link followed from the workbench page to the backend (a navigation the page starts: Referer rules apply).
    await page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      document.body.append(a);
      a.click();
    }, `${recorder.url}/page?from=workbench`);
    // Its script, on another origin, tries the workbench's socket: refused at the handshake (never opened).
    await eventually(() => page.title()).toMatch(/^ws:/);
    expect(await page.title()).toBe('ws:closed 1006 stored=null cookie=');
    // 2. Back to the workbench: the tab's sessionStorage still has the token, so it connects again.
    await page.goBack();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await page.reload();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    expect(page.url()).toBe(`${serve.origin}/`);

    // 3. The service lbw balances, in another tab of the same context: the backend gets the proxied request.
    const services = await invokeCore(serve, 'services:list', {});
    if (!services.ok) throw new Error(services.error.message);
    const address = services.value[0]!.address;
    const viaProxy = await context.newPage();
    await viaProxy.goto(`http://${address}/via-proxy`);
    // 4. The backend directly, in yet another tab.
    const direct = await context.newPage();
    await direct.goto(`${recorder.url}/direct`);

    const paths = recorder.seen.map((r) => r.url);
    expect(paths).toEqual(expect.arrayContaining(['/page?from=workbench', '/via-proxy', '/direct']));
    for (const r of recorder.seen) {
      expect({ url: r.url, cookie: r.headers.cookie }).toEqual({ url: r.url, cookie: undefined });
      expect({ url: r.url, leaked: [r.url, ...r.raw].some((x) => x.includes(serve.token)) }).toEqual({ url: r.url, leaked: false });
    }
    // The workbench page sends no Referer at all (referrer-policy no-referrer), fragment or not.
    expect(recorder.seen.find((r) => r.url === '/page?from=workbench')!.headers.referer).toBeUndefined();
    expect(await context.cookies()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('lets two workbenches work side by side in one browser, each command changing only its own', async () => {
    const alpha = await startBackend(stack, { name: 'alpha' });
    const beta = await startBackend(stack, { name: 'beta' });
    const gamma = await startBackend(stack, { name: 'gamma' });
    // The same workspace for both: a command that reached the wrong one would not fail, it would show.
    const workspace = { services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: alpha.url, name: 'alpha' }] }] };
    const one = await startWorkbench(stack, workspace);
    const serveTwo = await startServe(stack, writeWorkspace(stack, workspace));
    const two = await openPage(one.context, serveTwo.url); // same browser, same context: cookies would be shared
    await two.page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();

    async function addBackend(page: typeof one.page, url: string, name: string): Promise<void> {
      await page.getByLabel('Backend URL').fill(url);
      const add = page.getByRole('button', { name: 'Add backend' });
      await eventually(() => add.isEnabled()).toBe(true);
      await add.click();
      await backendRow(page, name).waitFor();
    }
    const names = async (serve: ServeProcess) => {
      const r = await invokeCore(serve, 'services:list', {});
      if (!r.ok) throw new Error(r.error.message);
      return r.value[0]!.backends.map((b) => b.name);
    };
    // The first page still works after the second opened (a shared cookie made it answer 401).
    await addBackend(one.page, beta.url, `127.0.0.1:${beta.port}`);
    await addBackend(two.page, gamma.url, `127.0.0.1:${gamma.port}`);
    expect(await names(one.serve)).toEqual(['alpha', `127.0.0.1:${beta.port}`]);
    expect(await names(serveTwo)).toEqual(['alpha', `127.0.0.1:${gamma.port}`]);

    // Each tab keeps its own token through a reload.
    for (const [page, serve] of [[one.page, one.serve], [two.page, serveTwo]] as const) {
      await page.reload();
      await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('lbw.token'))).toBe(serve.token);
    }
    await backendRow(one.page, `127.0.0.1:${beta.port}`).waitFor();
    await backendRow(two.page, `127.0.0.1:${gamma.port}`).waitFor();
    expect(await backendRow(one.page, `127.0.0.1:${gamma.port}`).count()).toBe(0);
    expect(await backendRow(two.page, `127.0.0.1:${beta.port}`).count()).toBe(0);
    expect(await one.context.cookies()).toEqual([]);
    expect([...one.pageErrors, ...two.pageErrors]).toEqual([]);
  });

  it('tells a tab without a token, or with one the workbench refuses, to open the printed URL', async () => {
    const serve = await startServe(stack, writeWorkspace(stack, { services: [] }));
    const { context, page, pageErrors } = await openBrowser(stack, `${serve.origin}/`);
    const notice = page.getByTestId('token-needed');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('opened without the workbench’s token');
    expect(await notice.textContent()).toContain(`http://127.0.0.1:${serve.port}/#token=…`);
    await screenshot(page, 'token-needed');

    // A token from an earlier run on this port (lbw serve restarted): refused, and forgotten.
    await page.evaluate((t) => sessionStorage.setItem('lbw.token', t), wrong(serve.token));
    await page.reload();
    await eventually(() => notice.textContent()).toContain('did not accept the token this tab had');
    expect(await page.evaluate(() => sessionStorage.getItem('lbw.token'))).toBeNull();

    // Pasting the printed URL into this tab changes only the fragment: the page takes the new token.
    await page.goto(serve.url);
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    expect(page.url()).toBe(`${serve.origin}/`);
    expect(pageErrors).toEqual([]);

    // What `lbw serve --open` hands the browser: a file only this user can read, forwarding to the URL.
    const forward = writeForwardingPage(serve.url);
    stack.defer('remove the forwarding page', forward.remove);
    const opened = await context.newPage();
    await opened.goto(pathToFileURL(forward.file).href);
    await opened.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    expect(opened.url()).toBe(`${serve.origin}/`);
  });
});
