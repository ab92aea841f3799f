/**
 * Following a workspace file (hot reload): every change to it is read again,
 * parsed with the same strict rules as opening it, and reported as the new
 * workspace or as why it cannot be used.
 *
 * It watches the file's directory, not the file: editors that save by writing
 * a temporary file and renaming it over the old one (VS Code, vim's default
 * backup, `mv tmp ws.json`) replace the inode a file watch would be stuck on.
 * Bursts of events (truncate, write, write, chmod, rename...) are debounced:
 * the file is read once things have been quiet for `quietMs`, and at the
 * latest `maxWaitMs` after the first event. A content hash drops writes that
 * change nothing (a touch, a save without edits). An invalid file is reported
 * only if it is still the same after another quiet period, so a file caught
 * half-written is not reported as broken. A file that disappears is
 * given `missingMs` to come back (deleted, then recreated) before its absence
 * is reported.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { LbError } from '../model/errors';
import type { WorkspaceSpec } from '../model/spec';
import { parseWorkspaceText, readCapped } from './workspace-file';

/** What a read of the followed file gave: the workspace, or why it cannot be used (JSON with line and column, schema issues with paths). */
export type WatchRead = { ok: true; workspace: WorkspaceSpec; hash: string } | { ok: false; error: LbError; hash?: string };

export interface WatchOptions {
  /** Read once no event came for this long (ms, default 150). */
  quietMs?: number;
  /** ...but no later than this after the first event of a burst (ms, default 1000). */
  maxWaitMs?: number;
  /** How long the file may be absent before that is reported (ms, default 2000). */
  missingMs?: number;
  /** Report the file as it is when watching starts (default: take it as the baseline, silently). */
  emitInitial?: boolean;
  /** Called after every read of the file, reported or not: lets a test know a write that changed nothing was looked at. */
  onSettled?: () => void;
}

export interface WorkspaceWatcher {
  /** Resolves once the baseline is read and changes are being followed. */
  ready: Promise<void>;
  /**
   * Forgets the content last reported, so the next event reports the file
   * even unchanged: for a change the caller could not apply (a port in use),
   * where saving the same file again is the way to retry.
   */
  forget(): void;
  /** Stops following; no callback comes after this. */
  stop(): void;
}

export function watchWorkspaceFile(path: string, onRead: (read: WatchRead) => void, options: WatchOptions = {}): WorkspaceWatcher {
  const quietMs = options.quietMs ?? 150;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const missingMs = options.missingMs ?? 2000;
  const target = resolve(path);
  const name = basename(target);

  let stopped = false;
  /** Hash of the content last reported (or taken as the baseline); undefined after forget() or a reported absence. */
  let lastHash: string | undefined;
  let burstStart: number | undefined;
  let quietTimer: NodeJS.Timeout | undefined;
  let missingTimer: NodeJS.Timeout | undefined;
  /** The file's absence was reported (so it is not reported again until it is back). */
  let missingReported = false;
  /** Hash of an invalid content seen once: reported only if a second look finds it unchanged. */
  let suspectHash: string | undefined;
  let reading = false;
  let readAgain = false;

  const report = (read: WatchRead) => {
    if (!stopped) onRead(read);
  };

  /** Reads the file and reports it unless it is what was reported last. One read at a time; an event during a read means one more. */
  const readNow = async (initial: boolean): Promise<void> => {
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      let text: string;
      try {
        text = await readCapped(target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          missingSoon();
          return;
        }
        const error = err instanceof LbError ? err : new LbError('IO_ERROR', `cannot read ${path}: ${(err as Error).message}`);
        lastHash = undefined;
        report({ ok: false, error });
        return;
      }
      clearTimeout(missingTimer);
      missingTimer = undefined;
      missingReported = false;
      const hash = createHash('sha256').update(text).digest('hex');
      if (hash === lastHash) {
        suspectHash = undefined;
        return;
      }
      let read: WatchRead;
      try {
        read = { ok: true, workspace: parseWorkspaceText(text, path), hash };
        suspectHash = undefined;
      } catch (err) {
        const error = err instanceof LbError ? err : new LbError('CONFIG_INVALID', `${path}: ${(err as Error).message}`);
        read = { ok: false, error, hash };
        // Maybe caught half-written (a writer that truncates, then writes): look again once it has been quiet.
        if (!initial && suspectHash !== hash) {
          suspectHash = hash;
          onEvent();
          return;
        }
        suspectHash = undefined;
      }
      lastHash = hash;
      if (initial && !options.emitInitial) return;
      report(read);
    } finally {
      reading = false;
      if (!stopped) options.onSettled?.();
      if (readAgain && !stopped) {
        readAgain = false;
        void readNow(false);
      }
    }
  };

  /** The file is gone: report it only if it stays gone (an editor deleting and recreating it is not a change). */
  const missingSoon = () => {
    if (missingTimer !== undefined || missingReported) return;
    missingTimer = setTimeout(() => {
      missingTimer = undefined;
      missingReported = true;
      lastHash = undefined;
      report({ ok: false, error: new LbError('IO_ERROR', `${path}: the file was removed`) });
    }, missingMs);
    missingTimer.unref();
  };

  const onEvent = () => {
    if (stopped) return;
    const now = Date.now();
    burstStart ??= now;
    clearTimeout(quietTimer);
    const wait = Math.max(0, Math.min(quietMs, burstStart + maxWaitMs - now));
    quietTimer = setTimeout(() => {
      burstStart = undefined;
      quietTimer = undefined;
      void readNow(false);
    }, wait);
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(target), { persistent: false }, (_event, filename) => {
      // Some platforms give no name; then any event in the directory may be ours.
      if (filename === null || filename === name) onEvent();
    });
    watcher.on('error', (err) => report({ ok: false, error: new LbError('IO_ERROR', `cannot follow ${path}: ${err.message}`) }));
  } catch (err) {
    queueMicrotask(() => report({ ok: false, error: new LbError('IO_ERROR', `cannot follow ${path}: ${(err as Error).message}`) }));
  }
  const ready = readNow(true);

  return {
    ready,
    forget: () => {
      lastHash = undefined;
    },
    stop: () => {
      stopped = true;
      clearTimeout(quietTimer);
      clearTimeout(missingTimer);
      watcher?.close();
    },
  };
}
