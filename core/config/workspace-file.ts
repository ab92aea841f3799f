/**
 * Workspace files: read, validate, write. Reading never throws a stack at the
 * user: every failure is an LbError with a code and one line per problem.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { LbError } from '../model/errors';
import { WorkspaceSchema, type WorkspaceSpec } from '../model/spec';
import { formatIssues } from '../model/validate';
import { strategyOptionIssues } from './strategy-issues';

/** Published beside the project so editors can autocomplete workspace files. */
export const WORKSPACE_SCHEMA_URL = 'https://lb-workbench.dev/schema/workspace.schema.json';

/** Validates a parsed workspace: the schema, then each service's strategy and its options. */
export function parseWorkspace(value: unknown): WorkspaceSpec {
  const parsed = WorkspaceSchema.safeParse(value);
  const issues = parsed.success ? [] : formatIssues(parsed.error);
  if (parsed.success) {
    parsed.data.services.forEach((svc, i) => {
      issues.push(...strategyOptionIssues(svc.strategy, svc.strategyOptions, svc.protocol, `services[${i}]`));
    });
  }
  if (issues.length > 0 || !parsed.success) {
    throw new LbError('CONFIG_INVALID', `invalid workspace: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

/** Parses JSON text; a syntax error names the line and column. */
export function parseWorkspaceText(text: string, source = 'workspace'): WorkspaceSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LbError('CONFIG_INVALID', `${source}: not valid JSON (${describeJsonError(text, err)})`);
  }
  try {
    return parseWorkspace(value);
  } catch (err) {
    if (err instanceof LbError && err.issues) {
      throw new LbError('CONFIG_INVALID', `${source}: ${err.issues.join('; ')}`, err.issues);
    }
    throw err;
  }
}

export async function loadWorkspaceFile(path: string): Promise<WorkspaceSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new LbError('IO_ERROR', `cannot read ${path}: ${why}`);
  }
  return parseWorkspaceText(text, path);
}

/** Writes atomically (temp file, then rename) so a crash never leaves half a file. */
export async function saveWorkspaceFile(path: string, spec: WorkspaceSpec): Promise<void> {
  const text = `${JSON.stringify(toFileShape(spec), null, 2)}\n`;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (err) {
    throw new LbError('IO_ERROR', `cannot write ${path}: ${(err as Error).message}`);
  }
}

/** The workspace as written to disk: the schema reference first. */
function toFileShape(spec: WorkspaceSpec): WorkspaceSpec {
  const { $schema: _ignored, ...rest } = spec;
  return { $schema: WORKSPACE_SCHEMA_URL, ...rest };
}

/** The JSON Schema of the workspace format, for editors (written to schema/workspace.schema.json). */
export function workspaceJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(WorkspaceSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

function describeJsonError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${col}`;
}
