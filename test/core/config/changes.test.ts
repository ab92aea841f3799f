/** What a hot reload changes (core/config/changes): by service name, key order and $schema aside. */
import { describe, expect, it } from 'vitest';
import { describeChanges, sameWorkspace, workspaceChanges } from '../../../core/config/changes';
import { parseWorkspace } from '../../../core/config/workspace-file';

const svc = (name: string, port: number, extra: Record<string, unknown> = {}) => ({ name, listen: `127.0.0.1:${port}`, backends: [{ url: 'http://127.0.0.1:3001' }], ...extra });

describe('workspaceChanges', () => {
  const base = parseWorkspace({ services: [svc('api', 8080), svc('web', 8081), svc('old', 8082)] });

  it('names services changed, added and removed, and other settings', () => {
    const next = parseWorkspace({
      name: 'renamed',
      services: [svc('api', 8080, { strategy: 'random' }), svc('web', 8081), svc('new', 8083)],
    });
    const c = workspaceChanges(base, next);
    expect(c).toEqual({ added: ['new'], removed: ['old'], changed: ['api'], other: ['name'] });
    expect(describeChanges(c)).toBe('api changed; new added; old removed; name changed');
    expect(sameWorkspace(base, next)).toBe(false);
  });

  it('is nothing for the same workspace written with other key order or another $schema', () => {
    const reordered = parseWorkspace({
      $schema: './elsewhere.json',
      services: [svc('api', 8080), svc('web', 8081), { backends: [{ url: 'http://127.0.0.1:3001' }], listen: '127.0.0.1:8082', name: 'old' }],
    });
    expect(workspaceChanges(base, reordered)).toEqual({ added: [], removed: [], changed: [], other: [] });
    expect(sameWorkspace(base, reordered)).toBe(true);
  });

  it('counts a new service order as a change, described as such', () => {
    const moved = parseWorkspace({ services: [svc('web', 8081), svc('api', 8080), svc('old', 8082)] });
    expect(sameWorkspace(base, moved)).toBe(false);
    expect(describeChanges(workspaceChanges(base, moved))).toBe('service order changed');
  });
});
