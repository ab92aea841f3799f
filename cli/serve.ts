/**
 * `lbw serve`: browser mode. The core plus the built renderer on 127.0.0.1,
 * the contract over one WebSocket, a fresh token per run in the printed URL's
 * fragment (see cli/browser/auth.ts and README's Security section).
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { duplicateUrlWarnings } from '../core/config/duplicates';
import { exposureWarnings } from '../core/config/exposure';
import { loadWorkspaceFile, parseWorkspace } from '../core/config/workspace-file';
import { createDemo, type DemoFleet } from '../core/demo';
import type { WorkspaceSpec } from '../core/model/spec';
import { Workbench } from '../core/workbench';
import { startAdmin } from './admin/start';
import { startBrowserHost } from './browser/host';
import { openInBrowser } from './browser/open';
import { parseIntFlag } from './flags';
import { followWorkspace } from './follow';
import type { Io } from './run';
import { describeEvent } from './table';
import { HELP, UsageError } from './usage';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERER_DIST = join(ROOT, 'renderer', 'dist');

export async function serve(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      demo: { type: 'boolean' },
      open: { type: 'boolean' },
      tick: { type: 'string' },
      admin: { type: 'string' },
      'no-watch': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out.write(`${HELP.serve}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('give at most one workspace file');
  const port = values.port === undefined ? 4280 : parseIntFlag('--port', values.port);
  const host = values.host ?? '127.0.0.1';
  const tickMs = values.tick === undefined ? 500 : parseIntFlag('--tick', values.tick);
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    io.err.write(`lbw serve: warning: listening on ${host}: anyone who can reach this machine and has the token can control the workbench\n`);
  }

  let workspace: WorkspaceSpec;
  let path: string | undefined;
  let fleet: DemoFleet | undefined;
  if (positionals[0] !== undefined && !values.demo) {
    path = positionals[0];
    if (!existsSync(path)) throw new UsageError(`no such workspace file: ${path}`);
    workspace = await loadWorkspaceFile(path);
  } else {
    // The demo workspace: three built-in backends behind a service on 8080 (or a free port if taken).
    const listen = (await portFree('127.0.0.1', 8080)) ? '127.0.0.1:8080' : '127.0.0.1:0';
    const demo = await createDemo({ listen });
    fleet = demo.fleet;
    workspace = parseWorkspace(demo.workspace);
  }

  // The Workbench owns the demo fleet: `demo:*` commands act on it, and it stops with the Workbench.
  // One warning per service and address beyond loopback: at start, and when an edit moves a service there.
  const warned = new Set<string>();
  const warnExposure = (ws: WorkspaceSpec) => {
    for (const w of exposureWarnings(ws)) {
      const key = `${w.service}\n${w.listen}`;
      if (warned.has(key)) continue;
      warned.add(key);
      io.err.write(`lbw serve: warning: ${w.message}\n`);
    }
  };
  warnExposure(workspace);
  for (const w of duplicateUrlWarnings(workspace)) io.err.write(`lbw serve: warning: ${w}\n`);

  const workbench = new Workbench({ workspace, path, tickMs, demo: fleet });
  workbench.subscribe((push) => {
    if (push.channel === 'event' && push.event.type !== 'config:changed') io.out.write(`${describeEvent(push.event)}\n`);
    if (push.channel === 'event' && push.event.type === 'config:changed') warnExposure(workbench.getWorkspace());
  });
  let browserHost: Awaited<ReturnType<typeof startBrowserHost>>;
  let admin: Awaited<ReturnType<typeof startAdmin>> | undefined;
  try {
    await ensureRendererBuilt(io);
    await workbench.start();
    browserHost = await startBrowserHost({ workbench, host, port, staticDir: RENDERER_DIST });
    // The admin API (./admin): the contract over HTTP, events as SSE, Prometheus metrics.
    if (values.admin !== undefined) admin = await startAdmin('serve', values.admin, workbench, io);
  } catch (err) {
    await workbench.stop(0);
    throw err;
  }
  // Hot reload: edits to the workspace file are applied live and reach the page as config events (./follow).
  const following = path !== undefined && !values['no-watch'] ? followWorkspace(workbench, path, io, 'lbw serve') : undefined;
  io.out.write(`LB Workbench is running in browser mode: open\n\n  ${browserHost.url}\n\n(Ctrl-C to stop)\n`);
  const closeOpened = values.open ? openInBrowser(browserHost.url) : () => {};

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return resolve(130);
      stopping = true;
      following?.stop();
      void (async () => {
        closeOpened();
        await admin?.close();
        await browserHost.close();
        await workbench.stop(2000);
        resolve(0);
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Builds the renderer on first use (a fresh clone has no renderer/dist). */
export async function ensureRendererBuilt(io: Io): Promise<void> {
  if (existsSync(join(RENDERER_DIST, 'index.html'))) return;
  io.out.write('lbw: building the UI (first run only)...\n');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.renderer.config.ts'), logLevel: 'warn' });
}
