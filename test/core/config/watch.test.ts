/**
 * Following a workspace file (core/config/watch) on the real file system, in
 * a temp dir: saves by rename, bursts, writes that change nothing, a file
 * deleted and recreated, broken files; and the Workbench's reload beside it
 * (its own save is not applied again, an unreadable file is config:rejected).
 *
 * "Nothing was reported" is never a fixed sleep: the watcher says when it has
 * read the file (onSettled), reported or not; and after the step under test
 * a sentinel edit is made and awaited, since reads happen in order.
 */
import { mkdir, mkdtemp, readFile, rename, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { watchWorkspaceFile, type WatchOptions, type WatchRead, type WorkspaceWatcher } from '../../../core/config/watch';
import type { WorkbenchEvent } from '../../../core/contract';
import { Workbench } from '../../../core/workbench';
import { waitFor } from '../../helpers/wait';

let root: string;
let seq = 0;
const watchers: WorkspaceWatcher[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lbw-watch-'));
});
afterEach(() => {
  for (const w of watchers.splice(0)) w.stop();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A workspace whose one backend has weight `w`: each weight is a distinct content. */
function text(w: number, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ services: [{ name: 'api', listen: '127.0.0.1:0', backends: [{ url: 'http://127.0.0.1:3001', weight: w, ...extra }] }] }, null, 2)}\n`;
}

function weightOf(read: WatchRead | undefined): number | string | undefined {
  if (!read) return undefined;
  return read.ok ? read.workspace.services[0]!.backends[0]!.weight : read.error.message;
}

/** A fresh folder with ws.json (weight 1) and a watcher on it, its baseline read. */
async function follow(options: WatchOptions = {}) {
  const dir = join(root, `t${++seq}`);
  await mkdir(dir);
  const file = join(dir, 'ws.json');
  await writeFile(file, text(1));
  const reads: WatchRead[] = [];
  let looks = 0;
  const watcher = watchWorkspaceFile(file, (r) => reads.push(r), { ...options, onSettled: () => looks++ });
  watchers.push(watcher);
  await watcher.ready;
  /** Runs a step and waits until the watcher has read the file after it (whether or not it reported anything). */
  const looked = async (step: () => Promise<unknown>) => {
    const before = looks;
    await step();
    await waitFor(() => looks > before, { timeoutMs: 10_000, message: 'the watcher read the file' });
  };
  /** Writes a distinct content and waits until it is reported: everything before it was reported first. */
  let sentinel = 500;
  const settle = async () => {
    const w = ++sentinel;
    await writeFile(file, text(w));
    await waitFor(() => reads.some((r) => weightOf(r) === w), { timeoutMs: 10_000, message: `sentinel weight ${w} reported` });
    return reads.slice(0, reads.findIndex((r) => weightOf(r) === w));
  };
  return { dir, file, reads, watcher, settle, looked };
}

/** An editor's save: the whole file written beside it, then renamed over it (a new inode). */
async function saveByRename(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${++seq}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

describe('watchWorkspaceFile', () => {
  it('reports nothing for the file as it was when watching started (the baseline)', async () => {
    const { settle } = await follow();
    expect(await settle()).toEqual([]);
  });

  it('with emitInitial, reports the file as it is when watching starts', async () => {
    const { reads } = await follow({ emitInitial: true });
    await waitFor(() => reads.length === 1, { timeoutMs: 10_000 });
    expect(weightOf(reads[0])).toBe(1);
  });

  it('follows saves by rename over the file, again and again (the watch is on the folder, not the old inode)', async () => {
    const { file, reads } = await follow();
    await saveByRename(file, text(2));
    await waitFor(() => reads.length === 1, { timeoutMs: 10_000 });
    await saveByRename(file, text(3));
    await waitFor(() => reads.length === 2, { timeoutMs: 10_000 });
    expect(reads.map(weightOf)).toEqual([2, 3]);
    expect(reads.every((r) => r.ok)).toBe(true);
  });

  it("follows vim's save without backupcopy: the file renamed to a backup, a new one written", async () => {
    const { file, reads, settle } = await follow();
    await rename(file, `${file}~`);
    await writeFile(file, text(4));
    await unlink(`${file}~`);
    await waitFor(() => reads.length >= 1, { timeoutMs: 10_000 });
    expect((await settle()).map(weightOf)).toEqual([4]);
  });

  it('reads a burst of writes once, the last content', async () => {
    // A generous quiet time: the burst's writes come back to back, each awaited, far closer than 1 s even on a busy machine.
    const { file, settle, looked } = await follow({ quietMs: 1000, maxWaitMs: 10_000 });
    await looked(async () => {
      for (let w = 2; w <= 12; w++) await writeFile(file, text(w));
    });
    expect((await settle()).map(weightOf)).toEqual([12]);
  });

  it('reads within maxWaitMs even while the writes go on', async () => {
    const { file, reads } = await follow({ quietMs: 300, maxWaitMs: 400 });
    // Writes every ~20 ms, never quiet for 300 ms, until something is reported (or 20 s pass).
    const deadline = Date.now() + 20_000;
    let w = 2;
    while (reads.length === 0 && Date.now() < deadline) {
      await writeFile(file, text(w++));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(reads.length).toBeGreaterThanOrEqual(1);
    // Reported while writes were still coming (not the last one written), and never a file caught half-written.
    expect(reads[0]!.ok).toBe(true);
    expect(weightOf(reads[0])).toBeLessThan(w);
  });

  it('ignores writes that change nothing: the same bytes again, a touch', async () => {
    const { file, settle, looked } = await follow();
    await looked(() => writeFile(file, text(1)));
    await looked(() => saveByRename(file, text(1)));
    const now = new Date(Date.now() + 5000);
    await looked(() => utimes(file, now, now));
    expect(await settle()).toEqual([]);
  });

  it('a file deleted and recreated with the same content is no change; with new content, one read', async () => {
    const { file, reads, settle, looked } = await follow({ missingMs: 5000 });
    await looked(() => unlink(file)); // the deletion's own read finds no file
    await looked(() => writeFile(file, text(1)));
    expect(await settle()).toEqual([]);

    const before = reads.length;
    await unlink(file);
    await writeFile(file, text(7));
    await waitFor(() => reads.length > before, { timeoutMs: 10_000 });
    expect(reads.slice(before).map(weightOf)).toEqual([7]);
  });

  it('a file that stays away is reported once, and reported again when it is back (even unchanged)', async () => {
    const { file, reads } = await follow({ missingMs: 300 });
    await unlink(file);
    await waitFor(() => reads.length === 1, { timeoutMs: 10_000 });
    expect(reads[0]!.ok).toBe(false);
    expect(weightOf(reads[0])).toBe(`${file}: the file was removed`);
    await writeFile(file, text(1));
    await waitFor(() => reads.length === 2, { timeoutMs: 10_000 });
    expect(weightOf(reads[1])).toBe(1);
  });

  it('reports broken JSON with its line and column, a schema error with its path, then the fix', async () => {
    const { file, reads } = await follow();
    await writeFile(file, '{\n  "services": [\n    { "name": "api", }\n  ]\n}\n');
    await waitFor(() => reads.length === 1, { timeoutMs: 10_000 });
    const broken = reads[0]!;
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(broken.error.code).toBe('CONFIG_INVALID');
      expect(broken.error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(.* at line 3, column 22\\)$`));
    }

    await writeFile(file, text(-2));
    await waitFor(() => reads.length === 2, { timeoutMs: 10_000 });
    const schema = reads[1]!;
    expect(schema.ok).toBe(false);
    if (!schema.ok) {
      expect(schema.error.code).toBe('CONFIG_INVALID');
      expect(schema.error.issues?.[0]).toMatch(/^services\[0\]\.backends\[0\]\.weight: /);
    }

    await writeFile(file, text(5));
    await waitFor(() => reads.length === 3, { timeoutMs: 10_000 });
    expect(weightOf(reads[2])).toBe(5);
  });

  it('after forget(), the same content is reported again (retrying a change that could not be applied)', async () => {
    const { file, watcher, settle, looked } = await follow();
    watcher.forget();
    await looked(() => writeFile(file, text(1)));
    expect((await settle()).map(weightOf)).toEqual([1]);
  });

  it('reports nothing after stop()', async () => {
    const { file, reads, watcher } = await follow();
    watcher.stop();
    // A second watcher on the same file is the sentinel: when it has seen the edit, the first one would have too.
    const seen: WatchRead[] = [];
    const other = watchWorkspaceFile(file, (r) => seen.push(r));
    watchers.push(other);
    await other.ready;
    await writeFile(file, text(9));
    await waitFor(() => seen.length === 1, { timeoutMs: 10_000 });
    expect(reads).toEqual([]);
  });
});

describe('Workbench.reload beside the watcher', () => {
  async function followed() {
    const { file, reads, settle, watcher } = await follow();
    const workbench = new Workbench({ workspace: JSON.parse(text(1)) as object, path: file, dataPlane: false });
    const events: WorkbenchEvent[] = [];
    workbench.subscribe((p) => {
      if (p.channel === 'event') events.push(p.event);
    });
    return { file, reads, settle, watcher, workbench, events };
  }

  it('applies an edit through commit (config:changed naming what changed) and not the workbench’s own save of it', async () => {
    const { file, workbench, events } = await followed();
    const r1 = await workbench.reload(file, { workspace: JSON.parse(text(3)) as never });
    expect(r1).toEqual({ ok: true, value: { applied: true, changes: { added: [], removed: [], changed: ['api'], other: [] } } });
    expect(workbench.getWorkspace().services[0]!.backends[0]!.weight).toBe(3);
    expect(events.filter((e) => e.type === 'config:changed').map((e) => (e as { cause: string }).cause)).toEqual([`reloaded ${file}: api changed`]);

    // The UI edits and saves: the file now holds exactly the running workspace (with a $schema), which changes nothing.
    expect((await workbench.invoke('backends:update', { service: 'api', backend: '127.0.0.1:3001', patch: { weight: 8 } })).ok).toBe(true);
    expect((await workbench.invoke('workspace:save', {})).ok).toBe(true);
    const { parseWorkspaceText } = await import('../../../core/config/workspace-file');
    const saved = parseWorkspaceText(await readFile(file, 'utf8'));
    const before = events.length;
    expect(await workbench.reload(file, { workspace: saved })).toEqual({ ok: true, value: { applied: false, changes: { added: [], removed: [], changed: [], other: [] } } });
    expect(events.length).toBe(before);
  });

  it('a demo workspace’s own save is no change either (its demo backends are saved by name, not by their one-off urls)', async () => {
    const { createDemo } = await import('../../../core/demo');
    const { parseWorkspaceText } = await import('../../../core/config/workspace-file');
    const demo = await createDemo({ listen: '127.0.0.1:0' });
    const file = join(root, `demo-${++seq}.json`);
    const workbench = new Workbench({ workspace: demo.workspace, demo: demo.fleet, path: file, dataPlane: false });
    try {
      await workbench.start();
      expect((await workbench.invoke('workspace:save', {})).ok).toBe(true);
      const saved = parseWorkspaceText(await readFile(file, 'utf8'));
      expect(saved.services[0]!.backends.every((b) => b.demo !== undefined)).toBe(true);
      expect(await workbench.reload(file, { workspace: saved })).toMatchObject({ ok: true, value: { applied: false } });
    } finally {
      await workbench.stop(0);
    }
  });

  it('an unreadable file is refused as config:rejected and nothing changes', async () => {
    const { file, workbench, events } = await followed();
    const { LbError } = await import('../../../core/model/errors');
    const result = await workbench.reload(file, { error: new LbError('CONFIG_INVALID', `${file}: not valid JSON (x at line 1, column 2)`) });
    expect(result).toEqual({ ok: false, error: { code: 'CONFIG_INVALID', message: `${file}: not valid JSON (x at line 1, column 2)` } });
    expect(events.map((e) => e.type)).toEqual(['config:rejected']);
    expect(events[0]).toMatchObject({ cause: `reload of ${file}` });
    expect(workbench.getWorkspace().services[0]!.backends[0]!.weight).toBe(1);
  });

  it('is ignored once the workbench saved its workspace to another file', async () => {
    const { file, workbench, events } = await followed();
    const other = join(root, `other-${++seq}.json`);
    expect((await workbench.invoke('workspace:save', { path: other })).ok).toBe(true);
    expect(await workbench.reload(file, { workspace: JSON.parse(text(4)) as never })).toEqual({ ok: true, value: { ignored: `the workbench now uses ${other}` } });
    expect(events).toEqual([]);
  });
});
