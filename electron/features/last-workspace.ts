/**
 * Remembers the last workspace file so it reopens on start; the first start
 * (or a file that no longer loads) opens the demo instead.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LastWorkspaceStore {
  read(): Promise<string | undefined>;
  write(path: string): Promise<void>;
}

export function lastWorkspaceStore(userDataDir: string): LastWorkspaceStore {
  const file = join(userDataDir, 'last-workspace.json');
  return {
    async read() {
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as { path?: unknown };
        return typeof data.path === 'string' ? data.path : undefined;
      } catch {
        return undefined;
      }
    },
    async write(path) {
      await writeFile(file, JSON.stringify({ path }), 'utf8').catch(() => undefined);
    },
  };
}
