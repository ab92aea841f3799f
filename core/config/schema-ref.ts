/**
 * The `$schema` reference written at the top of a saved workspace, so an
 * editor autocompletes and checks the file with no network: the path from
 * the saved file's folder to this installation's schema/workspace.schema.json,
 * relative (VS Code and most JSON editors resolve a relative `$schema` against
 * the file). Relative rather than a file:// URL because it names no home
 * folder and keeps working for everyone when lbw is a dependency of the
 * project the workspace lives in (`./node_modules/lb-workbench/schema/...`).
 * Where no relative path exists (another drive on Windows) it is a file:// URL.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCHEMA_FILE = join('schema', 'workspace.schema.json');

let cached: string | null | undefined;

/**
 * This installation's schema file, found by walking up from this module:
 * it runs from core/config (source), build/ (the compiled CLI) or
 * .vite/build (Electron), each below the folder that holds schema/.
 * Undefined when the installation has none (then nothing is referenced).
 */
export function installedSchemaFile(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  cached = null;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) {
      cached = candidate;
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return cached ?? undefined;
}

/** The `$schema` value for a workspace saved at `savedFile`, or undefined without a schema file to point at. */
export function schemaReference(savedFile: string, schemaFile: string | undefined = installedSchemaFile()): string | undefined {
  if (!schemaFile) return undefined;
  const rel = relative(dirname(resolve(savedFile)), resolve(schemaFile));
  if (isAbsolute(rel)) return pathToFileURL(resolve(schemaFile)).href;
  const posix = rel.split(sep).join('/');
  return posix.startsWith('../') ? posix : `./${posix}`;
}
