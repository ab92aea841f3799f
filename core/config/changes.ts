/**
 * What differs between two workspaces, by service name: for the hot reload's
 * log line and its `config:changed` cause ("api changed; web added"), and to
 * tell a reload that changes nothing (the workbench's own save, a touch) from
 * one that must be applied. Workspaces are compared as a file holds them
 * (./workspace-file's toFileShape): a running demo backend's one-off url is
 * not part of it, nor `$schema`, a pointer for editors.
 */
import type { WorkspaceSpec } from '../model/spec';
import { parseWorkspace, toFileShape } from './workspace-file';

export interface WorkspaceChanges {
  added: string[];
  removed: string[];
  changed: string[];
  /** Top-level settings besides services that differ (`name`, `drills`). */
  other: string[];
}

export function workspaceChanges(running: WorkspaceSpec, next: WorkspaceSpec): WorkspaceChanges {
  const from = asFile(running);
  const to = asFile(next);
  const before = new Map(from.services.map((s) => [s.name, canonical(s)]));
  const after = new Map(to.services.map((s) => [s.name, canonical(s)]));
  const keys = new Set([...Object.keys(from), ...Object.keys(to)].filter((k) => k !== 'services' && k !== '$schema'));
  return {
    added: [...after.keys()].filter((n) => !before.has(n)),
    removed: [...before.keys()].filter((n) => !after.has(n)),
    changed: [...after].filter(([n, s]) => before.has(n) && before.get(n) !== s).map(([n]) => n),
    other: [...keys].filter((k) => canonical((from as Record<string, unknown>)[k]) !== canonical((to as Record<string, unknown>)[k])).sort(),
  };
}

/** Whether the reload would change nothing, service order included (the UI lists services in the workspace's order). */
export function sameWorkspace(running: WorkspaceSpec, next: WorkspaceSpec): boolean {
  const { $schema: _a, ...a } = asFile(running);
  const { $schema: _b, ...b } = asFile(next);
  return canonical(a) === canonical(b);
}

/** The workspace as saved and read back: demo backends by name (with the same stand-in url), their specs with defaults filled in again. */
function asFile(ws: WorkspaceSpec): WorkspaceSpec {
  return parseWorkspace(toFileShape(ws, ''));
}

/** "api changed; web added; old removed; drills changed", or "service order changed" when only that moved. */
export function describeChanges(c: WorkspaceChanges): string {
  const parts = [
    ...(c.changed.length ? [`${c.changed.join(', ')} changed`] : []),
    ...(c.added.length ? [`${c.added.join(', ')} added`] : []),
    ...(c.removed.length ? [`${c.removed.join(', ')} removed`] : []),
    ...(c.other.length ? [`${c.other.join(', ')} changed`] : []),
  ];
  return parts.length ? parts.join('; ') : 'service order changed';
}

/** JSON with object keys sorted, so key order in the file does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
