/**
 * Hot reload of `lbw run FILE` as a user meets it: a real child process, real
 * backends on loopback, FILE edited on disk the way editors save (written
 * beside it and renamed over it). A valid edit is applied live (in-flight
 * requests finish, a listener moves bind before release); an invalid one is
 * one line on stderr and the previous configuration keeps serving.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startHttpBackend, type HttpBackend } from '../helpers/backends';
import { send } from '../helpers/http-client';
import { useLbw, type Running } from '../helpers/lbw-process';
import { waitFor } from '../helpers/wait';

/** Generous: eight helpers share two cores; a reload itself takes ~150 ms of debounce plus the apply. */
const WAIT = { timeoutMs: 20_000, intervalMs: 20 };
/** A slow backend's answer time: long enough that the reload (debounce and apply) lands while it is in flight. */
const SLOW_MS = 3000;
let dir: string;
let seq = 0;
const spawnLbw = useLbw();
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-reload-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});


function lbw(...args: string[]): Running {
  return spawnLbw(args);
}

async function backend(name: string, delayMs = 0): Promise<HttpBackend> {
  const b = await startHttpBackend({ name, delayMs });
  cleanups.push(() => b.close());
  return b;
}

type Service = { name?: string; listen?: string; strategy?: string; backends: Array<{ url: string; name: string; weight?: number }> };

function workspace(service: Service): string {
  return `${JSON.stringify({ services: [{ name: 'api', listen: '127.0.0.1:0', ...service }] }, null, 2)}\n`;
}

/** An editor's save: written beside FILE, then renamed over it. */
async function save(file: string, text: string): Promise<void> {
  const tmp = `${file}.${++seq}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Starts `lbw run FILE` and waits until api listens; answers its port. */
async function runFile(text: string, ...flags: string[]): Promise<{ run: Running; file: string; port: number }> {
  const file = join(dir, `ws-${++seq}.json`);
  await writeFile(file, text);
  const run = lbw('run', file, ...flags);
  const address = await waitFor(() => {
    if (run.child.exitCode !== null) throw new Error(`lbw run exited: ${run.err()}`);
    return /api listening on (127\.0\.0\.1:\d+)/.exec(run.out())?.[1];
  }, WAIT);
  return { run, file, port: Number(address.split(':')[1]) };
}

/** Stderr's lines that start with `lbw run:` (the reload lines). */
const reloadLines = (run: Running) => run.err().split('\n').filter((l) => l.startsWith('lbw run: '));

async function backendOf(port: number): Promise<string | undefined> {
  const a = await send(port);
  return a.headers['x-backend'] as string | undefined;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('lbw run FILE: hot reload', () => {
  it('applies a valid edit live: a backend added and the strategy changed, requests then reach the new backend', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const { run, file, port } = await runFile(workspace({ strategy: 'least-connections', backends: [{ url: a.url, name: 'a' }] }));
    expect(await backendOf(port)).toBe('a');

    await save(file, workspace({ strategy: 'round-robin', backends: [{ url: a.url, name: 'a' }, { url: b.url, name: 'b' }] }));
    await waitFor(() => reloadLines(run).length === 1, WAIT);
    expect(reloadLines(run)).toEqual([`lbw run: reloaded ${file}: api changed`]);
    expect(run.out()).toContain(`config changed: reloaded ${file}: api changed\n`);

    // Round robin over two: four requests, two each, on the same port as before.
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await backendOf(port));
    expect(seen.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('lets a request in flight on a removed backend finish after the reload', async () => {
    const slow = await backend('slow', SLOW_MS);
    const fast = await backend('fast');
    const { run, file, port } = await runFile(workspace({ backends: [{ url: slow.url, name: 'slow' }] }));

    let answered = false;
    const inFlight = send(port).finally(() => (answered = true));
    await waitFor(() => slow.hits === 1, WAIT);
    await save(file, workspace({ backends: [{ url: fast.url, name: 'fast' }] }));
    await waitFor(() => reloadLines(run).length === 1, WAIT);
    expect(reloadLines(run)).toEqual([`lbw run: reloaded ${file}: api changed`]);
    expect(answered).toBe(false); // the reload came while the request was in flight
    expect(await backendOf(port)).toBe('fast');

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers['x-backend']).toBe('slow');
  });

  it('refuses broken JSON and a schema error with one stderr line each, keeps serving, then takes the fix', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const { run, file, port } = await runFile(workspace({ backends: [{ url: a.url, name: 'a' }] }));

    await save(file, '{\n  "services": [\n    { "name": "api", }\n  ]\n}\n');
    await waitFor(() => reloadLines(run).length === 1, WAIT);
    expect(reloadLines(run)[0]).toMatch(/^lbw run: reload of .+ refused: not valid JSON \(.+ at line 3, column 22\); still serving the previous configuration$/);
    expect(reloadLines(run)[0]).toContain(`reload of ${file} refused`);
    expect(run.out()).toMatch(/\(reload of .+\): .+not valid JSON/); // the config:rejected event's log line
    expect(await backendOf(port)).toBe('a');

    await save(file, workspace({ backends: [{ url: b.url, name: 'b', weight: 0 }] }));
    await waitFor(() => reloadLines(run).length === 2, WAIT);
    expect(reloadLines(run)[1]).toBe(
      `lbw run: reload of ${file} refused: services[0].backends[0].weight: Too small: expected number to be >=1; still serving the previous configuration`,
    );
    expect(await backendOf(port)).toBe('a');

    await save(file, workspace({ backends: [{ url: b.url, name: 'b' }] }));
    await waitFor(() => reloadLines(run).length === 3, WAIT);
    expect(reloadLines(run)[2]).toBe(`lbw run: reloaded ${file}: api changed`);
    expect(await backendOf(port)).toBe('b');
    expect(run.child.exitCode).toBeNull();
  });

  it('refuses a move onto a port in use (the old listener keeps serving), and takes it when saved again once the port is free', async () => {
    const a = await backend('a');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    let blocked = true;
    cleanups.push(async () => {
      if (blocked) await new Promise((r) => blocker.close(r));
    });
    const busy = (blocker.address() as net.AddressInfo).port;
    const { run, file, port } = await runFile(workspace({ backends: [{ url: a.url, name: 'a' }] }));

    const moved = workspace({ listen: `127.0.0.1:${busy}`, backends: [{ url: a.url, name: 'a' }] });
    await save(file, moved);
    await waitFor(() => reloadLines(run).length === 1, WAIT);
    expect(reloadLines(run)).toEqual([`lbw run: reload of ${file} refused: port ${busy} on 127.0.0.1 is already in use; still serving the previous configuration`]);
    expect(await backendOf(port)).toBe('a');
    expect(run.out()).not.toMatch(/api stopped/);

    // Free the port; saving the same file again retries.
    await new Promise((r) => blocker.close(r));
    blocked = false;
    await save(file, moved);
    await waitFor(() => reloadLines(run).length === 2, WAIT);
    expect(reloadLines(run)[1]).toBe(`lbw run: reloaded ${file}: api changed`);
    expect(await backendOf(busy)).toBe('a');
    await waitFor(() => refused(port), WAIT);
  });

  it('moves a listener bind before release: the new port answers, a request in flight on the old one finishes, then the old one closes', async () => {
    const slow = await backend('slow', SLOW_MS);
    const { run, file, port } = await runFile(workspace({ backends: [{ url: slow.url, name: 'slow' }] }));
    const target = await closedPort();

    let answered = false;
    const inFlight = send(port).finally(() => (answered = true));
    await waitFor(() => slow.hits === 1, WAIT);
    await save(file, workspace({ listen: `127.0.0.1:${target}`, backends: [{ url: slow.url, name: 'slow' }] }));
    // The new listener takes connections while the old one still serves its request...
    await waitFor(() => run.out().includes(`api listening on 127.0.0.1:${target}`), WAIT);
    expect(await refused(target)).toBe(false);
    expect(answered).toBe(false);
    // ...and the reload is done (its line written) once the old one has let it finish.
    await waitFor(() => reloadLines(run).length === 1, WAIT);
    expect(reloadLines(run)).toEqual([`lbw run: reloaded ${file}: api changed`]);

    // The new listener was up before the old one stopped.
    const out = run.out();
    const listening = out.indexOf(`api listening on 127.0.0.1:${target}`);
    expect(listening).toBeGreaterThan(-1);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers['x-backend']).toBe('slow');
    expect(await backendOf(target)).toBe('slow');
    // The old port stops taking connections (its in-flight request finished above), and only after the new one listened.
    await waitFor(() => refused(port), WAIT);
    const stopped = run.out().indexOf('api stopped');
    expect(stopped).toBeGreaterThan(listening);
  });

  it('--no-watch leaves a running instance alone (a watching one on the same file reloads)', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const { run: watching, file } = await runFile(workspace({ backends: [{ url: a.url, name: 'a' }] }));
    const still = lbw('run', file, '--no-watch');
    const stillPort = Number(
      (await waitFor(() => {
        if (still.child.exitCode !== null) throw new Error(`lbw run --no-watch exited: ${still.err()}`);
        return /api listening on 127\.0\.0\.1:(\d+)/.exec(still.out())?.[1];
      }, WAIT)),
    );

    await save(file, workspace({ backends: [{ url: b.url, name: 'b' }] }));
    await waitFor(() => reloadLines(watching).length === 1, WAIT);
    expect(await backendOf(stillPort)).toBe('a');
    expect(reloadLines(still)).toEqual([]);
    expect(still.out()).not.toContain('config changed');
  });
});
