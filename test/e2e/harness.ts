/**
 * The end-to-end harness: real HTTP backends on loopback, a workspace file in
 * a temp dir, `lbw serve` as its own child process, and Debian's Chromium
 * driven by playwright-core against the printed URL (the token in its
 * fragment, `http://127.0.0.1:<port>/#token=…`). Everything a test starts
 * goes on a `Stack` and is stopped, newest first, when the test ends, pass or
 * fail; child processes are stopped by their pid, never by name.
 *
 * The e2e files import everything from here; support/ holds the parts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import type { CommandName, CommandOutput, Result } from '../../core/contract';
import type { WorkspaceInput } from '../../core/model/spec';
import { waitFor } from '../helpers/wait';
import { ROOT, trace, track, type Stack } from './support/process';
import { UI_WAIT_MS } from './support/ui';

export * from './support/build';
export * from './support/process';
export * from './support/traffic';
export * from './support/ui';

/** Per test and per hook: a noisy 2-core machine running Chromium next to the core. */
export const E2E_TIMEOUT_MS = 120_000;

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Writes the workspace to a fresh temp dir, removed when the stack unwinds. */
export function writeWorkspace(stack: Stack, workspace: WorkspaceInput): string {
  const dir = join(tmpdir(), `lbw-e2e-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  stack.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'workspace.json');
  writeFileSync(file, `${JSON.stringify(workspace, null, 2)}\n`);
  return file;
}

export interface ServeProcess {
  /** The printed URL, the token in its fragment. */
  url: string;
  origin: string;
  port: number;
  token: string;
  pid: number;
  /** Everything the process wrote so far (the event lines help when a test fails). */
  output(): string;
}

/**
 * The stats tick `lbw serve` runs with: the CLI's default, 500 ms. The
 * renderer applies the ticks that arrive between two animation frames in one
 * go and paces its chart redraws to a share of the main thread, so a busy
 * machine makes the charts skip ticks rather than the page fall behind.
 * (At 500 ms the share column's window, SHARE_WINDOW_TICKS, is 10 s.)
 */
export const TICK_MS = 500;

/**
 * Spawns `node bin/lbw.js serve <file> --port 0 --tick <TICK_MS>` and waits for the URL line
 * (`opts.port` picks the port instead, as a restart on the same address needs).
 * With `workspaceFile` null it serves the demo: three demo backends behind a
 * service on 127.0.0.1:8080, or on a free port when 8080 is taken.
 */
export async function startServe(stack: Stack, workspaceFile: string | null, opts: { tickMs?: number; port?: number } = {}): Promise<ServeProcess> {
  const args = [join(ROOT, 'bin', 'lbw.js'), 'serve', ...(workspaceFile === null ? [] : [workspaceFile]), '--port', String(opts.port ?? 0), '--tick', String(opts.tickMs ?? TICK_MS)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (child.pid === undefined) throw new Error('could not spawn lbw serve');
  const pid = child.pid;
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stack.defer(`stop lbw serve (pid ${pid})`, () => stopChild(child, exited));

  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const output = () => `${out}${err ? `\n[stderr]\n${err}` : ''}`;

  const match = await waitFor(
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`lbw serve exited early (${child.exitCode ?? child.signalCode}):\n${output()}`);
      return /(http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]+)/.exec(out);
    },
    { timeoutMs: 60_000, intervalMs: 50, message: 'the URL line of lbw serve' },
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${output()}`);
  });
  return { url: match[0], origin: match[1]!, port: Number(match[2]), token: match[3]!, pid, output };
}

/** SIGTERM (a graceful stop), then SIGKILL if it lingers; by pid only. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
  if ((await Promise.race([exited, timeout(8000)])) === 'timeout') {
    child.kill('SIGKILL');
    await Promise.race([exited, timeout(5000)]);
  }
}

/** Runs one command against the core over its WebSocket, as the renderer would: the token in the first frame, then the request. */
export async function invokeCore<K extends CommandName>(serve: ServeProcess, name: K, input: unknown): Promise<Result<CommandOutput<K>>> {
  const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws`);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise<Result<CommandOutput<K>>>((resolve, reject) => {
      ws.on('message', (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString()) as { auth?: string; id?: number; result?: Result<CommandOutput<K>> };
        if (msg.auth === 'ok') ws.send(JSON.stringify({ id: 1, name, input }));
        if (msg.id === 1 && msg.result) resolve(msg.result);
      });
      ws.once('close', (code, reason) => reject(new Error(`the socket closed before the reply: ${code} ${reason.toString()}`)));
      ws.once('error', reject);
      ws.send(JSON.stringify({ auth: serve.token }));
    });
  } finally {
    ws.terminate();
  }
}

export interface BrowserSession {
  browser: Browser;
  /** The page's context: more pages opened in it (openPage) share its cookies and storage partition. */
  context: BrowserContext;
  page: Page;
  /**
   * Uncaught exceptions in the page, and requests of the page that failed or
   * answered 4xx/5xx (a missing asset, say): a test ends by checking there are none.
   */
  pageErrors: string[];
}

export async function openBrowser(stack: Stack, url: string): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  stack.defer('close chromium', () => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return { browser, context, ...(await openPage(context, url)) };
}

/** Another page in the same context (same cookies, same browser), on `url`, watched for errors like the first. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(UI_WAIT_MS);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? 'unknown';
    // A request the page itself gave up on, because it reloaded or navigated (the icon, say), is no failure.
    if (why !== 'net::ERR_ABORTED') pageErrors.push(`${r.method()} ${r.url()} failed: ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) pageErrors.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
  });
  const res = await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  if (res?.status() !== 200) throw new Error(`GET ${url} answered ${res?.status()}`);
  return { page, pageErrors };
}

export interface E2E extends BrowserSession {
  serve: ServeProcess;
  /** Null for the demo workspace. */
  workspaceFile: string | null;
}

/**
 * The whole set-up: workspace file, `lbw serve`, Chromium on its URL, the
 * page connected. `'demo'` serves the demo workspace (no file; see startServe).
 */
export async function startWorkbench(stack: Stack, workspace: WorkspaceInput | 'demo'): Promise<E2E> {
  const workspaceFile = workspace === 'demo' ? null : writeWorkspace(stack, workspace);
  const serve = await startServe(stack, workspaceFile);
  trace(`lbw serve up (pid ${serve.pid}) at ${serve.origin}`);
  const session = await openBrowser(stack, serve.url);
  await session.page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
  trace('page connected');
  return { ...session, serve, workspaceFile };
}
