/**
 * The safe-write rule on a real temporary directory: atomic replacement (a
 * write failing half-way leaves the old file and no temporary file), the
 * extension check, symlinks and non-files refused, and an existing file
 * replaced only when it is lbw's or the user confirmed.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { safeWriteFile, type SafeWriteRule } from '../../../core/config/safe-write';
import { LbError } from '../../../core/model/errors';

let root: string;
let dir: string;
let n = 0;
beforeEach(async () => {
  root ??= await mkdtemp(join(tmpdir(), 'lbw-safe-write-'));
  dir = join(root, `case-${n++}`);
  await mkdir(dir);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const notOurs: SafeWriteRule = { what: 'a workspace', extensions: ['.json'], ours: async () => false };
const ours: SafeWriteRule = { ...notOurs, ours: async () => true };

async function failure(p: Promise<unknown>): Promise<LbError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LbError);
  return err as LbError;
}

describe('safeWriteFile', () => {
  it('creates a new file with mode 0644 (under the umask) and nothing else in the folder', async () => {
    const file = join(dir, 'ws.json');
    await safeWriteFile(file, '{"a":1}\n', notOurs);
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(await readdir(dir)).toEqual(['ws.json']);
  });

  it('a write failing half-way leaves the old file as it was and no temporary file', async () => {
    const file = join(dir, 'ws.json');
    await writeFile(file, 'old contents\n');
    const seen: string[] = [];
    const err = await failure(
      safeWriteFile(file, 'x'.repeat(100_000), {
        ...ours,
        write: async (handle, data) => {
          seen.push(...(await readdir(dir)));
          await handle.write(data.subarray(0, data.length / 2));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
      }),
    );
    expect(err.code).toBe('IO_ERROR');
    expect(err.message).toBe(`cannot write ${file}: ENOSPC: no space left on device, write`);
    // While it was being written, the temporary file sat beside the target under a random name.
    const temp = seen.filter((f) => f !== 'ws.json');
    expect(temp).toHaveLength(1);
    expect(temp[0]).toMatch(/^\.ws\.json\.[0-9a-f]{16}\.tmp$/);
    expect(await readFile(file, 'utf8')).toBe('old contents\n');
    expect(await readdir(dir)).toEqual(['ws.json']);
  });

  it('names each temporary file afresh', async () => {
    const file = join(dir, 'ws.json');
    const names: string[] = [];
    const spy: SafeWriteRule = {
      ...ours,
      write: async (handle, data) => {
        names.push(...(await readdir(dir)).filter((f) => f.endsWith('.tmp')));
        await handle.writeFile(data);
      },
    };
    await safeWriteFile(file, '1', spy);
    await safeWriteFile(file, '2', spy);
    expect(names).toHaveLength(2);
    expect(names[0]).not.toBe(names[1]);
    expect(await readFile(file, 'utf8')).toBe('2');
  });

  it('fails with IO_ERROR and creates nothing when the folder does not exist', async () => {
    const err = await failure(safeWriteFile(join(dir, 'missing', 'ws.json'), '{}', notOurs));
    expect(err.code).toBe('IO_ERROR');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes only the allowed extensions, in any case', async () => {
    for (const name of ['ws.txt', 'ws.json.bak', 'ws', 'ws.json~']) {
      const err = await failure(safeWriteFile(join(dir, name), '{}', notOurs));
      expect(err.code).toBe('INPUT_INVALID');
      expect(err.message).toBe(`cannot write ${join(dir, name)}: a workspace is written to a .json file`);
    }
    expect(await readdir(dir)).toEqual([]);
    await safeWriteFile(join(dir, 'WS.JSON'), '{}', notOurs);
    const html: SafeWriteRule = { ...notOurs, what: 'a report', extensions: ['.json', '.html'] };
    await safeWriteFile(join(dir, 'r.Html'), '<p>', html);
    expect((await readdir(dir)).sort()).toEqual(['WS.JSON', 'r.Html']);
    expect((await failure(safeWriteFile(join(dir, 'r.htm'), '<p>', html))).message).toMatch(/a report is written to a \.json or \.html file$/);
  });

  it('refuses a symlink, even with overwrite, and leaves the link and its target alone', async () => {
    const target = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    await writeFile(target, 'precious\n');
    await symlink(target, link);
    const err = await failure(safeWriteFile(link, '{}', { ...ours, overwrite: true }));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toMatch(/is a symbolic link/);
    expect(await readFile(target, 'utf8')).toBe('precious\n');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);

    // A dangling link would create its target if followed: refused too.
    const dangling = join(dir, 'dangling.json');
    await symlink(join(dir, 'created-through-link.json'), dangling);
    expect((await failure(safeWriteFile(dangling, '{}', { ...ours, overwrite: true }))).code).toBe('INPUT_INVALID');
    expect((await readdir(dir)).sort()).toEqual(['dangling.json', 'link.json', 'real.json']);
  });

  it('refuses a target that is not a regular file', async () => {
    await mkdir(join(dir, 'folder.json'));
    const err = await failure(safeWriteFile(join(dir, 'folder.json'), '{}', { ...ours, overwrite: true }));
    expect(err).toMatchObject({ code: 'INPUT_INVALID', message: `cannot write ${join(dir, 'folder.json')}: it exists and is not a regular file` });
    expect((await stat(join(dir, 'folder.json'))).isDirectory()).toBe(true);
  });

  it('refuses an existing file lbw did not write with CONFLICT, then replaces it when confirmed, keeping its mode', async () => {
    const file = join(dir, 'settings.json');
    await writeFile(file, '{"theme":"dark"}\n');
    await chmod(file, 0o600);
    const err = await failure(safeWriteFile(file, '{}', notOurs));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(`${file} already exists and lbw did not write it: confirm overwriting it (overwrite: true) or choose another name`);
    expect(await readFile(file, 'utf8')).toBe('{"theme":"dark"}\n');

    await safeWriteFile(file, '{}', { ...notOurs, overwrite: true });
    expect(await readFile(file, 'utf8')).toBe('{}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('replaces lbw’s own file without asking; a check that throws counts as not lbw’s', async () => {
    const file = join(dir, 'ws.json');
    await writeFile(file, 'mine');
    const asked: string[] = [];
    await safeWriteFile(file, 'new', { ...notOurs, ours: async (p) => (asked.push(p), true) });
    expect(asked).toEqual([file]);
    expect(await readFile(file, 'utf8')).toBe('new');

    const broken: SafeWriteRule = { ...notOurs, ours: () => Promise.reject(new Error('unreadable')) };
    expect((await failure(safeWriteFile(file, 'newer', broken))).code).toBe('CONFLICT');
    expect(await readFile(file, 'utf8')).toBe('new');
  });
});
