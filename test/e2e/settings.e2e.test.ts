/**
 * The Health & retries panel and the notices, in the real browser against a
 * real `lbw serve`: a change made in the panel reaches the core (read back
 * with `services:list`) and the data plane (a redirect's Location); a
 * listener moved onto a port that is taken is refused with a notice while the
 * service keeps serving where it was; an https backend with a self-signed
 * certificate shows `LB_UPSTREAM_TLS: self-signed certificate` in its row
 * until verification is turned off in the panel. Screenshots at 1280 and
 * 900 px wide.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServiceView } from '../../core/contract';
import type { HttpBackend } from '../helpers/backends';
import {
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventually,
  invokeCore,
  proxyRequest,
  SCREENSHOT_DIR,
  screenshot,
  sequentialRequests,
  serviceAddress,
  Stack,
  startBackend,
  startWorkbench,
  type ServeProcess,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

const NARROW = { width: 900, height: 800 };

/** The whole element as `__screenshots__/<name>.png`, scrolled into view (it may be taller than the viewport). */
async function elementShot(locator: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(SCREENSHOT_DIR, `${name}.png`), await locator.screenshot({ animations: 'disabled', timeout: 60_000 }));
}

async function serviceInCore(serve: ServeProcess, name: string): Promise<ServiceView> {
  const res = await invokeCore(serve, 'services:list', {});
  if (!res.ok) throw new Error(`services:list: ${res.error.message}`);
  const svc = res.value.find((s) => s.name === name);
  if (!svc) throw new Error(`no service ${name} in the core`);
  return svc;
}

/** The event log's rows as their cells' text: time, type, service, backend, cause. */
function eventRows(page: Page): Promise<string[][]> {
  return page
    .getByTestId('event-log')
    .getByTestId('event-row')
    .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
}

/** The Location header of one GET through the proxy (no redirect followed). */
function locationOf(port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 15_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers.location));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

describe('the Health & retries panel in the browser', () => {
  it('applies a new idle timeout and redirect rewriting off: the core has them and passes a backend’s redirect through as it is', async () => {
    // A backend that redirects to its own origin, the case rewriting is for.
    const self: HttpBackend = await startBackend(stack, {
      name: 'alpha',
      handler: (req, res) => {
        if (req.url === '/e2e/redirect') res.writeHead(302, { location: `http://127.0.0.1:${self.port}/e2e/next`, 'x-backend': 'alpha' }).end();
        else res.writeHead(200, { 'x-backend': 'alpha' }).end('alpha');
      },
    });
    const backendPort = self.port;
    const { page, serve, pageErrors } = await startWorkbench(stack, {
      services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: self.url, name: 'alpha' }] }],
    });
    const { port } = await serviceAddress(page, 'web');
    // Rewriting is on by default: the client is sent back through the balancer.
    expect(await locationOf(port, '/e2e/redirect')).toBe(`http://127.0.0.1:${port}/e2e/next`);
    const before = await serviceInCore(serve, 'web');
    expect(before.timeouts.idleMs).toBe(60_000);
    expect(before.rewriteRedirects).toBe(true);

    const panel = page.getByTestId('settings-web');
    await panel.getByTestId('settings-toggle').click();
    await panel.getByLabel('Idle timeout').fill('15000');
    await panel.getByLabel('Rewrite redirects to the balancer').uncheck();
    await elementShot(panel, 'settings-panel-edited');
    const apply = panel.getByTestId('settings-apply');
    await eventually(() => apply.isEnabled()).toBe(true);
    await apply.click();
    await eventually(() => panel.getByRole('status').textContent()).toBe('Applied.');

    const after = await serviceInCore(serve, 'web');
    expect(after.timeouts).toEqual({ ...before.timeouts, idleMs: 15_000 });
    expect(after.rewriteRedirects).toBe(false);
    // Nothing else was sent: the sections left alone are as they were.
    expect(after.limits).toEqual(before.limits);
    expect(after.retries).toEqual(before.retries);
    expect(after.tls).toBeUndefined();
    // The data plane follows: the backend's own Location now reaches the client unchanged.
    expect(await locationOf(port, '/e2e/redirect')).toBe(`http://127.0.0.1:${backendPort}/e2e/next`);
    await eventually(() => panel.getByLabel('Idle timeout').inputValue()).toBe('15000');
    await eventually(() => apply.isDisabled()).toBe(true);

    await page.setViewportSize(NARROW);
    await elementShot(panel, 'settings-panel-narrow');
    expect(pageErrors).toEqual([]);
  });

  it('a listener moved onto a port in use is refused: the page says why, and the service keeps serving where it was', async () => {
    const busy = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      busy.once('error', reject);
      busy.listen(0, '127.0.0.1', () => resolve());
    });
    stack.defer('close the busy port', () => new Promise<void>((resolve) => busy.close(() => resolve())));
    const busyPort = (busy.address() as net.AddressInfo).port;
    const alpha = await startBackend(stack, { name: 'alpha' });
    const { page, serve, pageErrors } = await startWorkbench(stack, {
      services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: alpha.url, name: 'alpha' }] }],
    });
    const { port } = await serviceAddress(page, 'web');
    expect(await page.getByTestId('change-refused').count()).toBe(0);

    // Another client of the same workbench (a second window, `lbw --admin`) moves the listener.
    const res = await invokeCore(serve, 'services:update', { service: 'web', patch: { listen: `127.0.0.1:${busyPort}` } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('PORT_IN_USE');
    expect(res.error.message).toContain(String(busyPort));

    const notice = page.getByTestId('change-refused');
    await notice.waitFor();
    expect(await notice.getByTestId('change-refused-reason').textContent()).toBe(res.error.message);
    expect(await notice.textContent()).toContain('Change refused, nothing changed:');
    await eventually(async () => (await eventRows(page)).some(([, type, , , cause]) => type === 'change refused' && cause!.includes(res.error.message))).toBe(
      true,
    );

    // Still serving on its old port, as the core and the page say.
    const answers = await sequentialRequests(port, 5);
    expect(answers.statuses).toEqual({ 200: 5 });
    expect(answers.byBackend).toEqual({ alpha: 5 });
    expect((await serviceInCore(serve, 'web')).address).toBe(`127.0.0.1:${port}`);
    expect(await page.getByTestId('service-web').locator('.service-addr').textContent()).toBe(`127.0.0.1:${port}`);
    await screenshot(page, 'change-refused');
    await page.setViewportSize(NARROW);
    await screenshot(page, 'change-refused-narrow');

    await page.getByRole('button', { name: 'Dismiss the refused change notice' }).click();
    await eventually(() => notice.count()).toBe(0);
    expect((await proxyRequest(port)).status).toBe(200);
    expect(pageErrors).toEqual([]);
  });

  it('an https backend with a self-signed certificate shows LB_UPSTREAM_TLS in its row until verification is off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbw-e2e-tls-'));
    stack.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], {
      stdio: 'ignore',
    });
    const secure = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.writeHead(200, { 'x-backend': 'secure' }).end('secure'));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', () => resolve()));
    stack.defer('close the https backend', () => new Promise<void>((resolve) => (secure.closeAllConnections(), secure.close(() => resolve()))));
    const securePort = (secure.address() as net.AddressInfo).port;
    const alpha = await startBackend(stack, { name: 'alpha' });
    const { page, serve, pageErrors } = await startWorkbench(stack, {
      services: [
        {
          name: 'web',
          listen: '127.0.0.1:0',
          backends: [
            { url: alpha.url, name: 'alpha' },
            { url: `https://127.0.0.1:${securePort}`, name: 'secure' },
          ],
        },
      ],
    });
    const { port } = await serviceAddress(page, 'web');

    // Verified (the default), the handshake fails; each request is retried on alpha.
    const first = await sequentialRequests(port, 6);
    expect(first.statuses).toEqual({ 200: 6 });
    expect(first.byBackend).toEqual({ alpha: 6 });
    const line = page.getByTestId('last-error-secure');
    await eventually(() => line.textContent()).toMatch(/^Last error: LB_UPSTREAM_TLS: self-signed certificate · \d\d:\d\d:\d\d$/);
    expect(await page.getByTestId('last-error-alpha').count()).toBe(0);
    await screenshot(page, 'backend-tls-error');
    await page.setViewportSize(NARROW);
    await screenshot(page, 'backend-tls-error-narrow');
    // Focused from the keyboard, the line shows the whole reason and its time.
    await line.focus();
    await elementShot(page.getByTestId('backend-row-secure'), 'backend-tls-error-focused-narrow');

    const panel = page.getByTestId('settings-web');
    await panel.getByTestId('settings-toggle').click();
    await panel.getByLabel('Verify certificates').uncheck();
    await panel.getByTestId('settings-tls-warning').waitFor();
    await elementShot(panel.locator('fieldset').filter({ hasText: 'TLS to https:// backends' }), 'settings-tls-unverified-narrow');
    await panel.getByTestId('settings-apply').click();
    await eventually(() => panel.getByRole('status').textContent()).toBe('Applied.');
    expect((await serviceInCore(serve, 'web')).tls).toEqual({ verify: false });
    await eventually(() => panel.getByTestId('settings-summary').textContent()).toMatch(/ · certificates not verified$/);

    // Now the self-signed backend answers its share.
    const second = await sequentialRequests(port, 6);
    expect(second.statuses).toEqual({ 200: 6 });
    expect(second.byBackend.secure).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it('saving over a file lbw did not write asks in a dialog, by keyboard: Escape keeps the file, Replace writes it', async () => {
    const alpha = await startBackend(stack, { name: 'alpha' });
    const { page, pageErrors } = await startWorkbench(stack, {
      services: [{ name: 'web', listen: '127.0.0.1:0', backends: [{ url: alpha.url, name: 'alpha' }] }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'lbw-e2e-save-'));
    stack.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const foreign = join(dir, 'notes.json');
    writeFileSync(foreign, '{"mine": true}\n');

    await page.getByLabel('Workspace file').fill(foreign);
    const save = page.getByRole('button', { name: 'Save' });
    await save.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog', { name: 'Replace an existing file?' });
    await dialog.waitFor();
    // Focus starts on Cancel, the answer that changes nothing.
    await eventually(() => dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.setViewportSize(NARROW);
    await screenshot(page, 'save-conflict-dialog-narrow');
    await page.keyboard.press('Escape');
    await eventually(() => dialog.count()).toBe(0);
    expect(readFileSync(foreign, 'utf8')).toBe('{"mine": true}\n');
    expect(await save.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Shift+Tab'); // from Cancel back round to Replace
    await page.keyboard.press('Enter');
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => (JSON.parse(readFileSync(foreign, 'utf8')) as { services?: Array<{ name: string }> }).services?.[0]?.name).toBe('web');
    expect(await page.getByTestId('workspace-error').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
