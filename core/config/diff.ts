/**
 * What an edit changed, in words a person reads in the event log:
 * `bravo weight 1 → 3`, `strategy round-robin → least-connections`,
 * `backend bravo added`, and the one service it concerns. The Workbench
 * diffs the workspace before and after each commit and puts the result on
 * `config:changed`. Pure.
 */
import { backendName, type BackendSpec, type ServiceSpec, type WorkspaceSpec } from '../model/spec';

export interface ConfigDiff {
  /** The service every change concerns (its name after the change), when there is one. */
  service?: string;
  changes: string[];
}

const SECTION_WORDS: Record<string, string> = {
  healthCheck: 'health check',
  passiveHealth: 'passive health',
  retries: 'retries',
  timeouts: 'timeouts',
  tls: 'TLS',
  limits: 'limits',
  strategyOptions: 'strategy options',
};

export function diffWorkspaces(before: WorkspaceSpec, after: WorkspaceSpec): ConfigDiff {
  const changes: string[] = [];
  const touched = new Set<string>();
  const old = new Map(before.services.map((s) => [s.name, s]));
  const now = new Map(after.services.map((s) => [s.name, s]));
  const added = after.services.filter((s) => !old.has(s.name));
  const removed = before.services.filter((s) => !now.has(s.name));
  // One service gone and one come on the same address: a rename.
  if (added.length === 1 && removed.length === 1 && added[0]!.listen === removed[0]!.listen) {
    const [from, to] = [removed[0]!, added[0]!];
    changes.push(`service ${from.name} renamed ${to.name}`);
    changes.push(...serviceChanges(from, to));
    touched.add(to.name);
  } else {
    for (const s of added) {
      changes.push(`service ${s.name} added`);
      touched.add(s.name);
    }
    for (const s of removed) {
      changes.push(`service ${s.name} removed`);
      touched.add(s.name);
    }
  }
  for (const s of after.services) {
    const prev = old.get(s.name);
    if (!prev) continue;
    const mine = serviceChanges(prev, s);
    if (mine.length > 0) touched.add(s.name);
    changes.push(...mine);
  }
  changes.push(...drillChanges(before, after));
  if (before.name !== after.name) changes.push(`workspace name ${show(before.name)} → ${show(after.name)}`);
  const out: ConfigDiff = { changes };
  if (touched.size === 1) out.service = [...touched][0]!;
  return out;
}

function serviceChanges(a: ServiceSpec, b: ServiceSpec): string[] {
  const out: string[] = [];
  for (const key of ['listen', 'protocol', 'strategy', 'rewriteRedirects'] as const) {
    if (a[key] !== b[key]) out.push(`${key === 'rewriteRedirects' ? 'redirect rewriting' : key} ${show(a[key])} → ${show(b[key])}`);
  }
  for (const key of Object.keys(SECTION_WORDS)) out.push(...sectionChanges(SECTION_WORDS[key]!, (a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  out.push(...backendChanges(a.backends, b.backends));
  return out;
}

/** A settings object turned on, off, or changed field by field. */
function sectionChanges(words: string, a: unknown, b: unknown): string[] {
  if (same(a, b)) return [];
  if (a === undefined) return [`${words} on`];
  if (b === undefined) return [`${words} off`];
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => !same(x[k], y[k])).map((k) => `${words} ${k} ${show(x[k])} → ${show(y[k])}`);
}

function backendChanges(a: readonly BackendSpec[], b: readonly BackendSpec[]): string[] {
  const out: string[] = [];
  const before = new Map(a.map((x) => [backendName(x), x]));
  const after = new Map(b.map((x) => [backendName(x), x]));
  for (const [name, spec] of after) {
    const prev = before.get(name);
    if (!prev) {
      out.push(`backend ${name} added`);
      continue;
    }
    for (const key of ['url', 'weight', 'state', 'backup', 'maxConnections'] as const) {
      // A demo backend's url is where it listens now, not something the user changed.
      if (key === 'url' && spec.demo !== undefined && spec.demo === prev.demo) continue;
      if (!same(prev[key], spec[key])) out.push(`${name} ${key === 'maxConnections' ? 'max connections' : key} ${show(prev[key])} → ${show(spec[key])}`);
    }
  }
  for (const name of before.keys()) if (!after.has(name)) out.push(`backend ${name} removed`);
  return out;
}

function drillChanges(a: WorkspaceSpec, b: WorkspaceSpec): string[] {
  const before = new Map((a.drills ?? []).map((d) => [d.name, d]));
  const after = new Map((b.drills ?? []).map((d) => [d.name, d]));
  const out: string[] = [];
  for (const [name, d] of after) {
    if (!before.has(name)) out.push(`drill ${name} added`);
    else if (!same(before.get(name), d)) out.push(`drill ${name} changed`);
  }
  for (const name of before.keys()) if (!after.has(name)) out.push(`drill ${name} removed`);
  return out;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return 'none';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
