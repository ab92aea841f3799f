/**
 * Workspace files: read, validate, write. Reading never throws a stack at the
 * user: every failure is an LbError with a code and one line per problem.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LbError } from '../model/errors';
import { DemoBackendSpecSchema, type DemoBackendSpec } from '../demo/spec';
import { WorkspaceSchema, type BackendSpec, type Protocol, type WorkspaceSpec } from '../model/spec';
import { formatIssues, safeParseWithHints } from '../model/validate';
import { safeWriteFile } from './safe-write';
import { schemaReference } from './schema-ref';
import { strategyOptionIssues } from './strategy-issues';

export { workspaceJsonSchema } from './json-schema';

/** A workspace file larger than this is not read (nor taken for one of ours when saving over it). */
const MAX_WORKSPACE_BYTES = 16 * 1024 * 1024;

/**
 * Validates a parsed workspace: the schema (every object strict, so a typo is
 * an error naming the key meant), then each service's strategy and its options.
 */
export function parseWorkspace(value: unknown): WorkspaceSpec {
  const parsed = safeParseWithHints(WorkspaceSchema, withDemoUrls(value));
  const issues = parsed.success ? [] : formatIssues(parsed.error);
  const services = parsed.success ? parsed.data.services : namedStrategies(value);
  services.forEach((svc, i) => {
    if (svc) issues.push(...strategyOptionIssues(svc.strategy, svc.strategyOptions, svc.protocol, `services[${i}]`));
  });
  if (issues.length > 0 || !parsed.success) {
    throw new LbError('CONFIG_INVALID', `invalid workspace: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

/**
 * A workspace whose demo backends (`{ "demo": "alpha" }`, no url, as files
 * have them) get a stand-in url until the Workbench starts them and puts
 * where they listen (core/demo/resolve.ts): the demo's fixed port, or port 0.
 * Everything else is left for the schema to judge.
 */
function withDemoUrls(value: unknown): unknown {
  if (!isRecord(value) || !Array.isArray(value.services)) return value;
  const demos = Array.isArray(value.demos) ? value.demos.filter(isRecord) : [];
  const services = value.services.map((svc: unknown) => {
    if (!isRecord(svc) || !Array.isArray(svc.backends)) return svc;
    const backends = svc.backends.map((b: unknown) => {
      if (!isRecord(b) || typeof b.demo !== 'string' || b.url !== undefined) return b;
      const port = demos.find((d) => d.name === b.demo)?.port;
      return { ...b, url: `http://127.0.0.1:${typeof port === 'number' ? port : 0}` };
    });
    return { ...svc, backends };
  });
  return { ...value, services };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * When the schema failed, the services that name their strategy and protocol
 * plainly, so their options are checked in the same pass and every problem is
 * listed at once (a service without a valid `strategy` is left out: its
 * options would be judged against a strategy the user did not mean).
 */
function namedStrategies(value: unknown): Array<{ strategy: string; strategyOptions: unknown; protocol: Protocol } | undefined> {
  const services = (value as { services?: unknown } | null)?.services;
  if (!Array.isArray(services)) return [];
  return services.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const s = raw as Record<string, unknown>;
    const protocol = s.protocol ?? 'http';
    if (typeof s.strategy !== 'string' || (protocol !== 'http' && protocol !== 'tcp')) return undefined;
    return { strategy: s.strategy, strategyOptions: s.strategyOptions ?? {}, protocol };
  });
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
    text = await readCapped(path);
  } catch (err) {
    if (err instanceof LbError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new LbError('IO_ERROR', `cannot read ${path}: ${why}`);
  }
  return parseWorkspaceText(text, path);
}

export interface SaveWorkspaceOptions {
  /** The user confirmed replacing a file lbw did not write. */
  overwrite?: boolean | undefined;
  /** The file this workbench opened or last saved: lbw's own, replaced without asking. */
  current?: string | undefined;
}

/**
 * Writes a workspace under the safe-write rule (./safe-write): a .json file,
 * atomically, never through a symlink. An existing file is replaced without
 * asking only if it is lbw's: the workbench's current file, or one that
 * validates as a workspace (a saved workspace is exactly that); anything
 * else needs `overwrite`.
 */
export async function saveWorkspaceFile(path: string, spec: WorkspaceSpec, options: SaveWorkspaceOptions = {}): Promise<void> {
  const text = `${JSON.stringify(toFileShape(spec, path), null, 2)}\n`;
  await safeWriteFile(path, text, {
    what: 'a workspace',
    extensions: ['.json'],
    overwrite: options.overwrite,
    ours: async (target) => (options.current !== undefined && resolve(options.current) === target) || (await isWorkspaceFile(target)),
  });
}

/** Whether the file holds a valid workspace. */
export async function isWorkspaceFile(path: string): Promise<boolean> {
  try {
    parseWorkspaceText(await readCapped(path));
    return true;
  } catch {
    return false;
  }
}

/**
 * The workspace as written to disk: the schema reference (./schema-ref)
 * first, when there is a schema to point at; demo backends by name, without
 * the one-off url they listen at now (lbw starts them again on open), and
 * their specs without the fields left at their defaults.
 */
export function toFileShape(spec: WorkspaceSpec, path: string): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = spec;
  const services = rest.services.map((svc) => ({ ...svc, backends: svc.backends.map(fileBackend) }));
  const shaped: Record<string, unknown> = { ...rest, services };
  if (rest.demos) shaped.demos = rest.demos.map(compactDemo);
  else delete shaped.demos;
  const ref = schemaReference(path);
  return ref === undefined ? shaped : { $schema: ref, ...shaped };
}

function fileBackend(b: BackendSpec): Record<string, unknown> {
  if (b.demo === undefined) return b;
  const { url: _url, ...rest } = b;
  if (rest.name === rest.demo) delete rest.name;
  return { demo: rest.demo, ...rest };
}

/** A demo backend's spec without the fields that equal their defaults (the name kept). */
function compactDemo(d: DemoBackendSpec): Record<string, unknown> {
  const defaults = DemoBackendSpecSchema.parse({ name: d.name, latency: { distribution: d.latency.distribution } });
  const out = withoutDefaults(d, defaults, ['name', 'colour']);
  out.latency = withoutDefaults(d.latency, defaults.latency, ['distribution']);
  return out;
}

function withoutDefaults<T extends object>(value: T, defaults: T, keep: readonly string[]): Record<string, unknown> {
  const base = defaults as Record<string, unknown>;
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => keep.includes(k) || JSON.stringify(v) !== JSON.stringify(base[k])));
}

/** A file's text, refusing one too large to be a workspace before reading it all (also the hot reload's read, ./watch). */
export async function readCapped(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_WORKSPACE_BYTES) throw new LbError('CONFIG_INVALID', `${path}: too large for a workspace (${size} bytes, at most ${MAX_WORKSPACE_BYTES})`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
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
