/**
 * `lbw run --access-log FILE|-` as a child process: real requests through
 * it leave valid JSON lines with every field; `-` puts them on stdout alone
 * (the event lines go to stderr); the file is appended to, never replaced.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRecord } from '../../core/lab/types';
import { closedPort, startHttpBackend } from '../helpers/backends';
import { useCleanup } from '../helpers/cleanup';
import { send } from '../helpers/http-client';
import { useLbw, type Running } from '../helpers/lbw-process';
import { waitFor } from '../helpers/wait';

const cleanup = useCleanup();
let dir: string;
const spawnLbw = useLbw();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-access-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lbw(...args: string[]): Running {
  return spawnLbw(args);
}

const FIELDS = ['time', 'service', 'method', 'path', 'status', 'ms', 'backend', 'attempts', 'reason'];

function parseLines(text: string): AccessRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AccessRecord);
}

async function backendsFile(): Promise<string> {
  const good = cleanup.track(await startHttpBackend({ name: 'good' }));
  const file = join(dir, `ws-${good.port}.json`);
  const service = { name: 'api', listen: '127.0.0.1:0', strategy: 'round-robin', backends: [{ url: `http://127.0.0.1:${await closedPort()}`, name: 'dead' }, { url: good.url, name: 'good' }] };
  await writeFile(file, JSON.stringify({ services: [service] }));
  return file;
}

describe('lbw run --access-log', () => {
  it('FILE: appends one valid JSON line per request with every field; a retried request shows both attempts', async () => {
    const ws = await backendsFile();
    const log = join(dir, 'access.log');
    await writeFile(log, '{"earlier":"line"}\n');
    const run = lbw('run', ws, '--plain', '--no-watch', '--access-log', log);
    const address = await waitFor(() => /api listening on (127\.0\.0\.1:\d+)/.exec(run.out())?.[1], { timeoutMs: 20_000 });
    const port = Number(address.split(':')[1]);
    for (let i = 0; i < 4; i++) expect((await send(port, { path: `/item/${i}` })).status).toBe(200);
    const records = await waitFor(async () => {
      const lines = (await readFile(log, 'utf8')).split('\n').slice(1).join('\n');
      const parsed = parseLines(lines);
      return parsed.length === 4 ? parsed : undefined;
    }, { timeoutMs: 10_000 });
    expect((await readFile(log, 'utf8')).startsWith('{"earlier":"line"}\n')).toBe(true);
    for (const r of records) {
      expect(Object.keys(r)).toEqual(FIELDS);
      expect(r).toMatchObject({ service: 'api', method: 'GET', status: 200, backend: 'good' });
    }
    expect(records.map((r) => r.path)).toEqual(['/item/0', '/item/1', '/item/2', '/item/3']);
    // Round robin alternates between dead and good: every other request tries dead first, refused.
    const outcomes = records.map((r) => r.attempts.map((a) => `${a.backend}:${a.outcome}`).join(','));
    expect(outcomes.filter((o) => o === 'dead:refused,good:ok').length).toBeGreaterThanOrEqual(1);
    for (const o of outcomes) expect(['dead:refused,good:ok', 'good:ok']).toContain(o);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('-: JSON lines alone on stdout, the event lines on stderr', async () => {
    const ws = await backendsFile();
    const run = lbw('run', ws, '--plain', '--no-watch', '--access-log', '-');
    const address = await waitFor(() => /api listening on (127\.0\.0\.1:\d+)/.exec(run.err())?.[1], { timeoutMs: 20_000 });
    const port = Number(address.split(':')[1]);
    for (let i = 0; i < 3; i++) expect((await send(port, { path: `/s/${i}` })).status).toBe(200);
    await waitFor(() => run.out().split('\n').filter((l) => l.trim()).length === 3, { timeoutMs: 10_000 });
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const records = parseLines(run.out());
    expect(records.map((r) => r.path)).toEqual(['/s/0', '/s/1', '/s/2']);
    for (const r of records) expect(Object.keys(r)).toEqual(FIELDS);
  });

  it('a path it cannot open fails before listening, naming it', async () => {
    const ws = await backendsFile();
    const run = lbw('run', ws, '--plain', '--no-watch', '--access-log', join(dir, 'no-such-dir', 'a.log'));
    expect(await run.exit).not.toBe(0);
    expect(run.err()).toMatch(/cannot open the access log .*no-such-dir/);
    expect(run.out()).not.toMatch(/listening on/);
  });
});
