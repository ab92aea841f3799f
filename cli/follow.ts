/**
 * Hot reload for `lbw run FILE` and `lbw serve FILE`: FILE is followed
 * (core/config/watch) and each edit goes to the Workbench's reload, the same
 * apply path as the UI's commands. One line on stderr per outcome: what a
 * reload changed, or why it was refused while the previous configuration
 * keeps serving.
 */
import { describeChanges } from '../core/config/changes';
import { watchWorkspaceFile, type WatchOptions } from '../core/config/watch';
import type { Workbench } from '../core/workbench';
import type { Io } from './run';

export interface Following {
  /** Resolves once FILE's baseline is read and edits are followed. */
  ready: Promise<void>;
  stop(): void;
}

/** `prog` prefixes each line ("lbw run"). */
export function followWorkspace(workbench: Workbench, path: string, io: Pick<Io, 'err'>, prog: string, options: WatchOptions = {}): Following {
  /** The last reload was refused: a later one that changes nothing still says the file is fine again. */
  let refused = false;
  let ignoredSaid = false;
  const line = (text: string) => io.err.write(`${prog}: ${text.replace(/\s*\n\s*/g, ' ')}\n`);

  // emitInitial: an edit made between opening FILE and following it is not missed (the same content is a silent no-op).
  const watcher = watchWorkspaceFile(
    path,
    (read) => {
      void workbench.reload(path, read.ok ? { workspace: read.workspace } : { error: read.error }).then((result) => {
        if (!result.ok) {
          refused = true;
          // Saving the same file again retries a change refused at apply time (a port that was busy).
          if (read.ok) watcher.forget();
          line(`reload of ${path} refused: ${withoutPrefix(result.error.message, path)}; still serving the previous configuration`);
          return;
        }
        const value = result.value;
        if ('ignored' in value) {
          if (!ignoredSaid) line(`${path} changed but is no longer followed: ${value.ignored}`);
          ignoredSaid = true;
          return;
        }
        if (value.applied) line(`reloaded ${path}: ${describeChanges(value.changes)}`);
        else if (refused) line(`${path} is valid again and matches the running configuration`);
        refused = false;
      });
    },
    { emitInitial: true, ...options },
  );
  return { ready: watcher.ready, stop: () => watcher.stop() };
}

/** The parse errors start with the file's path; the line names it already. */
function withoutPrefix(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}
