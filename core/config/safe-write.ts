/**
 * The one rule for files lbw writes on a user's behalf (a saved workspace, an
 * exported drill report), so a command can never hurt a file:
 *
 * - only the extensions the caller names (checked case-insensitively);
 * - never through a symbolic link, and only over a regular file: the target
 *   is lstat'ed, and the rename replaces the directory entry itself;
 * - never over an existing file lbw did not write (the caller's `ours` test)
 *   unless the user confirmed overwriting it (`overwrite`): CONFLICT otherwise;
 * - atomically: the text goes to a temporary file in the same directory
 *   (an unpredictable name, created with O_EXCL so nothing there beforehand is
 *   followed or reused), is fsynced, and is renamed over the target; on any
 *   failure the temporary file is removed and the old file is untouched;
 * - new files get mode 0644 (less if the umask says so), a replaced file keeps
 *   its mode.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LbError } from '../model/errors';

export interface SafeWriteRule {
  /** What the file is, for messages: "a workspace", "a JSON report". */
  what: string;
  /** Allowed extensions, lower case with the dot: ['.json']. */
  extensions: readonly string[];
  /** Whether the existing regular file at `path` is one lbw wrote, so it may be replaced without asking. */
  ours: (path: string, stat: Stats) => Promise<boolean>;
  /** The user confirmed replacing whatever file is there. */
  overwrite?: boolean | undefined;
  /**
   * How the text reaches the temporary file; a test swaps in one that fails
   * half-way to show that a failed write leaves nothing behind.
   */
  write?: (handle: FileHandle, data: Buffer) => Promise<void>;
}

const NEW_FILE_MODE = 0o644;

/** Writes `text` to `path` under the rule; throws INPUT_INVALID, CONFLICT or IO_ERROR (an LbError) and writes nothing then. */
export async function safeWriteFile(path: string, text: string, rule: SafeWriteRule): Promise<void> {
  const target = resolve(path);
  const ext = extname(target).toLowerCase();
  if (!rule.extensions.includes(ext)) {
    throw new LbError('INPUT_INVALID', `cannot write ${path}: ${rule.what} is written to a ${rule.extensions.join(' or ')} file`);
  }
  const existing = await lstatOrUndefined(target, path);
  if (existing) {
    if (existing.isSymbolicLink()) {
      throw new LbError('INPUT_INVALID', `cannot write ${path}: it is a symbolic link, and lbw never writes through one (give the real path)`);
    }
    if (!existing.isFile()) throw new LbError('INPUT_INVALID', `cannot write ${path}: it exists and is not a regular file`);
    if (!rule.overwrite && !(await rule.ours(target, existing).catch(() => false))) {
      throw new LbError('CONFLICT', `${path} already exists and lbw did not write it: confirm overwriting it (overwrite: true) or choose another name`);
    }
  }
  await writeAtomically(target, path, Buffer.from(text, 'utf8'), existing ? existing.mode & 0o7777 : undefined, rule.write);
}

async function lstatOrUndefined(target: string, shown: string): Promise<Stats | undefined> {
  try {
    return await lstat(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new LbError('IO_ERROR', `cannot write ${shown}: ${(err as Error).message}`);
  }
}

async function writeAtomically(
  target: string,
  shown: string,
  data: Buffer,
  keepMode: number | undefined,
  write: SafeWriteRule['write'] = (handle, bytes) => handle.writeFile(bytes),
): Promise<void> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    // O_EXCL: fails rather than opening anything already at that name (a planted file or link).
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, NEW_FILE_MODE);
    created = true;
    if (keepMode !== undefined) await handle.chmod(keepMode);
    await write(handle, data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, target);
    created = false;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
    if (err instanceof LbError) throw err;
    throw new LbError('IO_ERROR', `cannot write ${shown}: ${(err as Error).message}`);
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable; some platforms cannot open a directory, and the file is written either way. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
