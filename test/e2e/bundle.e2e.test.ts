/**
 * The bundle the e2e tests (and users) load is React's production build,
 * even when it is built under vitest, which sets NODE_ENV=test: a development
 * build renders several times slower and would make every UI timing here
 * describe a page no user sees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureRendererBuilt, ROOT } from './harness';

beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);

describe('the renderer bundle', () => {
  it('is a production build', () => {
    const assets = join(ROOT, 'renderer', 'dist', 'assets');
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const code = scripts.map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
    // A development build calls React's development JSX runtime for every element (740 call sites here).
    expect(code).not.toContain('jsxDEV');
    // ...while React itself is there.
    expect(code).toContain('react.element');
  });
});
